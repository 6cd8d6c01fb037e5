"""Pixel art: the image on a coarse grid of square cells, each cell one colour from a small palette.

The palette is the image's own ``palette_size`` dominant colours (k-means on the cell colours), or the
reference's when ``use_reference`` is set; optional ordered dithering and mosaic grout between cells.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import from_lab, gradient_map, luminance, saturate, to_float, to_lab

BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) / 16 - 0.47


def cell_colours(rgb: np.ndarray, cell: int) -> np.ndarray:
    """Mean colour of every ``cell`` x ``cell`` block (edge blocks averaged over what they cover)."""
    h, w = rgb.shape[:2]
    gh, gw = -(-h // cell), -(-w // cell)
    pad = np.pad(to_float(rgb), ((0, gh * cell - h), (0, gw * cell - w), (0, 0)), mode="edge")
    return pad.reshape(gh, cell, gw, cell, 3).mean(axis=(1, 3)).astype(np.float32)


def cell_darkest(lum: np.ndarray, cell: int) -> np.ndarray:
    """Darkest luma of every ``cell`` x ``cell`` block."""
    h, w = lum.shape
    gh, gw = -(-h // cell), -(-w // cell)
    pad = np.pad(lum, ((0, gh * cell - h), (0, gw * cell - w)), mode="edge")
    return pad.reshape(gh, cell, gw, cell).min(axis=(1, 3))


def quantise(cells: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means the cell colours (in Lab) into at most ``k`` colours; returns (labels, palette RGB)."""
    lab = to_lab(cells).reshape(-1, 3)
    unique = np.unique(lab.round(3), axis=0)
    k = int(max(1, min(k, len(unique))))
    if k == len(unique):
        centres = unique
        labels = np.argmin(((lab[:, None] - centres[None]) ** 2).sum(-1), 1)
    else:
        cv2.setRNGSeed(int(seed) % 2**31)
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.1)
        _, labels, centres = cv2.kmeans(lab.astype(np.float32), k, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
        labels = labels.ravel()
    return labels.reshape(cells.shape[:2]), from_lab(centres[None].astype(np.float32))[0]


def exact_colours(cells: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Snap each palette entry to the mean of the cell colours it stands for (no Lab round trip drift)."""
    out = centres.copy()
    for i in range(len(centres)):
        members = cells[labels == i]
        if len(members):
            out[i] = members.mean(0)
    return out


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, cell: int = 8,
           palette_size: int = 16, use_reference: bool = False, dither: float = 0.0,
           grout: float = 0.0, saturation: float = 1.0) -> np.ndarray:
    """Pixelate ``rgb`` (uint8) into ``cell``-px squares of at most ``palette_size`` colours.

    Parameters
    ----------
    cell : cell size in px (at 512 px; at least 2).
    palette_size : number of colours (2..256).
    use_reference : draw the colours from the reference palette instead of the image.
    dither : strength of 4x4 ordered dithering before quantising.
    grout : darkness of the gaps between cells (mosaic tiles).
    saturation : chroma boost of the cells before quantising (game palettes are vivid).

    Examples
    --------
    >>> board = np.kron((np.indices((4, 4)).sum(0) % 2) * 255, np.ones((8, 8))).astype(np.uint8)
    >>> out = render(np.dstack([board] * 3), np.zeros((2, 3), np.float32), cell=8)
    >>> sorted(np.unique(out.reshape(-1, 3), axis=0)[:, 0].tolist())
    [0, 255]
    """
    h, w = rgb.shape[:2]
    size = max(2, int(round(cell * max(1.0, max(h, w) / 512) * (0.5 if line_art else 1.0))))
    cells = cell_colours(rgb, size)
    if saturation != 1.0:
        cells = saturate(cells, saturation)
    if line_art:  # a drawing's grey cells on the palette's own ramp: ink, shade and paper colours
        ramp = np.stack([palette[0], palette[min(1, len(palette) - 1)], palette[-1]])
        # a cell crossed by a stroke leans to the stroke; the levels split at the drawing's own tone quantiles
        tone = 0.7 * luminance(cells) + 0.3 * cell_darkest(luminance(to_float(rgb)), size)
        cells = gradient_map(np.digitize(tone, np.percentile(tone, [12, 40])) / 2.0, ramp)
    if dither > 0:
        gh, gw = cells.shape[:2]
        cells = np.clip(cells + dither * 0.25 * np.tile(BAYER4, (-(-gh // 4), -(-gw // 4)))[:gh, :gw, None], 0, 1)
    if use_reference:
        pal = palette[:palette_size]
        labels = np.argmin(((to_lab(cells)[:, :, None] - to_lab(pal[None])[0][None, None]) ** 2).sum(-1), -1)
    else:
        labels, pal = quantise(cells, palette_size, seed)
        pal = exact_colours(cells, labels, pal)
    colours = np.clip(pal * 255 + 0.5, 0, 255).astype(np.uint8)
    grid = colours[labels]
    out = np.repeat(np.repeat(grid, size, 0), size, 1)[:h, :w]
    if grout > 0 and size >= 4:
        line = np.zeros(size, bool)
        line[0] = True
        gy = np.tile(line, -(-h // size))[:h]
        gx = np.tile(line, -(-w // size))[:w]
        mask = gy[:, None] | gx[None, :]
        out = out.copy()
        out[mask] = (out[mask] * (1 - grout)).astype(np.uint8)
    return np.ascontiguousarray(out)
