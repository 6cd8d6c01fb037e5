"""Known-answer sprite art and scores shared by the sprite tests."""

from __future__ import annotations

import numpy as np


def simple_art(seed: int, size: int = 16) -> np.ndarray:
    """Blocky RGB art: 2x2 patches of a 5-colour palette with a dark speckle."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(20, 240, (5, 3))
    idx = np.repeat(np.repeat(rng.integers(0, 5, (size // 2, size // 2)), 2, 0), 2, 1)
    rgb = palette[idx].astype(np.uint8)
    rgb[rng.random((size, size)) < 0.15] = (15, 15, 25)
    return rgb


def cells_right(sprite: np.ndarray, truth: np.ndarray) -> float:
    """Share of cells within 24 levels of the truth on every channel (0 when the shapes differ)."""
    if sprite.shape[:2] != truth.shape[:2]:
        return 0.0
    return float((np.abs(sprite[..., :3].astype(int) - truth[..., :3].astype(int)).max(axis=2) <= 24).mean())


def circular(a: float, b: float, period: float) -> float:
    """Distance between two grid phases, modulo the period."""
    d = abs(a - b) % period
    return min(d, period - d)
