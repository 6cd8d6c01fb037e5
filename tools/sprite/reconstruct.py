"""The whole reconstruction as one pure function: grid (estimated or overridden) -> sprite -> difference."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .deblur import MIN_SPREAD, could_mix, edge_spread, fit_spread, unmix
from .diff import DIFF_TOLERANCE, diff_metrics, pixel_difference
from .flatten import MIN_NOISE, cell_noise, merge_shades
from .grid import (
    COVER_FULL,
    MIN_SMALL,
    AxisGrid,
    GridCandidate,
    _offset,
    all_profiles,
    comb,
    estimate_grid,
    grid_lines,
    paired_changes,
    small_cells,
)
from .palettes import snap_to
from .rank import Evaluated, dense_for, evaluate, feature_matrix, load_ranker
from .synth import cell_colours, own_colours, snap_alpha, snap_palette, upscale_on_grid

POOL = 5  # candidates the ranker scores: on 780 tuning cases it took the 6th of 6 once, and 5 cost 4 % less
OWN_CELL = 9.0  # px: unblurred noisy cells narrower than this are read from all of their own pixels (a
# 3-4 px cell's central half is its one centre pixel, which keeps all of the noise; 5-8 px cells have 3 x 3)
MIN_PAIRED = 0.05  # share of a row's colour changes a pixel from the next one below which no sub-2 px grid
OWN_SLACK = 8.0  # a pixel is the cell's own within k noise levels + 8 of the centre read: k = 5 where that
# read is one pixel (cells under 5 px, as noisy as any other pixel), 3 where it is a median of 9


def own_radius(cell: float, noise: float) -> float:
    """How far from the centre read a pixel may be and still count as the cell's own."""
    return (5.0 if cell < 5 else 3.0) * noise + OWN_SLACK


@dataclass(frozen=True)
class Overrides:
    cell_size: float | None = None
    cell_size_x: float | None = None
    cell_size_y: float | None = None
    offset_x: float | None = None
    offset_y: float | None = None
    palette_size: int | None = None
    palette: tuple[tuple[int, int, int], ...] | None = None
    dither: bool = False


@dataclass
class Reconstruction:
    grid: GridCandidate
    candidates: list[GridCandidate]  # fitted grids, best first (ranker order when the ranker ran)
    xlines: np.ndarray
    ylines: np.ndarray
    sprite: np.ndarray
    recon: np.ndarray
    diff: np.ndarray
    metrics: dict[str, float]
    confidence: float
    palette: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    scores: list[dict[str, float | None]] = field(default_factory=list)  # per candidate: heuristic, ranker
    ranked: bool = False


@lru_cache(maxsize=4)
def _shipped_ranker(path: str | None):
    return load_ranker(Path(path) if path else None)


def dedupe(candidates: list[GridCandidate], rel: float = 0.01) -> list[GridCandidate]:
    """Keep the first of candidates whose cells agree within ``rel`` on both axes."""
    out: list[GridCandidate] = []
    for c in candidates:
        if not any(abs(c.cell_x - o.cell_x) <= rel * o.cell_x and abs(c.cell_y - o.cell_y) <= rel * o.cell_y
                   for o in out):
            out.append(c)
    return out


def candidate_pool(img: np.ndarray, raw: tuple[np.ndarray, np.ndarray], impulses: tuple[np.ndarray, np.ndarray],
                   size: int = POOL) -> tuple[list[Evaluated], np.ndarray]:
    """The heuristic's candidates (its order), each tracked and measured, and their feature matrix."""
    heur = dedupe(estimate_grid(img, 2 * size, impulses))[:size]
    cache: dict = {}
    dense = tuple(dense_for(r, cache) for r in raw)
    small = small_candidate(img, *dense, heur[-1].score if heur else 0.0)
    added = small is not None and len(dedupe(heur + [small])) > len(heur)
    pool = [evaluate(img, c, raw, impulses, cache) for c in heur + ([small] if added else [])]
    if added and min(pool[-1].grid.cell_x, pool[-1].grid.cell_y) < MIN_SMALL:
        pool = pool[:-1]  # the sub-2 px search's grid fitted to under 1.3 px (a pixel per cell): no grid
    conc = [float(np.sqrt(abs(comb(impulses[0], e.grid.cell_x)) * abs(comb(impulses[1], e.grid.cell_y))))
            for e in pool]
    return pool, feature_matrix(pool, conc) if pool else np.zeros((0, 0))


