"""Which way the strokes run: the edge tangent of the photo, from its smoothed structure tensor.

Strokes follow the form the way an illustrator's do: along the isophotes (perpendicular to the luminance
gradient). The structure tensor is smoothed widely so that the direction of an outline carries into the flat
region it encloses; where there is no structure at all a weak bias gives the classic diagonal hatch.
Angles are in radians in image coordinates (x right, y down), modulo pi.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

DEFAULT_ANGLE = -math.pi / 4  # lower-left to upper-right, the right-handed artist's hatch
OCTAVE_DECAY = 0.3  # each wider octave counts this much less: an outline steers the strokes near it, while
# a wide open region (a night sky between two thin towers) keeps the default hatch instead of the towers'
# direction, which would read as falling rain


def structure_tensor(gray: np.ndarray, rho: float, octaves: int = 1, step: float = 3.0,
                     decay: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian-smoothed structure tensor components ``(Jxx, Jxy, Jyy)`` of a grayscale image, float32.

    With ``octaves`` > 1 the tensors smoothed at ``rho``, ``step * rho``, ``step**2 * rho`` ... are added,
    octave ``k`` weighted by ``decay**k``: near an edge the fine one dominates, and inside a flat region
    the wide ones still carry the direction of the outline around it.

    Examples
    --------
    >>> g = np.tile(np.arange(32, dtype=np.uint8) * 8, (32, 1))
    >>> jxx, jxy, jyy = structure_tensor(g, 2.0)
    >>> bool(jxx[16, 16] > 100 * abs(jyy[16, 16]))
    True
    """
    g = gray.astype(np.float32) * np.float32(1.0 / 255.0)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    products = (gx * gx, gx * gy, gy * gy)
    total = [np.zeros_like(g) for _ in products]
    h, w = g.shape
    for octave in range(octaves):
        factor = step**octave  # a wide blur is a narrow one on a smaller copy
        size = (max(1, round(w / factor)), max(1, round(h / factor)))
        for acc, product in zip(total, products, strict=True):
            small = product if octave == 0 else cv2.resize(product, size, interpolation=cv2.INTER_AREA)
            small = cv2.GaussianBlur(small, (0, 0), rho, borderType=cv2.BORDER_REFLECT)
            if octave > 0:
                small = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR) * np.float32(decay**octave)
            acc += small
    return total[0], total[1], total[2]


def tangent_field(gray: np.ndarray, rho: float, bias: float = 0.02, default: float = DEFAULT_ANGLE,
                  octaves: int = 3, decay: float = OCTAVE_DECAY) -> tuple[np.ndarray, np.ndarray]:
    """Stroke direction as the doubled-angle unit vector ``(cos 2a, sin 2a)`` of the edge tangent ``a``.

    The doubled angle makes directions that differ by pi the same vector, so it can be resized and blended.
    ``bias`` (relative to the image's mean tensor strength) adds the tensor of ``default`` everywhere: it
    decides only where the photo has no structure, even at the widest of the ``octaves`` scales.

    Examples
    --------
    >>> g = np.tile(np.arange(32, dtype=np.uint8) * 8, (32, 1))  # a horizontal ramp: isophotes are vertical
    >>> c, s = tangent_field(g, 2.0)
    >>> round(float(c[16, 16]), 3)  # cos(2 * 90 degrees)
    -1.0
    """
    jxx, jxy, jyy = structure_tensor(gray, rho, octaves, decay=decay)
    strength = float(np.mean(jxx + jyy)) * bias + 1e-12
    # a tangent at angle a has a gradient normal n = (-sin a, cos a); its tensor is n n^T
    nx, ny = -math.sin(default), math.cos(default)
    jxx = jxx + np.float32(strength * nx * nx)
    jxy = jxy + np.float32(strength * nx * ny)
    jyy = jyy + np.float32(strength * ny * ny)
    # the gradient's doubled angle is (Jxx - Jyy, 2 Jxy); the tangent's is its opposite
    c, s = jyy - jxx, -2.0 * jxy
    norm = np.sqrt(c * c + s * s) + np.float32(1e-12)
    return (c / norm).astype(np.float32), (s / norm).astype(np.float32)


def angle_bins(cos2: np.ndarray, sin2: np.ndarray, bins: int) -> np.ndarray:
    """Quantise a doubled-angle field into ``bins`` stroke directions ``k * pi / bins``; uint8 indices.

    Examples
    --------
    >>> int(angle_bins(np.array([-1.0]), np.array([0.0]), 12)[0])  # 90 degrees
    6
    """
    angle = np.arctan2(sin2, cos2) * np.float32(0.5)  # (-pi/2, pi/2]
    index = np.rint(angle * np.float32(bins / math.pi)).astype(np.int16) % bins
    return index.astype(np.uint8)
