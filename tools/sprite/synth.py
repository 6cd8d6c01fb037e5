"""Sprite synthesis: one colour per cell, optional palette snapping, and the nearest-neighbour way back."""

from __future__ import annotations

import numpy as np

from .grid import centres


def cell_colours(img: np.ndarray, xlines: np.ndarray, ylines: np.ndarray, max_samples: int = 7,
                 margin: float = 0.25) -> np.ndarray:
    """Per-cell dominant colour: the per-channel median of samples from the cell's central half (``margin``
    of its width off each side; 0 reads the whole cell).

    Sampling away from the cell's edges ignores blur and JPEG ringing at boundaries; the median ignores
    noise and stray pixels inside. Every pixel of the central half is a sample, up to ``max_samples`` per
    axis: on noisy "AI" cells of 5-6 px a 2 x 2 median still wanders by a third of the noise, 3 x 3 does
    not. The count per axis is odd (rounded down), so that a clean cell's median is one of its own colours,
    never the average of two, and a 3-4 px cell is read at its centre pixel. Returns uint8 (rows, cols, channels).
    """
    def samples(lines: np.ndarray) -> int:
        width = float(np.median(np.diff(lines))) if lines.size > 1 else 1.0
        n = min(max(int(np.ceil(width * (1 - 2 * margin))), 1), max_samples)
        return n if n % 2 else n - 1

    xs = centres(xlines, samples(xlines), margin)  # (cols, sx)
    ys = centres(ylines, samples(ylines), margin)  # (rows, sy)
    rows, cols, sy, sx = ys.shape[0], xs.shape[0], ys.shape[1], xs.shape[1]
    picked = img[ys.ravel()][:, xs.ravel()]  # rows then columns: two cheap gathers, not one 4-D one
    patch = picked.reshape(rows, sy, cols, sx, -1).transpose(0, 2, 1, 3, 4).reshape(rows, cols, sy * sx, -1)
    middle = patch.shape[2] // 2  # an odd count: the median is the middle sample
    return np.partition(patch, middle, axis=2)[:, :, middle]


def own_colours(img: np.ndarray, xlines: np.ndarray, ylines: np.ndarray, centre: np.ndarray, radius: float,
                max_samples: int = 7) -> np.ndarray:
    """Per-cell colour from every pixel of the cell that is the cell's own: within ``radius`` (max over RGB)
    of its centre read ``centre``; the median of those.

    On noisy cells of 3-4 px the central half is one pixel, which keeps all of the noise; the whole cell
    votes it out, but at its edges JPEG ringing and row jitter bring in the neighbours' colours, which are
    far from the centre and so are left out.
    """
    def samples(lines: np.ndarray) -> int:
        width = float(np.median(np.diff(lines))) if lines.size > 1 else 1.0
        n = int(np.clip(np.ceil(width), 1, max_samples))
        return n if n % 2 else n - 1

    xs, ys = centres(xlines, samples(xlines), 0.0), centres(ylines, samples(ylines), 0.0)
    rows, cols, sy, sx = ys.shape[0], xs.shape[0], ys.shape[1], xs.shape[1]
    patch = img[ys.ravel()][:, xs.ravel()].astype(np.float32)
    patch = patch.reshape(rows, sy, cols, sx, -1).transpose(0, 2, 1, 3, 4).reshape(rows, cols, sy * sx, -1)
    dist = np.abs(patch[..., :3] - centre[:, :, None, :3].astype(np.float32)).max(axis=3)
    near = (dist <= radius) | (dist == dist.min(axis=2, keepdims=True))  # the closest pixel always counts
    own = np.nanmedian(np.where(near[..., None], patch, np.nan), axis=2)
    return np.clip(np.round(own), 0, 255).astype(np.uint8)


def snap_alpha(sprite: np.ndarray, threshold: int = 128) -> np.ndarray:
    """Pixel art has binary transparency: alpha becomes 0 or 255, and fully transparent RGB is zeroed."""
    out = sprite.copy()
    opaque = out[..., 3] >= threshold
    out[..., 3] = np.where(opaque, 255, 0)
    out[~opaque, :3] = 0
    return out


def snap_palette(sprite: np.ndarray, palette_size: int | None = None,
                 palette: np.ndarray | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Map every colour to the nearest of ``palette`` (given) or of a k-means palette of ``palette_size``."""
    import cv2

    rgb = sprite[..., :3].reshape(-1, 3).astype(np.float32)
    if palette is None:
        k = int(min(palette_size or 16, len(np.unique(rgb, axis=0))))
        cv2.setRNGSeed(seed)
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.5)
        _, _, centers = cv2.kmeans(rgb, k, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
        palette = np.clip(np.round(centers), 0, 255).astype(np.uint8)
    pal = np.asarray(palette, dtype=np.float32).reshape(-1, 3)
    nearest = np.argmin(((rgb[:, None, :] - pal[None, :, :]) ** 2).sum(axis=2), axis=1)
    out = sprite.copy()
    out[..., :3] = pal[nearest].reshape(sprite.shape[:2] + (3,)).astype(np.uint8)
    return out, pal.astype(np.uint8)


def upscale_on_grid(sprite: np.ndarray, xlines: np.ndarray, ylines: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Paint each cell's colour over its cell of an image of ``shape``; outside the grid stays as the border
    cell's colour (edge replicate), so the comparison with the input covers every pixel."""
    h, w = shape
    col = np.clip(np.searchsorted(xlines, np.arange(w), side="right") - 1, 0, sprite.shape[1] - 1)
    row = np.clip(np.searchsorted(ylines, np.arange(h), side="right") - 1, 0, sprite.shape[0] - 1)
    return sprite[row][:, col]  # rows then columns: two gathers, several times cheaper than one 2-D one
