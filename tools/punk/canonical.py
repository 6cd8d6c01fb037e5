"""From any punk image to the canonical form the model reads: a 24×24 RGBA grid whose background is
transparent. Larger inputs are brought back to the grid by ``reconstruct_sprite``'s reconstruction; an
opaque background is found as the border colour flood-filled from the edges (outlines stop the fill)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

SIDE = 24


class NotAPunkGrid(ValueError):
    """The image cannot be a punk at any scale (wrong shape or no 24×24 grid)."""


@dataclass(frozen=True)
class Canonical:
    rgba: np.ndarray  # (24, 24, 4) uint8; background alpha 0
    background: tuple[int, int, int] | None  # None when the input's background was transparent
    background_fraction: float
    border_agreement: float  # share of the top and side edges that is background
    scale: float  # input pixels per punk pixel (1 for a native punk)
    grid_diff_percent: float  # how far the 24×24 grid, scaled back up, is from the input


def to_grid(pixels: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A (24, 24, C) grid from a native or scaled punk; returns (grid, scale, diff_percent).

    A square image is taken as one punk framed edge to edge (cell = side / 24) and read at the exact cell
    centres: a bilinear upscale blends every pixel but those. Otherwise ``reconstruct_sprite``'s grid
    recovery finds the grid, which must come out 24×24.
    """
    from atelier.tools.sprite import recover_sprite

    h, w = pixels.shape[:2]
    if (h, w) == (SIDE, SIDE):
        return pixels, 1.0, 0.0
    if h < SIDE or w < SIDE:
        raise NotAPunkGrid(f"a punk is {SIDE}×{SIDE} pixels or a scaled copy of that; this image is {w}×{h}")
    if abs(w / h - 1.0) <= 0.02:
        grid, diff = sample_centres(pixels)
        return grid, w / SIDE, diff
    rec = recover_sprite(pixels)
    if rec.sprite.shape[:2] != (SIDE, SIDE):
        raise NotAPunkGrid(f"the pixel grid of this {w}×{h} image is {rec.sprite.shape[1]}×{rec.sprite.shape[0]} "
                           f"cells, not a {SIDE}×{SIDE} punk")
    return rec.sprite, float(rec.grid.cell_size), float(rec.metrics["diff_percent"])


