"""How well the sprite explains the input: difference numbers and the images that show where it doesn't."""

from __future__ import annotations

import numpy as np

DIFF_TOLERANCE = 32  # gray levels: JPEG and mild blur stay under this, a wrong colour does not


def pixel_difference(recon: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Largest absolute channel difference per pixel (uint8-range float32)."""
    import cv2

    d = cv2.absdiff(np.ascontiguousarray(recon), np.ascontiguousarray(original))
    out = d[..., 0]
    for c in range(1, d.shape[2]):  # channel by channel: a reduce over a 3-wide last axis is slow in numpy
        out = np.maximum(out, d[..., c])
    return out.astype(np.float32)


def diff_metrics(diff: np.ndarray, tolerance: float = DIFF_TOLERANCE) -> dict[str, float]:
    return {"diff_percent": round(100.0 * float((diff > tolerance).mean()), 4),
            "mean_abs_diff": round(float(diff.mean()), 4)}


def diff_overlay(original: np.ndarray, diff: np.ndarray, tolerance: float = DIFF_TOLERANCE) -> np.ndarray:
    """The input, dimmed to gray, with every pixel off by more than ``tolerance`` painted red."""
    gray = original[..., :3].astype(np.float32).mean(axis=2)
    base = (128 + gray / 2).astype(np.uint8)
    out = np.stack([base, base, base], axis=2)
    out[diff > tolerance] = (230, 20, 20)
    return out


def cell_heatmap(diff: np.ndarray, xlines: np.ndarray, ylines: np.ndarray) -> np.ndarray:
    """Mean difference per cell, as an RGB heat map of sprite size (black = agrees, yellow = disagrees)."""
    rows, cols = len(ylines) - 1, len(xlines) - 1
    inner = diff[ylines[0]: ylines[-1], xlines[0]: xlines[-1]]
    r = np.searchsorted(ylines, np.arange(ylines[0], ylines[-1]), side="right") - 1
    c = np.searchsorted(xlines, np.arange(xlines[0], xlines[-1]), side="right") - 1
    sums = np.zeros((rows, cols), np.float64)
    np.add.at(sums, (r[:, None], c[None, :]), inner)
    area = np.outer(np.diff(ylines), np.diff(xlines))
    heat = np.clip(sums / np.maximum(area, 1) / 128.0, 0, 1)
    red = np.clip(heat * 2, 0, 1)
    green = np.clip(heat * 2 - 1, 0, 1)
    return (np.stack([red, green, np.zeros_like(heat)], axis=2) * 255).astype(np.uint8)
