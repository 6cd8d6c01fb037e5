"""Learned suggestions: cheap features of each grid candidate and a small numpy ranker over them.

The heuristic (``grid.estimate_grid``) proposes a pool of candidates. For each, :func:`candidate_features`
tracks its lines and measures how well it explains the image: the reconstruction difference on a pixel
sample, how many cells it needs (a finer grid always explains as much, so complexity counts), how much
boundary energy its lines catch and how many of its lines sit on a boundary, its spectral concentration,
the heuristic's own rank and score, squareness, the sprite's palette size, and diff against cell count (how
much diff a finer candidate of the pool still removes — absolute and as a share of the candidate's own
diff —, how much a coarser one leaves: a 2x harmonic is too coarse when its divisor explains clearly more,
a divisor is spurious when it explains nothing more), and the exact line cover (the share of boundary
energy, unpicked, on its lines at zero reach: the alias of a sub-2 px grid misses one of each pair of
boundaries a pixel apart) with whether it is the pool's coarsest candidate that covers every boundary and
explains the image (unless its 1 px cells are mixes of their neighbours: a smeared edge, ``mixed_narrow``).

The ranker is a one-hidden-layer network (numpy, tanh) trained listwise: per image, a softmax over its
candidates, maximising the probability of the candidate whose cells match the truth. Weights are a small
``.npz`` (``weights/ranker.npz``); ``train`` fits them from synthetic corruptions of given sprites plus
feedback-log corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .grid import (
    COVER_FULL,
    GridCandidate,
    clamp,
    dense_impulses,
    edge_sharpness,
    exact_cover,
    fit_lines,
    grid_lines,
    line_support,
    refine_small,
    refine_small_square,
    settle_borders,
    slope_precision,
    sorted_unique,
    track_lines,
)
from .synth import cell_colours

FEATURES = ("diff", "diff_rel", "mad", "log_cells_rel", "conc", "heur_inv_rank", "heur_top", "heur_score_rel",
            "aspect", "support_min", "support_mean", "coverage_min", "coverage_mean", "small", "log_cell",
            "log_colours", "log_colours_rel", "finer_gain", "coarser_loss", "finer_gain_rel", "cover", "cover_rel",
            "cover_coarsest")
WEIGHTS = Path(__file__).with_name("weights") / "ranker.npz"
SAMPLE = 64
SUB2 = 2.5  # cells under this are tracked and measured on dense impulses (no peak picking)
SHARP = 0.6  # median edge sharpness above which the first tracked line gives the offset (crisp edges)


@dataclass
class Evaluated:
    """A candidate after tracking its lines: the fitted grid, its lines, and its raw measurements."""

    grid: GridCandidate
    xlines: np.ndarray
    ylines: np.ndarray
    raw: dict[str, float]


def _alignment(impulses: np.ndarray, lines: np.ndarray, cell: float) -> tuple[float, float]:
    """(support, coverage): share of inner lines with a clear boundary within reach, and share of boundary
    energy within reach of a line. Reach is 1 px for cells of 4 px and more, else exact."""
    n = impulses.size
    inner = lines[(lines > 0) & (lines < n + 1)] - 1
    total = float(impulses.sum())
    if inner.size == 0 or total <= 0:
        return 0.0, 0.0
    reach = 1 if cell >= 4 else 0
    near = np.zeros(n, bool)
    strong = impulses > 0.1 * float(impulses.max())
    hits = np.zeros(inner.size, bool)
    for d in range(-reach, reach + 1):
        idx = clamp(inner + d, 0, n - 1)
        near[idx] = True
        hits |= strong[idx]
    return float(hits.mean()), float(impulses[near].sum() / total)


def mixed_narrow(sprite: np.ndarray, xlines: np.ndarray, ylines: np.ndarray, tol: float = 12.0,
                 distinct: float = 40.0) -> float:
    """Share of 1 px wide cells (between two clearly different neighbours) whose colour is their neighbours'
    mean, on the axis where it is highest.

    A smeared or blurred edge of a 3 px grid is two boundaries a pixel apart, as a 1.5 px grid's 1 px cells
    are: the lines of the finer grid then hold every boundary, but its narrow cells are mixes of their
    neighbours. Real 1 px cells have colours of their own.

    >>> cells = np.array([[[0, 0, 0], [100, 100, 100], [200, 200, 200]]], np.uint8)   # on lines 0, 2, 3, 5
    >>> mixed_narrow(cells, np.array([0, 2, 3, 5]), np.array([0, 1])), mixed_narrow(cells[:, [0, 2, 1]],
    ...     np.array([0, 2, 3, 5]), np.array([0, 1]))   # its 1 px column a mix of its neighbours, or not
    (1.0, 0.0)
    """
    best = 0.0
    for lines, rgb in ((xlines, sprite[..., :3]), (ylines, sprite[..., :3].transpose(1, 0, 2))):
        narrow = np.flatnonzero(np.diff(lines) == 1)
        narrow = narrow[(narrow > 0) & (narrow < rgb.shape[1] - 1)]
        if narrow.size == 0:
            continue
        c = rgb.astype(np.int16)
        left, mid, right = c[:, narrow - 1], c[:, narrow], c[:, narrow + 1]
        apart = np.abs(left - right).max(axis=2) > distinct
        if not apart.any():
            continue
        mix = np.abs(2 * mid - left - right).max(axis=2) <= 2 * tol
        best = max(best, float(mix[apart].mean()))
    return best


def count_colours(sprite: np.ndarray) -> int:
    """Distinct RGB colours of a uint8 sprite."""
    rgb = sprite[..., :3].reshape(-1, 3).astype(np.uint32)
    return int(np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).size)


def sample_diff(img: np.ndarray, sprite: np.ndarray, xlines: np.ndarray, ylines: np.ndarray,
                tolerance: float = 32) -> tuple[float, float]:
    """(share of sampled pixels off by more than ``tolerance``, their mean absolute difference / 255), on an
    evenly spaced sample of at most ``SAMPLE`` x ``SAMPLE`` pixels inside the grid."""
    ys = sorted_unique(np.linspace(ylines[0], ylines[-1] - 1, min(SAMPLE, ylines[-1] - ylines[0])).astype(np.int64))
    xs = sorted_unique(np.linspace(xlines[0], xlines[-1] - 1, min(SAMPLE, xlines[-1] - xlines[0])).astype(np.int64))
    r = clamp(np.searchsorted(ylines, ys, side="right") - 1, 0, sprite.shape[0] - 1)
    c = clamp(np.searchsorted(xlines, xs, side="right") - 1, 0, sprite.shape[1] - 1)
    a = img[ys][:, xs, :3].astype(np.int16)  # rows then columns: two gathers, cheaper than one 2-D one
    b = sprite[r][:, c, :3].astype(np.int16)
    step = np.abs(a - b)
    d = np.maximum(np.maximum(step[..., 0], step[..., 1]), step[..., 2])  # faster than a 3-wide reduce
    return float((d > tolerance).mean()), float(d.mean() / 255.0)


def border_lines(tracked: np.ndarray, n: int, cell: float, offset: float, straight: tuple[float, float],
                 sharp: bool) -> np.ndarray:
    """The final lines of a grid of 4 px and more: the comb's, with its prediction of the border cells'
    integer widths, wherever the grid is regular; the tracked ones, borders settled, on uneven grids.

    Soft edges (blur, smear, row jitter) place single tracked lines a pixel or two off, so the fitted comb
    (cell, offset) gives the lines. On crisp edges the straight least-squares comb (``straight``) is used
    when it reproduces every tracked line — a regular grid, whose phase then pins the hidden widths —;
    otherwise the grid drifts (or the fit is a pixel off somewhere) and the tracked lines stand.
    """
    if not sharp:
        return grid_lines(n, cell, offset)
    comb = grid_lines(n, *straight)
    inner, comb_inner = tracked[(tracked > 0) & (tracked < n)], comb[(comb > 0) & (comb < n)]
    if inner.size == comb_inner.size and np.array_equal(inner, comb_inner):
        return comb
    return settle_borders(tracked, n, cell)


@dataclass
class AxisFit:
    """One axis of a candidate after tracking: its lines (final), fitted cell and offset, and what a shared
    cell for both axes needs (the tracked lines, which of them sit on a boundary, how crisp they are)."""

    lines: np.ndarray
    cell: float
    offset: float
    support: float
    coverage: float
    tracked: np.ndarray
    supported: np.ndarray
    sharp: bool


def _memo(cache: dict | None, key: tuple, compute):
    """``compute()``, remembered in ``cache`` under ``key`` when there is a cache."""
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def dense_for(raw: np.ndarray, cache: dict | None = None) -> np.ndarray:
    """An axis's boundary energy without peak picking, computed once per profile when there is a cache."""
    return _memo(cache, ("dense", id(raw)), lambda: dense_impulses(raw))