@functools.lru_cache(maxsize=64)
def _maps(n_out: int, n_in: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    m = resize_matrix(n_out, n_in, kind)
    return m, np.linalg.pinv(m)


def resize_matrix(n_out: int, n_in: int, kind: str) -> np.ndarray:
    """The (n_out, n_in) linear map of a 1-d resize: ``nearest`` (OpenCV's floor rule), ``nearest-centre``
    (Pillow's rule) or ``bilinear`` (half-pixel centres, as both libraries use)."""
    x = np.arange(n_out)
    m = np.zeros((n_out, n_in), np.float64)
    if kind == "nearest":
        m[x, np.minimum(np.floor(x * n_in / n_out).astype(int), n_in - 1)] = 1.0
    elif kind == "nearest-centre":
        m[x, np.minimum(np.floor((x + 0.5) * n_in / n_out).astype(int), n_in - 1)] = 1.0
    else:
        u = np.clip((x + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(u).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        m[x, lo] += 1.0 - (u - lo)
        m[x, hi] += u - lo
    return m


def sample_centres(pixels: np.ndarray, side: int = SIDE, tolerance: float = 32) -> tuple[np.ndarray, float]:
    """The ``side``×``side`` grid that best explains an image framed edge to edge as that many cells.

    Each way the image may have been enlarged (nearest by either rounding rule, bilinear) is a known linear
    map; the grid is its least-squares inverse, and the map that reproduces the image best wins. Unlike
    reading one pixel per cell this undoes bilinear blending exactly and averages JPEG noise out. Returns
    the grid and the percent of pixels the chosen map leaves more than ``tolerance`` off.
    """
    h, w, c = pixels.shape
    img = pixels.astype(np.float64).transpose(2, 0, 1)  # (c, h, w)
    best, best_err, best_back = None, np.inf, None
    for kind in ("nearest", "nearest-centre", "bilinear"):
        (ay, ay_inv), (ax, ax_inv) = _maps(h, side, kind), _maps(w, side, kind)
        grid = ay_inv @ img @ ax_inv.T  # (c, side, side)
        back = ay @ grid @ ax.T
        err = float(np.abs(back - img).mean())
        if err < best_err:
            best, best_err, best_back = grid, err, back
        if err < 0.5:  # reproduced exactly: no other map can do better
            break
    diff = float(100.0 * (np.abs(best_back - img).max(axis=0) > tolerance).mean())
    return np.clip(np.round(best), 0, 255).astype(np.uint8).transpose(1, 2, 0), diff


def edge_ring(a: np.ndarray) -> np.ndarray:
    """Top row and both side columns: always background on a punk (the body reaches the bottom edge)."""
    return np.concatenate([a[0], a[1:, 0], a[1:, -1]])


def background_mask(rgb: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Mask of the background (edge colour, connected to the edge) and that colour.

    >>> img = np.zeros((24, 24, 3), np.uint8); img[...] = (99, 133, 150); img[8:, 8:16] = 0
    >>> mask, colour = background_mask(img); colour, int(mask.sum())
    ((99, 133, 150), 448)
    """
    import cv2

    edge = edge_ring(rgb).astype(np.float32)
    colour = np.median(edge, axis=0)
    spread = np.median(np.abs(edge - colour).max(axis=1))
    tol = float(np.clip(4.0 * spread + 14.0, 14.0, 48.0))
    near = (np.abs(rgb.astype(np.float32) - colour).max(axis=2) <= tol).astype(np.uint8)
    count, labels = cv2.connectedComponents(near, connectivity=4)
    touching = np.unique(np.concatenate([labels[0], labels[:, 0], labels[:, -1], labels[-1]]))
    touching = touching[touching > 0] if near.any() else touching[:0]
    mask = np.isin(labels, touching) & (near > 0)
    return mask, tuple(int(round(c)) for c in colour)


def canonical(pixels: np.ndarray) -> Canonical:
    """The model's view of an RGBA punk image of any supported size."""
    grid, scale, diff = to_grid(pixels)
    if grid.shape[2] == 3:
        grid = np.dstack([grid, np.full(grid.shape[:2], 255, np.uint8)])
    alpha = grid[..., 3]
    if (edge_ring(alpha) < 64).mean() >= 0.5:  # a transparent background
        mask, colour = alpha < 64, None
    else:
        mask, colour = background_mask(grid[..., :3])
    rgba = grid.copy()
    rgba[mask] = 0
    rgba[~mask, 3] = np.maximum(rgba[~mask, 3], 128)
    return Canonical(rgba, colour, float(mask.mean()), float(edge_ring(mask).mean()), scale, diff)


def skin_colour(rgba: np.ndarray) -> np.ndarray:
    """The face's colour: in the centre of the face, the colour with most pixels within 16 levels of it
    (a density mode, so JPEG noise cannot split it), ignoring near-black outline and shades."""
    region = rgba[9:17, 8:16]
    px = region[region[..., 3] >= 64][:, :3].astype(np.float32)
    px = px[px.max(axis=1) >= 48]
    if not len(px):
        return np.zeros(3, np.float32)
    # the same density mode over distinct colours (a punk's face has a handful) instead of every pixel pair
    keys = px.astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    colours = px[first]
    close = np.abs(colours[:, None, :] - colours[None, :, :]).max(axis=2) <= 16
    density = close.astype(np.int64) @ counts
    best = np.flatnonzero(density == density.max())
    centre = best[first[best].argmin()]  # ties: the colour met first, as the per-pixel search took
    return np.median(px[close[centre][inverse.ravel()]], axis=0)


def features(rgba: np.ndarray, skin: np.ndarray | None = None) -> np.ndarray:
    """The model's input vector for one canonical punk, in [0, 1]: per pixel the figure's RGB (0 on the
    background), a figure mask, and how far the pixel is from the skin colour (raw and thresholded).

    The skin distance makes one-pixel traits (a mole, an earring stud, a smile's corner) one feature each
    whatever the skin tone. Partly transparent figure pixels (lenses, smoke) count as figure: after an
    opaque upscale they are opaque, so the model should not tell them apart.
    """
    fg = (rgba[..., 3:4] >= 64).astype(np.float32)
    rgb = rgba[..., :3].astype(np.float32)
    skin = skin_colour(rgba) if skin is None else skin
    off_skin = np.abs(rgb - skin).max(axis=-1, keepdims=True) / 255.0 * fg
    x = np.concatenate([rgb / 255.0 * fg, fg, off_skin, (off_skin > 0.06).astype(np.float32)], axis=-1)
    return x.reshape(-1)
