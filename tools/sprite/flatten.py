"""Flat colours from noisy "AI" cells: the shades that per-cell noise makes of one colour, merged back.

Generated pixel art often has cells that are not flat — per-pixel noise plus a slight brightness shift
per cell. The median of a cell's centre removes the first; the second survives as mottling (a flat area
comes back in a dozen near-identical shades, which a pixel artist sees at once). When the cells'
insides are measurably noisy, shades closer than the noise can explain are one colour: each is replaced
by the mean of its group. Clean art (flat cells) is left exactly as sampled.
"""

from __future__ import annotations

import numpy as np

from .grid import centres

MIN_NOISE = 3.0  # gray levels of within-cell noise below which cells count as flat
MERGE = 2.0  # shades within this many noise levels of a group's seed join it (at most MAX_MERGE)
MAX_MERGE = 18.0


def cell_noise(img: np.ndarray, xlines: np.ndarray, ylines: np.ndarray, samples: int = 3) -> float:
    """Robust within-cell noise in gray levels: the median absolute deviation of the central pixels of each
    cell from that cell's median, over all cells and channels (times 1.4826).

    >>> flat = np.repeat(np.repeat(np.arange(16, dtype=np.uint8).reshape(4, 4, 1) * 10, 6, 0), 6, 1)
    >>> cell_noise(np.dstack([flat] * 3), np.arange(5) * 6, np.arange(5) * 6)
    0.0
    """
    xs, ys = centres(xlines, samples), centres(ylines, samples)
    patch = img[ys.ravel()][:, xs.ravel(), :3].astype(np.float32)
    rows, cols = ys.shape[0], xs.shape[0]
    patch = patch.reshape(rows, ys.shape[1], cols, xs.shape[1], -1).transpose(0, 2, 1, 3, 4)
    patch = patch.reshape(rows, cols, -1, patch.shape[-1])
    dev = np.abs(patch - np.median(patch, axis=2, keepdims=True))
    return float(1.4826 * np.median(dev))


def _group_once(shades: np.ndarray, counts: np.ndarray, radius: float) -> np.ndarray:
    """Group index per shade: the most common ungrouped shade seeds a group of every ungrouped shade within
    ``radius`` (max over channels) of it, and so on."""
    group = np.full(len(shades), -1)
    for seed in np.argsort(-counts, kind="stable"):
        if group[seed] < 0:
            group[(group < 0) & (np.abs(shades - shades[seed]).max(axis=1) <= radius)] = seed
    return np.unique(group, return_inverse=True)[1].ravel()


def merge_shades(sprite: np.ndarray, noise: float, rounds: int = 4) -> np.ndarray:
    """Replace shades within ``MERGE * noise`` (at most ``MAX_MERGE``) of a more common shade by the
    count-weighted mean of their group; groups are seeded by the most common shades first, and groups whose
    means then lie within that distance merge in turn (a few rounds), so one colour's spread of shades
    ends as one group. Alpha stays.

    >>> s = np.array([[[100, 100, 100], [104, 104, 104]], [[98, 98, 98], [200, 10, 10]]], np.uint8)
    >>> merge_shades(s, 4.0)[..., 0].tolist()
    [[101, 101], [101, 200]]
    """
    if noise < MIN_NOISE:
        return sprite
    radius = min(MERGE * noise, MAX_MERGE)
    rgb = sprite[..., :3].reshape(-1, 3).astype(np.float64)
    shades, inverse, counts = np.unique(rgb, axis=0, return_inverse=True, return_counts=True)
    owner = np.arange(len(shades))  # shade -> current group
    means, weights = shades, counts.astype(np.float64)
    for _ in range(rounds):
        group = _group_once(means, weights, radius)
        if group.max() + 1 == len(means):
            break
        sums = np.zeros((group.max() + 1, 3))
        np.add.at(sums, group, means * weights[:, None])
        weights = np.bincount(group, weights=weights)
        means, owner = sums / weights[:, None], group[owner]
    out = sprite.copy()
    out[..., :3] = np.round(means[owner][inverse.ravel()]).reshape(sprite.shape[:2] + (3,)).astype(np.uint8)
    return out
