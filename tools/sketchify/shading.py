"""Classical tonal shading: multi-scale "darker than its surroundings" tone, no weights needed.

A pencil artist shades where the form turns away from the light: where a region is darker than what
surrounds it, at several scales. Differences of Gaussians measure exactly that and are zero on flat
regions and on linear gradients, so blank paper stays white whatever its brightness.
"""

from __future__ import annotations

import cv2
import numpy as np


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)


def tonal_shading(
    gray: np.ndarray,
    scales: tuple[float, ...] = (1.0, 2.0, 4.0),
    weights: tuple[float, ...] = (0.5, 0.3, 0.2),
    gain: float = 3.0,
    work_side: int = 640,
) -> np.ndarray:
    """Shading tone of an 8-bit grayscale image: float32 in [0, 255], 255 where there is nothing to shade.

    The tone is computed on a copy whose longer side is at most ``work_side`` (shading is low-frequency),
    then resized back, so the cost barely grows with the image.

    >>> flat = np.full((64, 64), 90, np.uint8)
    >>> float(tonal_shading(flat).min())
    255.0
    """
    h, w = gray.shape[:2]
    factor = min(1.0, work_side / max(h, w))
    small = gray if factor == 1.0 else cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))),
                                                  interpolation=cv2.INTER_AREA)
    lum = small.astype(np.float32)
    base = max(1.0, min(small.shape[:2]) / 160.0)
    tone = np.zeros_like(lum)
    for scale, weight in zip(scales, weights, strict=True):
        sigma = base * scale
        darker = _blur(lum, 3.0 * sigma) - _blur(lum, sigma)
        tone += np.float32(weight) * np.maximum(darker, 0.0)
    shadow = np.float32(1.5) - lum * np.float32(1.0 / 255.0)  # shadows shade deeper than highlights
    shade = np.float32(255.0) - np.float32(gain) * tone * shadow
    np.clip(shade, 0.0, 255.0, out=shade)
    if factor != 1.0:
        shade = cv2.resize(shade, (w, h), interpolation=cv2.INTER_LINEAR)
    return shade
