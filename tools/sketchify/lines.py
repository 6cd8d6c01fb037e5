"""The line path: equalised grayscale -> inverted blur -> colour dodge -> sharpen."""

from __future__ import annotations

import math

import cv2
import numpy as np

SEED_KERNEL = 18  # the seed project's blur kernel ...
SEED_SIDE = 512  # ... at this shorter image side


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """8-bit luminance of an RGB image (a 2-D image is returned unchanged)."""
    if rgb.ndim == 2:
        return rgb
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def equalize(gray: np.ndarray) -> np.ndarray:
    """Global histogram equalisation, so dim and bright photos give lines of the same strength."""
    return cv2.equalizeHist(gray)


def dodge_kernel_size(height: int, width: int, base: int = SEED_KERNEL, base_side: int = SEED_SIDE) -> int:
    """The seed's blur kernel scaled with the shorter side, as the nearest odd size (ties go up; at least 3).

    >>> dodge_kernel_size(512, 512), dodge_kernel_size(1080, 1920), dodge_kernel_size(64, 64)
    (19, 37, 3)
    """
    scaled = base * min(height, width) / base_side
    return max(3, int(math.floor(scaled / 2)) * 2 + 1)


def colour_dodge(gray: np.ndarray, ksize: int, stabiliser: float = 0.0) -> np.ndarray:
    """Colour-dodge the image with its own inverted blur: ``(gray + s) / (255 - blur(255 - gray) + s) * 256``.

    Flat regions give 256 (clipped to paper white) whatever their brightness; the dark side of an edge
    gives a line. With ``s = 0`` this is the classic dodge, which is ill-conditioned in near-black
    regions (a 0 beside a 3 becomes a black dot); a small ``s`` keeps dark noise from turning into ink.
    Returns float32 in [0, 255]. A pixel whose blurred neighbourhood is black (0 / 0) is paper.
    """
    inverted = 255 - gray
    blurred = cv2.GaussianBlur(inverted, (ksize, ksize), 0)
    denom = np.float32(255.0 + stabiliser) - blurred.astype(np.float32)
    numer = (gray.astype(np.float32) + np.float32(stabiliser)) * np.float32(256.0)
    out = np.full(gray.shape, 255.0, dtype=np.float32)
    np.divide(numer, denom, out=out, where=denom > 0)
    return np.minimum(out, 255.0, out=out)


def sharpen(img: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """The seed's 3x3 sharpening kernel (centre 5, cross -1), blended in by ``amount``; float32 in [0, 255]."""
    kernel = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float32) * amount
    kernel[1, 1] += 1.0
    out = cv2.filter2D(img.astype(np.float32, copy=False), cv2.CV_32F, kernel, borderType=cv2.BORDER_REPLICATE)
    return np.clip(out, 0.0, 255.0, out=out)


def line_art(gray: np.ndarray, ksize: int | None = None, sharpen_amount: float = 1.0,
             stabiliser: float = 12.0) -> np.ndarray:
    """The whole line path on an 8-bit grayscale image; float32 in [0, 255], 255 = paper."""
    ksize = ksize or dodge_kernel_size(*gray.shape[:2])
    return sharpen(colour_dodge(equalize(gray), ksize, stabiliser), sharpen_amount)


def xdog(gray: np.ndarray, sigma: float = 1.0, k: float = 1.6, tau: float = 0.98, epsilon: float = 0.0,
         phi: float = 60.0) -> np.ndarray:
    """Winnemöller's extended difference of Gaussians (XDoG, 2012) as line art; float32 in [0, 255].

    ``D = G(sigma) - tau * G(k * sigma)`` on gray in [0, 1]; pixels with ``D >= epsilon`` are paper, the rest
    fall off as ``1 + tanh(phi * (D - epsilon))``. A large ``phi`` gives crisp pen lines, a small one soft
    pencil. Flat regions of any brightness are paper, the dark side of an edge is a line.

    Examples
    --------
    >>> g = np.full((21, 21), 180, np.uint8); g[:, 11:] = 40
    >>> out = xdog(g, 1.0)
    >>> float(out[10, 2]), bool(out[10, 11] < 128)
    (255.0, True)
    """
    g = gray.astype(np.float32) * np.float32(1.0 / 255.0)
    fine = cv2.GaussianBlur(g, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    coarse = cv2.GaussianBlur(g, (0, 0), sigma * k, borderType=cv2.BORDER_REPLICATE)
    diff = fine - np.float32(tau) * coarse - np.float32(epsilon)
    out = np.where(diff >= 0, np.float32(1.0), np.float32(1.0) + np.tanh(np.float32(phi) * diff))
    return np.clip(out * np.float32(255.0), 0.0, 255.0)