def axis_impulses(impulses: np.ndarray, raw: np.ndarray, cell: float, cache: dict | None = None) -> np.ndarray:
    """The impulses a grid of ``cell`` is measured on: without peak picking under ``SUB2`` (neighbouring
    pixels can both be boundaries there, which peak picking merges)."""
    return dense_for(raw, cache) if cell < SUB2 else impulses


def axis_lines(impulses: np.ndarray, raw: np.ndarray, cell: float, offset: float, n: int,
               cache: dict | None = None, refined: bool = False) -> AxisFit:
    """Tracked lines of one axis, its fitted (cell, offset) and (support, coverage); memoised in ``cache``.
    A small grid's (cell, offset) is refined on exact line hits unless already ``refined``."""
    key = (round(cell, 4), round(offset, 3), n, id(impulses), refined)
    if cache is not None and key in cache:
        return cache[key]
    impulses = axis_impulses(impulses, raw, cell, cache)
    if cell < 4 and not refined:  # the search covers every phase, so candidates of one cell share it
        small_key = ("small", cell, id(impulses), None if impulses.any() else offset)
        cell, offset = _memo(cache, small_key, lambda: refine_small(impulses, cell, offset))
    lines = track_lines(impulses, cell, offset, n, raw)
    reach = 1 if cell >= 4 else 0
    sharp = edge_sharpness(raw, lines, cell) >= SHARP
    support = line_support(impulses, lines, reach)
    fitted, off = fit_lines(lines, n, cell, support, sharp_first=sharp)
    final = lines
    if cell >= 4:
        final = border_lines(lines, n, fitted, off, fit_lines(lines, n, cell, support, sharp_first=False), sharp)
    out = AxisFit(final, fitted, off, *_alignment(impulses, final, fitted), lines, support, sharp)
    if cache is not None:
        cache[key] = out
    return out


