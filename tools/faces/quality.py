"""Image quality measures shared by the face tools: noise level, texture energy, blockiness, and the two
operations that make one patch's grain and softness match another's.

All functions take RGB uint8 arrays and an optional mask (> 0.5 = measured pixels).
"""

from __future__ import annotations

import numpy as np

NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)  # L2 norm 6; blind to planes


def _gray(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY).astype(np.float32)


def _select(values: np.ndarray, mask: np.ndarray | None, trim: int = 1) -> np.ndarray:
    inner = values[trim:-trim, trim:-trim] if trim else values
    if mask is None:
        return inner.ravel()
    return inner[(mask[trim:-trim, trim:-trim] if trim else mask) > 0.5]


def noise_sigma(rgb: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Gaussian noise level in grey levels (Immerkær's Laplacian difference, made robust to texture).

    The residual of a 3×3 second-difference kernel is noise plus structure; structure is strongest where the
    image has edges, so the 40 % of pixels with the largest gradients are left out and the median absolute
    residual (not the mean) is used: fine skin texture and edges barely lift it, grain does.

    >>> rng = np.random.default_rng(0)
    >>> flat = np.clip(128 + rng.normal(0, 10, (128, 128, 1)).repeat(3, -1), 0, 255).astype(np.uint8)
    >>> 8.5 < noise_sigma(flat) < 11.5
    True
    """
    import cv2

    gray = _gray(rgb)
    residual = np.abs(cv2.filter2D(gray, -1, NOISE_KERNEL))
    grad = np.hypot(cv2.Sobel(cv2.GaussianBlur(gray, (0, 0), 1.0), cv2.CV_32F, 1, 0),
                    cv2.Sobel(cv2.GaussianBlur(gray, (0, 0), 1.0), cv2.CV_32F, 0, 1))
    res, g = _select(residual, mask), _select(grad, mask)
    if res.size < 16:
        return 0.0
    flat = res[g <= np.percentile(g, 60)]
    return float(np.sqrt(np.pi / 2) * np.mean(flat) / 6.0)


def texture_energy(rgb: np.ndarray, mask: np.ndarray | None = None, sigma: float = 1.0) -> float:
    """High-frequency energy: mean square of the grey image minus its Gaussian blur (``sigma`` px)."""
    import cv2

    gray = _gray(rgb)
    high = gray - cv2.GaussianBlur(gray, (0, 0), sigma)
    sel = _select(high, mask, trim=2)
    return float(np.mean(sel**2)) if sel.size else 0.0


def band_energy(rgb: np.ndarray, mask: np.ndarray | None = None, scale: float = 1.0) -> float:
    """Mid-band energy (difference of Gaussians at ``scale`` and 2·``scale``): detail that grain barely
    reaches, so it tells sharpness apart from noise."""
    import cv2

    gray = _gray(rgb)
    band = cv2.GaussianBlur(gray, (0, 0), scale) - cv2.GaussianBlur(gray, (0, 0), 2 * scale)
    sel = _select(band, mask, trim=2)
    return float(np.mean(sel**2)) if sel.size else 0.0


def blockiness(rgb: np.ndarray, offset: tuple[int, int] = (0, 0)) -> float:
    """JPEG blocking: how much larger the steps across the 8-px block borders are than steps elsewhere
    (1.0 = no blocking). ``offset`` is the (x, y) of this array's top-left corner in the file's pixel grid."""
    gray = _gray(rgb)
    dx = np.abs(np.diff(gray, axis=1))
    dy = np.abs(np.diff(gray, axis=0))
    cols = (np.arange(dx.shape[1]) + offset[0]) % 8 == 7
    rows = (np.arange(dy.shape[0]) + offset[1]) % 8 == 7
    if not cols.any() or not rows.any() or cols.all() or rows.all():
        return 1.0
    on = np.concatenate([dx[:, cols].ravel(), dy[rows].ravel()])
    off = np.concatenate([dx[:, ~cols].ravel(), dy[~rows].ravel()])
    return float((np.mean(on) + 0.5) / (np.mean(off) + 0.5))


def match_softness(patch: np.ndarray, target: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, float]:
    """``patch`` blurred (if it is sharper) until its mid-band detail over ``region`` matches ``target``'s;
    returns the patch and the Gaussian sigma used (0 = unchanged). Both arrays share one geometry."""
    import cv2

    want = band_energy(target, region)
    have = band_energy(patch, region)
    if have <= want * 1.15 or want <= 0:
        return patch, 0.0
    best, best_sigma = patch, 0.0
    for sigma in (0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.2, 4.0):
        blurred = cv2.GaussianBlur(patch, (0, 0), sigma)
        best, best_sigma = blurred, sigma
        if band_energy(blurred, region) <= want:
            break
    return best, best_sigma


def match_grain(patch: np.ndarray, target: np.ndarray, region: np.ndarray, seed: int = 0) -> tuple[np.ndarray, float]:
    """``patch`` with Gaussian grain added so its noise level over ``region`` matches ``target``'s (never
    removes grain); returns the patch and the added sigma."""
    have = noise_sigma(patch, region)
    want = noise_sigma(target, region)
    add = float(np.sqrt(max(0.0, want**2 - have**2)))
    if add < 0.5:
        return patch, 0.0
    rng = np.random.default_rng(seed)
    grain = rng.normal(0.0, add, patch.shape[:2])[..., None]  # luminance grain, as sensors show it mostly
    return np.clip(patch.astype(np.float32) + grain + 0.5, 0, 255).astype(np.uint8), round(add, 3)
