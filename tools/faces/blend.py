"""Putting a patch back: feathered masks, Lab colour matching and a paste that leaves every pixel outside the
feathered mask exactly as it was."""

from __future__ import annotations

import numpy as np

from .geometry import Alignment, warp_to_image


def ellipse_mask(size: int, centre: np.ndarray, half_axes: tuple[float, float], angle: float = 0.0) -> np.ndarray:
    """A filled ellipse (1.0 inside) in a ``size``×``size`` float32 frame."""
    import cv2

    mask = np.zeros((size, size), np.float32)
    cv2.ellipse(mask, (int(round(centre[0])), int(round(centre[1]))),
                (max(1, int(round(half_axes[0]))), max(1, int(round(half_axes[1])))), angle, 0, 360, 1.0, -1)
    return mask


def feather(mask: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian feathering that reaches exactly ``radius`` px past the mask and no further (the kernel is cut
    at ``radius``), so a paste through it cannot touch anything farther away."""
    import cv2

    if radius <= 0:
        return mask.astype(np.float32)
    k = 2 * int(np.ceil(radius)) + 1
    return np.clip(cv2.GaussianBlur(mask.astype(np.float32), (k, k), radius / 2.5), 0.0, 1.0)


def match_colour(source: np.ndarray, target: np.ndarray, region: np.ndarray) -> np.ndarray:
    """``source`` with its Lab median and spread moved to ``target``'s, both measured over ``region``.

    Used on the skin around the eyes, so a donor eye from another photo takes the target's light and tone.
    """
    import cv2

    sel = region > 0.5
    if sel.sum() < 16:
        return source
    src = cv2.cvtColor(source, cv2.COLOR_RGB2LAB).astype(np.float32)
    dst = cv2.cvtColor(target, cv2.COLOR_RGB2LAB).astype(np.float32)
    s_mean, d_mean = np.median(src[sel], axis=0), np.median(dst[sel], axis=0)
    spread = lambda v: np.subtract(*np.percentile(v, [75, 25], axis=0)) + 1.0  # noqa: E731 (robust to stray hair)
    gain = np.clip(spread(dst[sel]) / spread(src[sel]), 0.67, 1.5)
    out = (src - s_mean) * gain + d_mean
    return cv2.cvtColor(np.clip(out + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def paste(image: np.ndarray, frame_patch: np.ndarray, frame_alpha: np.ndarray, alignment: Alignment) -> np.ndarray:
    """Blend a working-frame patch into the image through its feathered alpha (inverse rotation and scale).

    Pixels where the warped alpha is zero are copied, not recomputed: bit-identical to the input.
    """
    h, w = image.shape[:2]
    corners = alignment.to_image(np.array([[0, 0], [alignment.size, 0], [0, alignment.size],
                                           [alignment.size, alignment.size]], float))
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(corners.max(0)).astype(int) + 2, [w, h])
    if x1 <= x0 or y1 <= y0:
        return image.copy()
    local = alignment.shifted(x0, y0)  # the same transform for the sub-rectangle only: big photos stay cheap
    alpha = warp_to_image(frame_alpha.astype(np.float32), local, (y1 - y0, x1 - x0))
    alpha[alpha < 1.0 / 512] = 0.0
    touched = alpha > 0
    out = image.copy()
    if not touched.any():
        return out
    patch = warp_to_image(frame_patch, local, (y1 - y0, x1 - x0))
    out[y0:y1, x0:x1] = blend_masked(image[y0:y1, x0:x1], patch, alpha)
    return out


def polygon_mask(shape: tuple[int, int], polygon: np.ndarray) -> np.ndarray:
    """A filled convex hull of ``polygon`` (1.0 inside) over an image of ``shape``."""
    import cv2

    mask = np.zeros(shape, np.float32)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(polygon).astype(np.int32)), 1.0)
    return mask


def blend_masked(image: np.ndarray, patch: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``image`` with ``patch`` mixed in through ``alpha`` (same geometry); where alpha is 0, pixels are copied."""
    touched = alpha > 0
    mixed = image.astype(np.float32) * (1 - alpha[..., None]) + patch.astype(np.float32) * alpha[..., None]
    return np.where(touched[..., None], np.clip(mixed + 0.5, 0, 255).astype(np.uint8), image)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 → linear light in 0..1 (the IEC 61966-2-1 curve)."""
    v = np.asarray(rgb, np.float32) / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def from_linear(lin: np.ndarray) -> np.ndarray:
    """Linear light in 0..1 → sRGB uint8."""
    v = np.clip(lin, 0.0, 1.0)
    srgb = np.where(v <= 0.0031308, 12.92 * v, 1.055 * np.power(v, 1 / 2.4) - 0.055)
    return np.clip(srgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def light_gains(source: np.ndarray, source_region: np.ndarray, target: np.ndarray,
                target_region: np.ndarray) -> np.ndarray | None:
    """Per-channel gains in linear light taking ``source``'s light to ``target``'s (a von Kries white
    balance plus exposure), from the medians over the same kind of surface in both (skin, or sclera);
    None when either region has too few pixels."""
    s, t = source_region > 0.5, target_region > 0.5
    if s.sum() < 12 or t.sum() < 12:
        return None
    src = np.median(to_linear(source)[s], axis=0) + 1e-4
    dst = np.median(to_linear(target)[t], axis=0) + 1e-4
    return np.clip(dst / src, 0.4, 2.5).astype(np.float32)


def apply_gains(rgb: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """``rgb`` with each channel scaled by ``gains`` in linear light."""
    return from_linear(to_linear(rgb) * np.asarray(gains, np.float32))