def full_cover(e: Evaluated) -> bool:
    """A small grid (under 4 px, whose lines are its comb's, exactly) with every boundary on its lines
    (``COVER_FULL``), and not by 1 px cells that are mixes of their neighbours (a soft edge). Coarser
    grids' tracked lines snap to boundaries, so there a few per cent wrong cell covers them too."""
    return max(e.grid.cell_x, e.grid.cell_y) < 4 and e.raw["cover"] >= COVER_FULL and e.raw["mixed"] < 0.5


def coarsest_first(pool: list[Evaluated], order: list[int], slack: float = 0.002) -> list[int]:
    """When the first candidate is a small grid that puts every boundary on its lines, the coarsest
    candidate that does so too and explains the image as well (diff within ``slack``) goes first: both
    explain everything, and the finer one only adds empty lines. On a 34 px sprite at 2.12x, 2.08 and
    1.92 px both hit every line and the ranker's order between them flipped from one retraining to the
    next."""
    if not order or not full_cover(pool[order[0]]):
        return order
    first = pool[order[0]]
    same = [i for i in order if full_cover(pool[i]) and pool[i].raw["diff"] <= first.raw["diff"] + slack]
    best = min(same, key=lambda i: pool[i].raw["cells"])
    return order if pool[best].raw["cells"] >= first.raw["cells"] else [best] + [i for i in order if i != best]


def small_candidate(img: np.ndarray, dense_x: np.ndarray, dense_y: np.ndarray, score: float,
                    paired: float = MIN_PAIRED) -> GridCandidate | None:
    """A sub-2 px grid that explains every boundary on both axes (``grid.small_cells``), for the pool:
    the spectral family can miss it (its peaks are aliases, a few per cent off on short axes). It joins
    with the pool's lowest heuristic score; the ranker weighs it like any other candidate. Each axis's
    rows must show the pairs of changes a pixel apart that 1 px cells make (``grid.paired_changes``):
    a 4 px grid under row jitter has boundaries on three neighbouring pixels, which a 1.33 px grid
    covers, but no row changes colour twice in a row."""
    gx, gy = small_cells(dense_x), small_cells(dense_y)
    if gx is None or gy is None or abs(np.log(gx.cell / gy.cell)) > 0.1:
        return None
    if min(paired_changes(img, 1), paired_changes(img, 0)) < paired:
        return None
    return GridCandidate(gx.cell, gy.cell, gx.offset, gy.offset, score)


def _axis_override(profile: np.ndarray, cell: float, offset: float | None) -> AxisGrid:
    z = comb(profile, cell)
    return AxisGrid(cell, offset % cell if offset is not None else _offset(z, cell), abs(z))


def confidence_of(grid: GridCandidate, concentration: float, diff_percent: float) -> float:
    """High when edge energy sits on the grid and the sprite explains the image; a cell under 1.3 px is no grid."""
    if grid.cell_size < MIN_SMALL:
        return 0.0
    return float(np.clip(np.sqrt(concentration) * (1.0 - min(1.0, diff_percent / 50.0)), 0.0, 1.0))


