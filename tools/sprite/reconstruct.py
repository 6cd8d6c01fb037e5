"""The whole reconstruction as one pure function: grid (estimated or overridden) -> sprite -> difference."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .diff import DIFF_TOLERANCE, diff_metrics, pixel_difference
from .grid import (
    AxisGrid,
    GridCandidate,
    _offset,
    axis_profiles,
    comb,
    estimate_grid,
    fit_lines,
    grid_lines,
    track_lines,
)
from .synth import cell_colours, snap_alpha, snap_palette, upscale_on_grid


@dataclass(frozen=True)
class Overrides:
    cell_size: float | None = None
    cell_size_x: float | None = None
    cell_size_y: float | None = None
    offset_x: float | None = None
    offset_y: float | None = None
    palette_size: int | None = None
    palette: tuple[tuple[int, int, int], ...] | None = None


@dataclass
class Reconstruction:
    grid: GridCandidate
    candidates: list[GridCandidate]
    xlines: np.ndarray
    ylines: np.ndarray
    sprite: np.ndarray
    recon: np.ndarray
    diff: np.ndarray
    metrics: dict[str, float]
    confidence: float
    palette: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def _axis_override(profile: np.ndarray, cell: float, offset: float | None) -> AxisGrid:
    z = comb(profile, cell)
    return AxisGrid(cell, offset % cell if offset is not None else _offset(z, cell), abs(z))


def confidence_of(grid: GridCandidate, concentration: float, diff_percent: float) -> float:
    """High when edge energy sits on the grid and the sprite explains the image; a cell of < 2 px is no grid."""
    if grid.cell_size < 2:
        return 0.0
    return float(np.clip(np.sqrt(concentration) * (1.0 - min(1.0, diff_percent / 50.0)), 0.0, 1.0))


def reconstruct(img: np.ndarray, overrides: Overrides = Overrides(), top_k: int = 5,
                tolerance: float = DIFF_TOLERANCE) -> Reconstruction:
    """Recover grid and sprite from an RGB or RGBA uint8 image."""
    h, w = img.shape[:2]
    notes: list[str] = []
    px, py = axis_profiles(img)
    candidates = estimate_grid(img, top_k, (px, py))
    cx = overrides.cell_size_x or overrides.cell_size
    cy = overrides.cell_size_y or overrides.cell_size
    overridden = bool(cx or cy or overrides.offset_x is not None or overrides.offset_y is not None)
    if overridden:
        base = candidates[0] if candidates else None
        cx = cx or (base.cell_x if base else None)
        cy = cy or (base.cell_y if base else None)
        if cx is None or cy is None:
            raise ValueError("no grid could be estimated; give cell_size explicitly")
        gx = _axis_override(px, cx, overrides.offset_x)
        gy = _axis_override(py, cy, overrides.offset_y)
        chosen = GridCandidate(gx.cell, gy.cell, gx.offset, gy.offset, 1.0)
        concentration = float(np.sqrt(gx.concentration * gy.concentration))
        notes.append("grid from overrides")
    elif candidates:
        chosen = candidates[0]
        concentration = float(np.sqrt(abs(comb(px, chosen.cell_x)) * abs(comb(py, chosen.cell_y))))
    else:
        chosen = GridCandidate(1.0, 1.0, 0.0, 0.0, 0.0)
        concentration = 0.0
        notes.append("no pixel grid found")
    if overridden:
        xlines = grid_lines(w, chosen.cell_x, chosen.offset_x)
        ylines = grid_lines(h, chosen.cell_y, chosen.offset_y)
    else:
        xlines = track_lines(px, chosen.cell_x, chosen.offset_x, w)
        ylines = track_lines(py, chosen.cell_y, chosen.offset_y, h)
        if chosen.cell_size >= 2:
            (cx, ox), (cy, oy) = fit_lines(xlines, w, chosen.cell_x), fit_lines(ylines, h, chosen.cell_y)
            chosen = GridCandidate(cx, cy, ox, oy, chosen.score)
    sprite = cell_colours(img, xlines, ylines)
    if sprite.shape[2] == 4:
        sprite = snap_alpha(sprite)
    palette = None
    if overrides.palette is not None or overrides.palette_size:
        given = np.array(overrides.palette, np.uint8) if overrides.palette is not None else None
        sprite, palette = snap_palette(sprite, overrides.palette_size, given)
    recon = upscale_on_grid(sprite, xlines, ylines, (h, w))
    diff = pixel_difference(recon, img)
    covered = diff[ylines[0]: ylines[-1], xlines[0]: xlines[-1]]  # border slivers under half a cell are no sprite
    metrics = {**diff_metrics(covered, tolerance), "coverage_percent": round(100.0 * covered.size / diff.size, 2)}
    conf = confidence_of(chosen, concentration, metrics["diff_percent"])
    return Reconstruction(chosen, candidates, xlines, ylines, sprite, recon, diff, metrics, conf, palette, notes)
