"""Classical face restoration as plain functions: noise estimate, edge-preserving denoise, local contrast
and detail, in that order (denoise first so sharpening does not amplify grain)."""

from __future__ import annotations

import numpy as np


def noise_sigma(rgb: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Gaussian noise level in grey levels, from the median absolute Laplacian-like residual (Immerkær)."""
    import cv2

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    residual = np.abs(cv2.filter2D(gray, -1, kernel))[1:-1, 1:-1]
    if mask is not None:
        residual = residual[mask[1:-1, 1:-1] > 0.5]
    if residual.size == 0:
        return 0.0
    return float(np.sqrt(np.pi / 2) * residual.mean() / 6.0)


def sharpness(rgb: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Variance of the Laplacian: more fine detail, higher value."""
    import cv2

    lap = cv2.Laplacian(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.CV_32F)
    return float(lap[mask > 0.5].var() if mask is not None else lap.var())


def restore_classical(rgb: np.ndarray, face_scale: float, strength: float = 1.0,
                      sigma: float | None = None) -> np.ndarray:
    """Denoise (non-local means sized to the measured noise), lift local contrast (CLAHE on L) and restore
    detail (unsharp mask on L); ``face_scale`` is the inter-ocular distance in px, which sizes the filters.

    >>> out = restore_classical(np.full((64, 64, 3), 128, np.uint8), face_scale=30)
    >>> int(out.min()), int(out.max())
    (128, 128)
    """
    import cv2

    sigma = noise_sigma(rgb) if sigma is None else sigma
    h = float(np.clip(1.1 * sigma, 2.0, 20.0)) * strength
    den = cv2.fastNlMeansDenoisingColored(rgb, None, h, h, 5, 15) if sigma > 1.5 else rgb
    lab = cv2.cvtColor(den, cv2.COLOR_RGB2LAB)
    light = lab[..., 0]
    tiles = int(np.clip(rgb.shape[0] / max(face_scale, 1.0), 2, 8))
    clahe = cv2.createCLAHE(clipLimit=1.5, tileGridSize=(tiles, tiles)).apply(light)
    light = cv2.addWeighted(light, 1 - 0.3 * strength, clahe, 0.3 * strength, 0)
    detail = 0.6 * strength * float(np.clip(1.0 - sigma / 12.0, 0.15, 1.0))  # less sharpening where grain was
    blur = cv2.GaussianBlur(light, (0, 0), max(0.8, face_scale / 60.0))
    light = cv2.addWeighted(light, 1 + detail, blur, -detail, 0)
    lab[..., 0] = light
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
