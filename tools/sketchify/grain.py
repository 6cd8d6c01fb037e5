"""Graphite grain: seeded noise inside strokes only, denser where the stroke is darker; paper untouched."""

from __future__ import annotations

import math

import cv2
import numpy as np

NOISE_GAIN = 5.5  # uniform noise in [-0.5, 0.5), lightly blurred, has about unit spread after this gain


def _spread(sigma: float) -> float:
    """Standard-deviation factor of a Gaussian blur of white noise (sqrt of the kernel's sum of squares)."""
    k = cv2.getGaussianKernel(3 if sigma <= 0.6 else 2 * int(math.ceil(3 * sigma)) + 1, sigma)
    return float((k * k).sum())


def graphite_grain(tone: np.ndarray, seed: int, strength: float = 0.25, paper: float = 255.0,
                   scale: float = 0.6) -> np.ndarray:
    """Add paper-tooth texture to stroke pixels (``tone < paper``) and return uint8.

    The noise is slightly smoothed (graphite catches on the paper's tooth, not on single pixels; ``scale`` is
    the tooth's size in px, larger for charcoal) and its
    amplitude is ``1.1 * strength * darkness * (1 - 0.9 darkness)``, so light hatching gets a little texture,
    mid tones the most, and the deepest darks, where the paper's tooth is filled, little (strong noise there
    reads as white salt in the black). Paper pixels come back exactly 255, stroke pixels never lighter than
    254; the same ``seed`` gives the same pixels.

    Examples
    --------
    >>> tone = np.full((8, 8), 255.0, np.float32); tone[2:6, 2:6] = 120
    >>> out = graphite_grain(tone, seed=1, strength=0.5)
    >>> bool((out[0] == 255).all()), bool(out[2:6, 2:6].std() > 0)
    (True, True)
    """
    tone = tone.astype(np.float32, copy=False)
    stroke = tone < paper
    if strength <= 0 or not stroke.any():
        out = np.where(stroke, np.minimum(tone, np.float32(254.0)), np.float32(255.0))
        return (out + np.float32(0.5)).astype(np.uint8)
    rng = np.random.default_rng(seed)
    noise = rng.random(tone.shape, dtype=np.float32)
    noise -= np.float32(0.5)
    if scale <= 0.6:
        noise = cv2.GaussianBlur(noise, (3, 3), 0.6)
    else:  # a coarser tooth (charcoal), with the same spread as the fine one
        noise = cv2.GaussianBlur(noise, (0, 0), scale)
        noise *= np.float32(_spread(0.6) / _spread(scale))
    darkness = (np.float32(255.0) - tone) * np.float32(1.0 / 255.0)
    amplitude = darkness * (np.float32(1.0) - np.float32(0.9) * darkness)
    amplitude *= np.float32(1.1 * strength * 255.0 * NOISE_GAIN)
    out = tone + amplitude * noise
    np.clip(out, 0.0, 254.0, out=out)
    out[~stroke] = 255.0
    return (out + np.float32(0.5)).astype(np.uint8)