def square_small(x: AxisFit, y: AxisFit, impulses: tuple[np.ndarray, np.ndarray], raw: tuple[np.ndarray, np.ndarray],
                 nx: int, ny: int, cache: dict | None = None, close: float = 0.03) -> tuple[AxisFit, AxisFit]:
    """A small grid whose axes agree within ``close`` refitted under the one cell both axes admit
    (``grid.refine_small_square``): each axis alone pins a 40-60 px sprite's cell only to a few per cent."""
    if max(x.cell, y.cell) >= 4 or abs(np.log(x.cell / y.cell)) > close:
        return x, y
    joint = refine_small_square(axis_impulses(impulses[0], raw[0], x.cell, cache),
                                axis_impulses(impulses[1], raw[1], y.cell, cache), (x.cell + y.cell) / 2)
    if joint is None:
        return x, y
    cell, ox, oy = joint
    return (axis_lines(impulses[0], raw[0], cell, ox, nx, cache, refined=True),
            axis_lines(impulses[1], raw[1], cell, oy, ny, cache, refined=True))


def shared_cell(x: AxisFit, y: AxisFit, nx: int, ny: int, close: float = 0.03) -> tuple[AxisFit, AxisFit]:
    """Both axes refitted under one cell when their cells agree within ``close`` and both edges are soft.

    Under row jitter and smear single lines scatter by a pixel or two, and a cell 0.5 % off moves the
    first line by a pixel after 15 cells. Pixels are square unless the axes clearly disagree, so the two
    slopes are pooled (weighted by how well each axis pins its own) and each axis keeps its own offset.
    """
    if x.sharp or y.sharp or x.cell < 4 or y.cell < 4 or abs(np.log(x.cell / y.cell)) > close:
        return x, y
    wx = slope_precision(x.tracked, nx, x.cell, x.supported)
    wy = slope_precision(y.tracked, ny, y.cell, y.supported)
    if wx + wy <= 0:
        return x, y
    cell = (wx * x.cell + wy * y.cell) / (wx + wy)

    def refit(a: AxisFit, n: int) -> AxisFit:
        _, off = fit_lines(a.tracked, n, a.cell, a.supported, sharp_first=False, slope=cell)
        lines = grid_lines(n, cell, off)
        return AxisFit(lines, cell, off, a.support, a.coverage, a.tracked, a.supported, a.sharp)
    return refit(x, nx), refit(y, ny)


