"""Synthetic upscaled and "AI-made" pixel art with a known grid: the eval's cases and the ranker's training data.

A case is a sprite (RGBA uint8) painted on cell boundaries in output pixels, cropped, then corrupted. The
truth is the cell per axis (the upscale factor: boundaries are painted at ``ceil(k * scale)``, so the last
edge over the cell count would overstate it by up to a pixel over the sprite; on uneven grids the mean
width), the first whole cell's leading edge per axis and the sprite cells that are at least half visible
(half of their own integer width), with the cut border cells' visible pixels and widths
(``border_x``/``border_y``), so that an eval can tell which border decisions the image leaves open.
Kinds:

``clean`` · ``blur`` (Gaussian) · ``jpeg`` (q40-95) · ``noise`` (per-pixel Gaussian) · ``tint`` (a global
colour shift, the truth shifts with it) · ``uneven`` (per-cell width jitter, boundaries drift) ·
``row_jitter`` (each sprite row's column boundaries and each sprite column's row boundaries move by up to
~15 % of a cell, so lines are not straight; the image only shows where boundaries are on average, so the
truth also records that mean shift, ``jitter_x``/``jitter_y``: with 16 columns of ±4 px it is ±0.65 px) ·
``non_square`` (cell_y / cell_x in 1.15-1.6 or its inverse) ·
``smear`` (anti-aliased / smeared edges: a box filter 2-3 px wide along one or both axes) ·
``colour_noise`` (cells are not flat: per-cell shading plus per-pixel noise) · ``partial_border`` (a
partial cell, 15-40 % or 60-85 % visible, at every border) · ``small_scale`` (1.5-3x) · ``ai_mix`` (row
jitter, mild smear, colour noise and JPEG together).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

KINDS = ("clean", "blur", "jpeg", "noise", "tint", "uneven", "row_jitter", "non_square", "smear",
         "colour_noise", "partial_border", "small_scale", "ai_mix")
MAX_SIDE = 1024


@dataclass(frozen=True)
class Truth:
    corruption: str
    cell_x: float
    cell_y: float
    offset_x: float
    offset_y: float
    sprite_w: int
    sprite_h: int
    integer: bool
    jitter_x: float = 0.0  # mean shift of the visible column boundaries under row jitter, in pixels
    jitter_y: float = 0.0  # the same for row boundaries
    border_x: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))  # (visible px, width) of the cut
    border_y: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))  # cells at both ends; (0, 0) = none
    shown_x: float | None = None  # the first whole cell's edge as the image shows it (``shown_offset``)
    shown_y: float | None = None


def blob_sprite(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random symmetric creature-like RGBA sprite with a 3-5 colour palette and a dark outline."""
    import cv2

    palette = rng.integers(30, 250, (int(rng.integers(3, 6)), 3))
    half = (rng.random((size, (size + 1) // 2)) < 0.5).astype(np.uint8)
    half = cv2.morphologyEx(half, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))
    mask = np.concatenate([half, half[:, ::-1][:, size % 2:]], axis=1)[:, :size]
    rgb = palette[rng.integers(0, len(palette), (size, size))].astype(np.uint8)
    outline = cv2.dilate(mask, np.ones((3, 3), np.uint8)) & (1 - mask)
    rgb[outline.astype(bool)] = (20, 20, 30)
    return np.dstack([rgb, ((mask | outline) * 255).astype(np.uint8)])


def on_background(sprite: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """RGB sprite with its transparent pixels painted ``colour``."""
    rgb = sprite[..., :3].copy()
    if sprite.shape[2] == 4:
        rgb[sprite[..., 3] < 128] = colour
    return rgb


def cell_edges(n: int, scale: float, uneven: float, rng: np.random.Generator) -> np.ndarray:
    """``n + 1`` cell boundaries in output pixels: ``ceil(k * scale)``, or jittered widths when ``uneven``."""
    if uneven <= 0:
        return np.ceil(np.arange(n + 1) * scale - 1e-9).astype(np.int64)
    widths = scale * (1 + rng.uniform(-uneven, uneven, n))
    return np.round(np.concatenate([[0], np.cumsum(widths)])).astype(np.int64)


def paint(sprite: np.ndarray, xe: np.ndarray, ye: np.ndarray, dx: np.ndarray | None = None,
          dy: np.ndarray | None = None) -> np.ndarray:
    """Nearest-neighbour painting of ``sprite`` on boundaries ``xe``/``ye``.

    ``dy[c]`` moves the inner row boundaries under sprite column ``c`` and ``dx[r]`` the inner column
    boundaries in sprite row ``r`` (row/column jitter); the outer boundaries stay put.
    """
    h, w = int(ye[-1]), int(xe[-1])
    xs, ys = np.arange(w), np.arange(h)
    col0 = np.searchsorted(xe, xs, side="right") - 1
    if dy is None:
        row = np.broadcast_to((np.searchsorted(ye, ys, side="right") - 1)[:, None], (h, w))
    else:
        shifted = ye[None, :] + np.r_[0, np.ones(len(ye) - 2), 0][None, :] * dy[:, None]
        row = np.stack([np.searchsorted(shifted[c], ys, side="right") - 1 for c in col0], axis=1)
    row = np.clip(row, 0, sprite.shape[0] - 1)
    if dx is None:
        col = np.broadcast_to(col0[None, :], (h, w))
    else:
        shifted = xe[None, :] + np.r_[0, np.ones(len(xe) - 2), 0][None, :] * dx[:, None]
        col = np.empty((h, w), np.int64)
        for r in range(sprite.shape[0]):
            sel = row == r
            col[sel] = (np.searchsorted(shifted[r], xs, side="right") - 1)[np.nonzero(sel)[1]]
    col = np.clip(col, 0, sprite.shape[1] - 1)
    return sprite[row, col]


def visible(edges: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, float]:
    """Cells at least half inside ``[lo, hi)``, and the first whole cell's leading edge relative to ``lo``."""
    a, b = edges[:-1], edges[1:]
    inside = (np.minimum(b, hi) - np.maximum(a, lo)) >= (b - a) / 2
    return np.flatnonzero(inside), float(a[a >= lo][0] - lo)


def border_cells(edges: np.ndarray, lo: int, hi: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(visible px, full width) of the cells cut by ``lo`` and by ``hi``; ``(0, 0)`` where no cell is cut.

    >>> border_cells(np.array([0, 5, 10, 15, 20]), 2, 17)
    ((3, 5), (2, 5))
    """
    def cut(at: int, leading: bool) -> tuple[int, int]:
        i = int(np.searchsorted(edges, at, side="right")) - 1
        if i < 0 or i >= len(edges) - 1 or edges[i] == at:
            return 0, 0
        a, b = int(edges[i]), int(edges[i + 1])
        return (b - at, b - a) if leading else (at - a, b - a)
    return cut(lo, True), cut(hi, False)


def _crops(rng: np.random.Generator, scale: float, partial: bool) -> tuple[int, int]:
    """Pixels cut at the two ends of an axis: under one cell, or a clearly partial cell when ``partial``."""
    if not partial:
        return int(rng.integers(0, max(1, int(scale)))), int(rng.integers(0, max(1, int(scale))))

    def one() -> int:
        frac = rng.uniform(0.15, 0.4) if rng.random() < 0.5 else rng.uniform(0.6, 0.85)
        return max(1, int(round(frac * scale)))
    return one(), one()


def _scale(rng: np.random.Generator, kind: str, n: int) -> tuple[float, bool]:
    if kind == "small_scale":
        scale = float(np.round(rng.uniform(1.5, 3.0), 2)) if rng.random() < 0.7 else float(rng.integers(2, 4))
    elif rng.random() < 0.5:
        scale = float(rng.integers(2, 33))
    else:
        scale = float(np.round(rng.uniform(2.2, 31.5), 2))
    scale = min(scale, MAX_SIDE / n)
    return scale, abs(scale - round(scale)) < 1e-9


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _colour_noise(img: np.ndarray, xe: np.ndarray, ye: np.ndarray, rng: np.random.Generator,
                  shade: float, sigma: float) -> np.ndarray:
    """Per-cell brightness offsets (up to ``shade`` levels) and per-pixel noise of ``sigma`` levels."""
    col = np.clip(np.searchsorted(xe, np.arange(img.shape[1]), side="right") - 1, 0, len(xe) - 2)
    row = np.clip(np.searchsorted(ye, np.arange(img.shape[0]), side="right") - 1, 0, len(ye) - 2)
    per_cell = rng.uniform(-shade, shade, (len(ye) - 1, len(xe) - 1, 1))
    return img + per_cell[row[:, None], col[None, :]] + rng.normal(0, sigma, img.shape)


def _smear(img: np.ndarray, rng: np.random.Generator, scale: float) -> tuple[np.ndarray, tuple[float, float]]:
    """A box filter 1-3 px wide per axis, and the shift it gives the image per axis: an even-width box
    (OpenCV anchors it at ``k // 2``) moves every edge by half a pixel towards higher coordinates."""
    import cv2

    widest = int(np.clip(scale / 2.5, 2, 3))
    kx, ky = int(rng.integers(1, widest + 1)), int(rng.integers(1, widest + 1))
    if kx == ky == 1:
        kx = widest
    return cv2.blur(img, (kx, ky)), (0.5 * (1 - kx % 2), 0.5 * (1 - ky % 2))


def edge_weights(rgb: np.ndarray, edges: np.ndarray, lo: int, hi: int, across: np.ndarray) -> np.ndarray:
    """Edge energy the image shows at each boundary between sprite columns ``j - 1`` and ``j`` per sprite row:
    the colour change (summed over channels) times the row's visible height ``across``, zero for boundaries
    outside ``(lo, hi)``. Shape (rows, columns + 1); pass ``rgb`` transposed for row boundaries."""
    step = np.abs(np.diff(rgb.astype(np.int32), axis=1)).sum(axis=2) * across[:, None]
    out = np.zeros((rgb.shape[0], rgb.shape[1] + 1))
    out[:, 1:-1] = step
    inside = (edges > lo) & (edges < hi)
    return out * inside[None, :]


def covered(edges: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Visible pixels of each cell of ``edges`` inside ``[lo, hi)``."""
    return np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, None).astype(np.float64)


def shown_offset(edges: np.ndarray, lo: int, weights: np.ndarray, cell: float, shift: np.ndarray | None,
                 uneven: bool, smear: float) -> float:
    """The first whole cell's leading edge as the image shows it, relative to ``lo``.

    Three things move it from the painted grid's: under row jitter the image shows each boundary where its
    edge energy is, so the grid moves by the energy-weighted mean shift (rows where a boundary shows no
    colour change do not count); an even-width smear moves every edge by half a pixel (``smear``); and on an
    uneven grid a leading boundary with no colour change across it is invisible, so the image only shows
    the first boundary that has one, less the mean cells before it (widths drift, so the hidden edge itself
    is not determined).

    >>> e = np.array([0, 10, 19, 30, 40]); w = np.zeros((1, 5)); w[0, 2] = 1.0   # only the boundary at 19
    >>> shown_offset(e, 0, w, 10.0, None, True, 0.0), shown_offset(e, 0, w, 10.0, None, False, 0.5)
    (-1.0, 0.5)
    """
    a = edges[:-1]
    first = int(np.flatnonzero(a >= lo)[0])
    start = float(a[first] - lo)
    if uneven:
        seen = np.flatnonzero(weights.sum(axis=0)[first:] > 0)
        if seen.size:
            start = float(edges[first + seen[0]] - lo - seen[0] * cell)
    jitter = 0.0
    if shift is not None and weights.sum() > 0:
        jitter = float((weights.sum(axis=1) * shift).sum() / weights.sum())
    return start + jitter + smear


def make_case(sprite: np.ndarray, kind: str, rng: np.random.Generator,
              scale: float | None = None) -> tuple[np.ndarray, np.ndarray, Truth]:
    """One corrupted upscale of ``sprite`` (RGBA or RGB) with its truth sprite (RGB) and grid; ``scale``
    fixes the upscale factor instead of drawing it (the ranker's training asks for more sub-2 px cells)."""
    import cv2

    h, w = sprite.shape[:2]
    if scale is None:
        scale, integer = _scale(rng, kind, max(h, w))
    else:
        scale, integer = min(scale, MAX_SIDE / max(h, w)), abs(scale - round(scale)) < 1e-9
    sx = sy = scale
    if kind == "non_square":
        ratio = rng.uniform(1.15, 1.6)
        sx, sy = (scale, scale * ratio) if rng.random() < 0.5 else (scale * ratio, scale)
        sx, sy = min(sx, MAX_SIDE / w), min(sy, MAX_SIDE / h)
        sx, sy = float(np.round(sx, 2)), float(np.round(sy, 2))
        integer = False
    rgb = on_background(sprite, tuple(int(v) for v in rng.integers(0, 256, 3)))
    uneven = 0.08 if kind == "uneven" else 0.0
    xe, ye = cell_edges(w, sx, uneven, rng), cell_edges(h, sy, uneven, rng)
    dx = dy = None
    if kind in ("row_jitter", "ai_mix") and min(sx, sy) >= 4:
        reach = max(1, int(round(0.15 * min(sx, sy))))
        dx, dy = rng.integers(-reach, reach + 1, h), rng.integers(-reach, reach + 1, w)
    big = paint(rgb, xe, ye, dx, dy)
    partial = kind == "partial_border"
    x0, x1 = _crops(rng, sx, partial)
    y0, y1 = _crops(rng, sy, partial)
    big = big[y0: big.shape[0] - y1, x0: big.shape[1] - x1]
    cols, off_x = visible(xe, x0, int(xe[-1]) - x1)
    rows, off_y = visible(ye, y0, int(ye[-1]) - y1)
    truth_sprite = rgb[rows[:, None], cols[None, :]]
    img = big.astype(np.float32)
    smear = (0.0, 0.0)
    if kind == "blur":
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.6, min(2.0, scale / 4 + 0.5)))
    elif kind == "noise":
        img = img + rng.normal(0, rng.uniform(3, 10), img.shape)
    elif kind == "tint":
        shift = rng.uniform(-20, 20, 3)
        img, truth_sprite = img + shift, np.clip(truth_sprite + shift, 0, 255).round().astype(np.uint8)
    elif kind == "smear":
        img, smear = _smear(img, rng, min(sx, sy))
    elif kind == "colour_noise":
        img = _colour_noise(img, xe - x0, ye - y0, rng, rng.uniform(4, 12), rng.uniform(5, 14))
    elif kind == "ai_mix":
        if min(sx, sy) >= 5:
            img, smear = _smear(img, rng, min(sx, sy))
        img = _colour_noise(img, xe - x0, ye - y0, rng, rng.uniform(3, 8), rng.uniform(3, 8))
    img = np.clip(img, 0, 255).round().astype(np.uint8)
    if kind == "jpeg":
        img = _jpeg(img, int(rng.integers(40, 96)))
    elif kind == "ai_mix":
        img = _jpeg(img, int(rng.integers(70, 96)))
    jitter = (float(dx[rows].mean()), float(dy[cols].mean())) if dx is not None else (0.0, 0.0)
    (xa, xb), (ya, yb) = (x0, int(xe[-1]) - x1), (y0, int(ye[-1]) - y1)
    wx = edge_weights(rgb, xe, xa, xb, covered(ye, ya, yb))
    wy = edge_weights(rgb.transpose(1, 0, 2), ye, ya, yb, covered(xe, xa, xb))
    shown = (shown_offset(xe, xa, wx, xe[-1] / w, dx, kind == "uneven", smear[0]),
             shown_offset(ye, ya, wy, ye[-1] / h, dy, kind == "uneven", smear[1]))
    cell_x, cell_y = (float(xe[-1] / w), float(ye[-1] / h)) if uneven else (sx, sy)
    truth = Truth(kind, cell_x, cell_y, off_x, off_y, len(cols), len(rows),
                  integer and kind != "uneven", *jitter, border_cells(xe, xa, xb), border_cells(ye, ya, yb), *shown)
    return img, truth_sprite, truth


def identifiable(sprite: np.ndarray) -> bool:
    """A grid can only be seen where colours change: at least two column and two row boundaries."""
    s = sprite.astype(np.int16)
    cols = int((np.abs(np.diff(s, axis=1)).max(axis=(0, 2)) > 0).sum())
    rows = int((np.abs(np.diff(s, axis=0)).max(axis=(1, 2)) > 0).sum())
    return cols >= 2 and rows >= 2


def sheet_tiles(sheet: np.ndarray, tile_w: int, tile_h: int, groups: tuple[int, ...] = (1,),
                min_fill: float = 0.2) -> list[np.ndarray]:
    """Cut an RGBA sheet into tiles (and ``g x g`` groups of tiles), keeping those with some content.

    Content = pixels that are not transparent and not the sheet's most common (background) colour.
    """
    flat = sheet.reshape(-1, sheet.shape[2])
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    out = []
    rows, cols = sheet.shape[0] // tile_h, sheet.shape[1] // tile_w
    for g in groups:
        for r in range(0, rows - g + 1, g):
            for c in range(0, cols - g + 1, g):
                tile = sheet[r * tile_h:(r + g) * tile_h, c * tile_w:(c + g) * tile_w]
                content = (tile[..., 3] > 0) & np.any(tile != background, axis=2)
                if content.mean() >= min_fill and len(np.unique(tile.reshape(-1, tile.shape[2]), axis=0)) >= 3:
                    out.append(tile)
    return out
