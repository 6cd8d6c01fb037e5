"""A plain re-implementation of Lu, Xu and Jia, "Combining Sketch and Tone for Pencil Drawing Production"
(NPAR 2012), kept as a benchmark peer for Sketchify — not product code.

Stroke layer: gradient magnitude classified into eight directions by line-segment responses, each class
convolved back with its segment. Tone layer: the luminance histogram-matched to the paper's three-part
pencil-tone distribution, rendered as a pencil texture raised to a per-pixel exponent (the paper solves for
that exponent with a smoothness prior; here it is the pointwise solution, smoothed). Result = stroke * tone.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

DIRECTIONS = 8
WEIGHTS = (52.0, 37.0, 11.0)  # bright, mid, dark (the paper's values for its first group)


def line_kernels(size: int, width: int = 1) -> list[np.ndarray]:
    """``DIRECTIONS`` line-segment kernels of odd ``size``, one per direction in [0, pi)."""
    kernels = []
    for i in range(DIRECTIONS):
        k = np.zeros((size, size), np.float32)
        angle = i * math.pi / DIRECTIONS
        c, r = size // 2, size / 2.0
        p0 = (round(c - r * math.cos(angle)), round(c - r * math.sin(angle)))
        p1 = (round(c + r * math.cos(angle)), round(c + r * math.sin(angle)))
        cv2.line(k, p0, p1, 1.0, width)
        kernels.append(k / k.sum())
    return kernels


def stroke_layer(gray: np.ndarray, size: int) -> np.ndarray:
    """The paper's stroke map S in [0, 1] (1 = paper)."""
    g = gray.astype(np.float32) / 255.0
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.sqrt(gx * gx + gy * gy)
    kernels = line_kernels(size)
    responses = np.stack([cv2.filter2D(mag, -1, k) for k in kernels])
    best = responses.argmax(axis=0)
    strokes = np.zeros_like(mag)
    for i, k in enumerate(kernels):
        strokes += cv2.filter2D(np.where(best == i, mag, 0).astype(np.float32), -1, k)
    strokes /= max(float(strokes.max()), 1e-6)
    return 1.0 - strokes


def target_histogram() -> np.ndarray:
    """The paper's pencil-tone distribution over 256 levels (Laplacian bright, uniform mid, Gaussian dark)."""
    v = np.arange(256, dtype=np.float64)
    bright = np.exp(-(255 - v) / 9.0) / 9.0
    mid = ((v >= 105) & (v <= 225)) / (225 - 105)
    dark = np.exp(-((v - 90) ** 2) / (2 * 11.0**2)) / math.sqrt(2 * math.pi * 11.0**2)
    hist = WEIGHTS[0] * bright + WEIGHTS[1] * mid + WEIGHTS[2] * dark
    return hist / hist.sum()


def match_histogram(gray: np.ndarray) -> np.ndarray:
    """Histogram matching of the (smoothed) luminance to ``target_histogram``; float32 tone in (0, 1]."""
    counts = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    src = np.cumsum(counts) / counts.sum()
    dst = np.cumsum(target_histogram())
    lut = np.interp(src, dst, np.arange(256)).astype(np.float32)
    return np.maximum(cv2.LUT(gray, lut) / 255.0, 1e-3)


def pencil_texture(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A synthetic pencil texture (motion-blurred noise at 45 degrees), values in (0, 1)."""
    rng = np.random.default_rng(seed)
    noise = (rng.random(shape) > 0.6).astype(np.float32)
    size = 15
    kernel = np.eye(size, dtype=np.float32)[::-1] / size
    tex = 1.0 - 0.55 * cv2.filter2D(noise, -1, kernel)
    return np.clip(tex, 0.05, 0.99)


def lu2012(rgb: np.ndarray) -> np.ndarray:
    """Pencil drawing of an RGB uint8 image after Lu et al. 2012; uint8 grayscale."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    size = max(5, min(gray.shape) // 40 | 1)
    strokes = stroke_layer(gray, size)
    tone = match_histogram(cv2.GaussianBlur(gray, (0, 0), 1.5))
    texture = pencil_texture(gray.shape)
    beta = np.log(tone) / np.log(texture)
    beta = cv2.GaussianBlur(beta.astype(np.float32), (0, 0), 2.0)
    out = strokes * np.power(texture, beta)
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