def evaluate(img: np.ndarray, cand: GridCandidate, raw: tuple[np.ndarray, np.ndarray],
             impulses: tuple[np.ndarray, np.ndarray], cache: dict | None = None) -> Evaluated:
    """Track a candidate's lines, fit its grid, and measure it (see the module docstring)."""
    h, w = img.shape[:2]
    (rx, ry), (px, py) = raw, impulses
    ax, ay = square_small(axis_lines(px, rx, cand.cell_x, cand.offset_x, w, cache),
                          axis_lines(py, ry, cand.cell_y, cand.offset_y, h, cache), impulses, raw, w, h, cache)
    ax, ay = shared_cell(ax, ay, w, h)
    xl, yl = ax.lines, ay.lines
    grid = GridCandidate(ax.cell, ay.cell, ax.offset, ay.offset, cand.score)
    cover = [exact_cover(dense_for(r, cache), lines)
             for r, lines in ((rx, xl), (ry, yl))]
    sprite = cell_colours(img, xl, yl, max_samples=3)
    diff, mad = sample_diff(img, sprite, xl, yl)
    raw_feats = {"diff": diff, "mad": mad, "cells": float(sprite.shape[0] * sprite.shape[1]),
                 "support_x": ax.support, "support_y": ay.support, "coverage_x": ax.coverage,
                 "coverage_y": ay.coverage, "colours": float(count_colours(sprite)), "cover": min(cover),
                 "mixed": mixed_narrow(sprite, xl, yl)}
    return Evaluated(grid, xl, yl, raw_feats)


def feature_matrix(pool: list[Evaluated], concentrations: list[float]) -> np.ndarray:
    """The ranker's inputs, one row per candidate in heuristic order; some are relative to the pool's best."""
    diff = np.array([e.raw["diff"] for e in pool])
    cells = np.log(np.array([max(e.raw["cells"], 1.0) for e in pool]))
    colours = np.log(np.array([e.raw["colours"] for e in pool]))
    score = np.array([e.grid.score for e in pool])
    cover = np.array([e.raw["cover"] for e in pool])
    mixed = np.array([e.raw["mixed"] for e in pool])
    # explains every boundary and the image, and not by giving a soft edge's pixels 1 px cells of their own
    full = (cover >= COVER_FULL) & (diff <= diff.min() + 0.01) & (mixed < 0.5)
    coarsest = full & (cells <= np.where(full, cells, np.inf).min() + 1e-9)  # ... with the fewest cells
    finer, coarser = cells[None, :] > cells[:, None] + np.log(1.5), cells[None, :] < cells[:, None] - np.log(1.5)
    gain = diff[:, None] - diff[None, :]  # [i, j]: how much more of the image j explains than i
    finer_gain = np.where(finer, gain, 0.0).max(axis=1, initial=0.0)  # a finer grid removes diff: i too coarse
    coarser_loss = np.where(coarser, -gain, 0.0).max(axis=1, initial=0.0)  # coarser grids lose what i explains
    rows = []
    for i, e in enumerate(pool):
        r, g = e.raw, e.grid
        rows.append([
            r["diff"], r["diff"] - diff.min(), r["mad"], cells[i] - cells.min(), concentrations[i],
            1.0 / (1 + i), float(i == 0), g.score / max(score.max(), 1e-9),
            abs(np.log(g.cell_x / g.cell_y)), min(r["support_x"], r["support_y"]),
            (r["support_x"] + r["support_y"]) / 2, min(r["coverage_x"], r["coverage_y"]),
            (r["coverage_x"] + r["coverage_y"]) / 2, float(min(g.cell_x, g.cell_y) < 2),
            float(np.log(g.cell_size)), colours[i], colours[i] - colours.min(), finer_gain[i], coarser_loss[i],
            finer_gain[i] / (r["diff"] + 0.01), r["cover"], r["cover"] - cover.max(),
            float(coarsest[i]),
        ])
    return np.asarray(rows, dtype=np.float64)


