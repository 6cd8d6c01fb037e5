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
MAX_MERGE = 12.0
SPREAD = 1.5  # merged groups keep every shade within this many radii of their colour


def cell_noise(img: np.ndarray, xlines: np.ndarray, ylines: np.ndarray, samples: int = 3) -> float:
    """Robust within-cell noise in gray levels: the median absolute deviation of the central pixels of each
    cell from that cell's median, over all cells and channels (times 1.4826) whose median is not clipped
    at 0 or 255 (noise on white or black is cut off at the limit, so those cells look flat).

    >>> flat = np.repeat(np.repeat(np.arange(16, dtype=np.uint8).reshape(4, 4, 1) * 10, 6, 0), 6, 1)
    >>> cell_noise(np.dstack([flat] * 3), np.arange(5) * 6, np.arange(5) * 6)
    0.0
    """
    xs, ys = centres(xlines, samples), centres(ylines, samples)
    patch = img[ys.ravel()][:, xs.ravel(), :3].astype(np.float32)
    rows, cols = ys.shape[0], xs.shape[0]
    patch = patch.reshape(rows, ys.shape[1], cols, xs.shape[1], -1).transpose(0, 2, 1, 3, 4)
    patch = patch.reshape(rows, cols, -1, patch.shape[-1])
    centre = np.median(patch, axis=2, keepdims=True)
    dev = np.abs(patch - centre)
    unclipped = np.broadcast_to((centre > 2) & (centre < 253), dev.shape)
    if unclipped.any():  # black and white clip the noise away: such channels would vote for "flat"
        dev = dev[unclipped]
    return float(1.4826 * np.median(dev))


def _group_once(shades: np.ndarray, counts: np.ndarray, radius: float) -> np.ndarray:
    """Group index per shade: the most common ungrouped shade seeds a group of every ungrouped shade within
    ``radius`` (max over channels) of it, and so on."""
    group = np.full(len(shades), -1)
    for seed in np.argsort(-counts, kind="stable"):
        if group[seed] < 0:
            group[(group < 0) & (np.abs(shades - shades[seed]).max(axis=1) <= radius)] = seed
    return np.unique(group, return_inverse=True)[1].ravel()


def _keep_tight(group: np.ndarray, owner: np.ndarray, shades: np.ndarray, counts: np.ndarray,
                radius: float) -> np.ndarray:
    """Undo the merges (of earlier groups into ``group``) whose shades would end farther than ``SPREAD``
    radii from their merged colour: merging groups must not chain two real colours into one."""
    out = group.copy()
    fresh = group.max() + 1
    for g in np.unique(group):
        olds = np.flatnonzero(group == g)
        if olds.size < 2:
            continue
        members = np.isin(owner, olds)
        mean = (shades[members] * counts[members, None]).sum(axis=0) / counts[members].sum()
        if np.abs(shades[members] - mean).max() > SPREAD * radius:
            out[olds[1:]] = fresh + np.arange(olds.size - 1)
            fresh += olds.size - 1
    return np.unique(out, return_inverse=True)[1].ravel()


def merge_shades(sprite: np.ndarray, noise: float, rounds: int = 4) -> np.ndarray:
    """Replace shades within ``MERGE * noise`` (at most ``MAX_MERGE``) of a more common shade by the
    count-weighted mean of their group; groups are seeded by the most common shades first, and groups whose
    means then lie within that distance merge in turn (a few rounds) as long as every shade stays within
    that distance of the merged colour, so one colour's spread of shades ends as one group and two real
    colours do not chain into one. Alpha stays.

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
        group = _keep_tight(_group_once(means, weights, radius), owner, shades, counts, radius)
        if group.max() + 1 == len(means):
            break
        sums = np.zeros((group.max() + 1, 3))
        np.add.at(sums, group, means * weights[:, None])
        weights = np.bincount(group, weights=weights)
        means, owner = sums / weights[:, None], group[owner]
    out = sprite.copy()
    out[..., :3] = np.round(means[owner][inverse.ravel()]).reshape(sprite.shape[:2] + (3,)).astype(np.uint8)
    return out