def reconstruct(img: np.ndarray, overrides: Overrides = Overrides(), top_k: int = 5,
                tolerance: float = DIFF_TOLERANCE, rank: bool = True,
                ranker_path: Path | None = None) -> Reconstruction:
    """Recover grid and sprite from an RGB or RGBA uint8 image.

    The heuristic proposes candidates; with ``rank`` and a ranker present (the shipped weights, or
    ``ranker_path``) the learned ranker orders them, otherwise the heuristic's order stands. Overrides
    replace the estimate on the axes they name.
    """
    h, w = img.shape[:2]
    notes: list[str] = []
    raw, impulses = all_profiles(img)
    px, py = impulses
    pool, feats = candidate_pool(img, raw, impulses)
    heur_scores = [e.grid.score for e in pool]
    ranker = _shipped_ranker(str(ranker_path) if ranker_path else None) if rank else None
    rank_scores = ranker.scores(feats) if ranker is not None and pool else None
    order = list(np.argsort(-rank_scores, kind="stable")) if rank_scores is not None else list(range(len(pool)))
    order = coarsest_first(pool, order)
    pool = [pool[i] for i in order]
    scores = [{"heuristic_score": round(float(heur_scores[i]), 4), "heuristic_rank": int(i),
               "ranker_score": None if rank_scores is None else round(float(rank_scores[i]), 4)} for i in order]
    cx = overrides.cell_size_x or overrides.cell_size
    cy = overrides.cell_size_y or overrides.cell_size
    overridden = bool(cx or cy or overrides.offset_x is not None or overrides.offset_y is not None)
    if overridden:
        base = pool[0].grid if pool else None
        cx = cx or (base.cell_x if base else None)
        cy = cy or (base.cell_y if base else None)
        if cx is None or cy is None:
            raise ValueError("no grid could be estimated; give cell_size explicitly")
        gx = _axis_override(px, cx, overrides.offset_x)
        gy = _axis_override(py, cy, overrides.offset_y)
        chosen = GridCandidate(gx.cell, gy.cell, gx.offset, gy.offset, 1.0)
        concentration = float(np.sqrt(gx.concentration * gy.concentration))
        xlines, ylines = grid_lines(w, chosen.cell_x, chosen.offset_x), grid_lines(h, chosen.cell_y, chosen.offset_y)
        notes.append("grid from overrides")
    elif pool:
        chosen, xlines, ylines = pool[0].grid, pool[0].xlines, pool[0].ylines
        concentration = float(np.sqrt(abs(comb(px, chosen.cell_x)) * abs(comb(py, chosen.cell_y))))
    else:
        chosen = GridCandidate(1.0, 1.0, 0.0, 0.0, 0.0)
        concentration = 0.0
        xlines, ylines = grid_lines(w, 1.0, 0.0), grid_lines(h, 1.0, 0.0)
        notes.append("no pixel grid found")
    sprite = cell_colours(img, xlines, ylines)
    cells = (chosen.cell_x, chosen.cell_y)
    spread = max(edge_spread(img, xlines, chosen.cell_x, 1),
                 edge_spread(img, ylines, chosen.cell_y, 0)) if could_mix(cells) else None
    noise = cell_noise(img, xlines, ylines)
    if spread is not None and spread >= MIN_SPREAD:
        sigma = fit_spread(img, sprite, xlines, ylines, cells)
        sprite = unmix(sprite, cells, (sigma, sigma))
    elif spread is not None and noise >= MIN_NOISE and min(cells) < OWN_CELL:
        sprite = own_colours(img, xlines, ylines, sprite, own_radius(min(cells), noise))
    sprite = merge_shades(sprite, noise)
    if sprite.shape[2] == 4:
        sprite = snap_alpha(sprite)
    palette = None
    if overrides.palette is not None:
        palette = np.array(overrides.palette, np.uint8).reshape(-1, 3)
        sprite = snap_to(sprite, palette, overrides.dither)
    elif overrides.palette_size:
        _, palette = snap_palette(sprite, overrides.palette_size)
        sprite = snap_to(sprite, palette, overrides.dither)
    recon = upscale_on_grid(sprite, xlines, ylines, (h, w))
    diff = pixel_difference(recon, img)
    covered = diff[ylines[0]: ylines[-1], xlines[0]: xlines[-1]]  # border slivers under half a cell are no sprite
    metrics = {**diff_metrics(covered, tolerance), "coverage_percent": round(100.0 * covered.size / diff.size, 2)}
    conf = confidence_of(chosen, concentration, metrics["diff_percent"])
    candidates = [e.grid for e in pool][:top_k]
    return Reconstruction(chosen, candidates, xlines, ylines, sprite, recon, diff, metrics, conf, palette, notes,
                          scores[:top_k], rank_scores is not None)