@dataclass
class Ranker:
    """``score = w2 . tanh(W1 @ ((f - mean) / scale) + b1)``; higher is better."""

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray

    def scores(self, features: np.ndarray) -> np.ndarray:
        z = (features - self.mean) / self.scale
        return np.tanh(z @ self.w1.T + self.b1) @ self.w2

    def save(self, path: Path, meta: dict[str, str] | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, mean=self.mean, scale=self.scale, w1=self.w1, b1=self.b1, w2=self.w2,
                 features=np.array(FEATURES), meta=np.array(sorted((meta or {}).items()), dtype=str))
        tmp.replace(path)
        return path


def load_ranker(path: Path | None = None) -> Ranker | None:
    """The ranker at ``path`` (default: the shipped weights), or ``None`` when absent or for other features."""
    path = path or WEIGHTS
    if not path.exists():
        return None
    with np.load(path) as z:
        if tuple(str(f) for f in z["features"]) != FEATURES:
            return None
        return Ranker(z["mean"], z["scale"], z["w1"], z["b1"], z["w2"])


def fit(groups: list[tuple[np.ndarray, int, float]], hidden: int = 16, epochs: int = 400, lr: float = 0.02,
        l2: float = 1e-3, seed: int = 0) -> Ranker:
    """Listwise training with Adam: ``groups`` = [(features of one image's pool, index of the right one,
    weight)], full batch, deterministic for a seed. Loss: weighted softmax cross-entropy per pool."""
    allf = np.concatenate([g[0] for g in groups])
    mean, scale = allf.mean(axis=0), allf.std(axis=0) + 1e-6
    size = max(len(g[0]) for g in groups)
    z = np.zeros((len(groups), size, allf.shape[1]))
    mask = np.zeros((len(groups), size), bool)
    for i, (f, _, _) in enumerate(groups):
        z[i, :len(f)], mask[i, :len(f)] = (f - mean) / scale, True
    target = np.array([t for _, t, _ in groups])
    weight = np.array([wt for _, _, wt in groups], np.float64)
    weight = weight / weight.sum()
    rng = np.random.default_rng(seed)
    params = {"w1": rng.normal(0, 0.3, (hidden, allf.shape[1])), "b1": np.zeros(hidden),
              "w2": rng.normal(0, 0.3, hidden)}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    rows = np.arange(len(groups))
    for step in range(1, epochs + 1):
        hid = np.tanh(z @ params["w1"].T + params["b1"])  # (G, P, H)
        scores = np.where(mask, hid @ params["w2"], -np.inf)
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = p.copy()
        g[rows, target] -= 1.0
        g *= weight[:, None]
        dh = g[..., None] * params["w2"] * (1 - hid ** 2)
        grads = {"w2": np.einsum("gp,gph->h", g, hid), "w1": np.einsum("gph,gpd->hd", dh, z),
                 "b1": dh.sum(axis=(0, 1))}
        for k in params:
            grads[k] += l2 * params[k]
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            params[k] -= lr * (m[k] / (1 - 0.9 ** step)) / (np.sqrt(v[k] / (1 - 0.999 ** step)) + 1e-8)
    return Ranker(mean, scale, params["w1"], params["b1"], params["w2"])


def matches(grid: GridCandidate, cell_x: float, cell_y: float, integer: bool) -> bool:
    """Do a candidate's cells match the truth (±0.5 px for integer scales, else ±2 %)?"""
    def ok(est: float, true: float) -> bool:
        return abs(est - true) <= (0.5 if integer else 0.02 * true)
    return ok(grid.cell_x, cell_x) and ok(grid.cell_y, cell_y)
