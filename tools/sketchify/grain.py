"""Graphite grain: seeded noise inside strokes only, denser where the stroke is darker; paper untouched."""

from __future__ import annotations

import cv2
import numpy as np


def graphite_grain(tone: np.ndarray, seed: int, strength: float = 0.25, paper: float = 255.0) -> np.ndarray:
    """Add paper-tooth texture to stroke pixels (``tone < paper``) and return uint8.

    The noise is slightly smoothed (graphite catches on the paper's tooth, not on single pixels) and its
    amplitude is ``strength * darkness``, so light hatching gets a little texture and dark strokes more.
    Paper pixels come back exactly 255; the same ``seed`` gives the same pixels.
    """
    tone = tone.astype(np.float32, copy=False)
    stroke = tone < paper
    out = np.where(stroke, tone, np.float32(255.0))
    if strength > 0 and stroke.any():
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal(tone.shape, dtype=np.float32)
        noise = cv2.GaussianBlur(noise, (3, 3), 0.6) * np.float32(1.6)
        darkness = (np.float32(255.0) - tone) * np.float32(1.0 / 255.0)
        amplitude = np.float32(strength * 255.0) * darkness * (np.float32(1.0) - np.float32(0.6) * darkness)
        out = np.where(stroke, out + amplitude * noise, out)
        # grain may lighten a stroke pixel, but never all the way into paper
        out = np.where(stroke, np.minimum(out, np.float32(254.0)), out)
    return np.clip(out + np.float32(0.5), 0, 255).astype(np.uint8)
