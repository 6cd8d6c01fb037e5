"""Round 7 of sprite reconstruction: fractional 1.5-3x scales. A sub-2 px grid shows in the spectrum at its
alias c / (c - 1); the exact line cover tells the two apart, a direct search proposes the sub-2 px grid the
spectral family misses, both axes of a small square grid pin one cell, and the ranker knows which candidate
is the coarsest that explains every boundary."""

from __future__ import annotations

import numpy as np
import pytest
from sprite_fixtures import cells_right

from atelier.tools.sprite.corrupt import blob_sprite, cell_edges, identifiable, make_case, paint
from atelier.tools.sprite.grid import (
    GridCandidate,
    all_profiles,
    dense_impulses,
    exact_cover,
    grid_lines,
    paired_changes,
    refine_small,
    refine_small_square,
    small_cells,
)
from atelier.tools.sprite.rank import Evaluated, load_ranker
from atelier.tools.sprite.reconstruct import MIN_PAIRED, candidate_pool, coarsest_first, reconstruct, small_candidate


def distinct_art(width: int, height: int, seed: int) -> np.ndarray:
    """RGB art whose neighbouring cells always differ, so that every cell boundary shows."""
    rng = np.random.default_rng(seed)
    art = rng.integers(0, 4, (height, width))
    art = (art + np.arange(width)[None, :] + 5 * np.arange(height)[:, None]) % 4
    palette = np.array([[20, 30, 40], [200, 60, 50], [60, 190, 80], [240, 230, 90]], np.uint8)
    return palette[art]


def upscale(art: np.ndarray, scale: float) -> np.ndarray:
    h, w = art.shape[:2]
    return paint(art, cell_edges(w, scale, 0.0, np.random.default_rng(0)),
                 cell_edges(h, scale, 0.0, np.random.default_rng(0)))


@pytest.mark.parametrize("scale", [1.5, 1.72, 2.5])
def test_fractional_scales_are_recovered_cell_for_cell(scale: float):
    # round 6 read 6 of these 12 sprites at 1.5x (as 1.0, 1.39 or the 3x harmonic) and 3 of 12 at 1.72x
    # (as the 2.4 px alias or 3x); every one must come back on its grid, every cell right
    for seed in range(12):
        rng = np.random.default_rng(seed)
        img, truth_sprite, _ = make_case(blob_sprite(rng, 32), "small_scale", rng, scale)
        assert identifiable(truth_sprite)
        rec = reconstruct(img)
        assert rec.ranked
        assert abs(rec.grid.cell_x - scale) <= 0.02 * scale and abs(rec.grid.cell_y - scale) <= 0.02 * scale, seed
        assert cells_right(rec.sprite, truth_sprite) == 1.0, seed


def test_exact_cover_tells_a_sub2_grid_from_its_alias():
    art = distinct_art(30, 6, 1)
    img = upscale(art, 1.9)
    dense = dense_impulses(all_profiles(img)[0][0])
    n = img.shape[1]
    true_lines = grid_lines(n, *refine_small(dense, 1.9, 0.0))
    alias = 1.9 / 0.9  # 2.11 px: the same spectral magnitude
    alias_lines = grid_lines(n, *refine_small(dense, alias, 0.0))
    assert exact_cover(dense, true_lines) == 1.0
    assert exact_cover(dense, alias_lines) < 0.97  # it misses one of each pair of boundaries 1 px apart


def test_the_sub2_search_finds_the_cell_from_its_alias_seed():
    art = distinct_art(32, 32, 2)
    img = upscale(art, 1.72)
    raw, impulses = all_profiles(img)
    for axis in (0, 1):
        found = small_cells(dense_impulses(raw[axis]))
        assert found is not None and abs(found.cell - 1.72) <= 0.01 * 1.72
        assert found.concentration >= 0.99
    pool, feats = candidate_pool(img, raw, impulses)
    assert any(abs(e.grid.cell_x - 1.72) <= 0.02 * 1.72 and abs(e.grid.cell_y - 1.72) <= 0.02 * 1.72 for e in pool)
    assert feats.shape == (len(pool), len(load_ranker().mean))


def test_both_axes_of_a_small_square_grid_pin_one_cell():
    # lines at ceil(k * 1.67) on 35 columns and 28 rows: each axis alone admits a range of cells
    ix, iy = np.zeros(60), np.zeros(48)
    ix[np.ceil(np.arange(1, 36) * 1.67).astype(int) - 1] = 1.0
    iy[np.ceil(np.arange(1, 29) * 1.67).astype(int) - 1] = 1.0
    joint = refine_small_square(ix, iy, 1.70)
    assert joint is not None
    cell, ox, oy = joint
    assert abs(cell - 1.67) <= 0.005 * 1.67
    assert exact_cover(ix, grid_lines(61, cell, ox)) == 1.0 and exact_cover(iy, grid_lines(49, cell, oy)) == 1.0


def test_axes_that_admit_no_common_cell_get_no_square_refit():
    ix, iy = np.zeros(60), np.zeros(60)
    ix[np.ceil(np.arange(1, 36) * 1.6).astype(int) - 1] = 1.0
    iy[np.ceil(np.arange(1, 30) * 1.9).astype(int) - 1] = 1.0
    assert refine_small_square(ix, iy, 1.75) is None


@pytest.mark.parametrize("scale", [3.0, 4.0])
def test_a_grid_whose_divisor_also_covers_every_boundary_stays_coarse(scale: float):
    # a 1.5 px (2 px) comb holds every boundary of a 3 px (4 px) grid too: the coarsest one that explains the
    # image is the answer, not the finer one the new search and features could favour
    art = distinct_art(20, 20, 3)
    rec = reconstruct(upscale(art, scale))
    assert rec.grid.cell_x == pytest.approx(scale, abs=0.05) and rec.grid.cell_y == pytest.approx(scale, abs=0.05)
    assert cells_right(rec.sprite, art) == 1.0


def test_a_large_image_gets_no_sub2_search():
    dense = np.zeros(900)
    dense[np.ceil(np.arange(1, 500) * 1.8).astype(int) - 1] = 1.0
    assert small_cells(dense) is None  # 901 px: past SMALL_SEARCH_MAX, sub-2 px grids are small upscales
    assert small_cells(dense[:300]) is not None


def test_row_jitter_on_a_4px_grid_gets_no_sub2_candidate():
    # jittered rows put a 4 px grid's boundaries on three neighbouring pixels, which a 1.33 px comb covers
    # whole (round 7's first sub-2 search proposed it on most of these, and one became a 1 px "grid"); no row
    # changes colour on two neighbouring pixels, so no sub-2 px grid is proposed
    for seed in range(20):
        rng = np.random.default_rng(seed)
        img, _, _ = make_case(blob_sprite(rng, 16), "row_jitter", rng, 4.0)
        raw, _ = all_profiles(img)
        assert paired_changes(img, 1) < MIN_PAIRED or paired_changes(img, 0) < MIN_PAIRED
        assert small_candidate(img, dense_impulses(raw[0]), dense_impulses(raw[1]), 0.1) is None


def measured(cell: float, cover: float, diff: float, cells: float, mixed: float = 0.0) -> Evaluated:
    lines = np.arange(0, 34)
    raw = {"cover": cover, "diff": diff, "cells": cells, "mixed": mixed}
    return Evaluated(GridCandidate(cell, cell, 0.0, 0.0, 1.0), lines, lines, raw)


def test_the_coarsest_small_grid_that_explains_every_boundary_goes_first():
    # 2.08 and 1.92 px both hit every line of a 34 px sprite at 2.12x: the finer one only adds empty lines
    pool = [measured(1.92, 1.0, 0.0, 306), measured(2.08, 1.0, 0.0, 256), measured(4.2, 0.6, 0.2, 64)]
    assert coarsest_first(pool, [0, 1, 2]) == [1, 0, 2]
    # a coarser grid that leaves part of the image unexplained, or a ranker pick that misses boundaries
    worse = [measured(1.92, 1.0, 0.0, 306), measured(2.08, 1.0, 0.01, 256)]
    assert coarsest_first(worse, [0, 1]) == [0, 1]
    assert coarsest_first([measured(2.4, 0.9, 0.0, 300), measured(2.6, 1.0, 0.0, 250)], [0, 1]) == [0, 1]
    # 1 px cells that are their neighbours' mixes (a smeared 3 px grid read at 1.5 px) or big cells: no rule
    assert coarsest_first([measured(1.5, 1.0, 0.0, 900, 0.9), measured(3.0, 1.0, 0.0, 225, 0.9)], [0, 1]) == [0, 1]
    assert coarsest_first([measured(17.0, 1.0, 0.0, 64), measured(18.4, 1.0, 0.0, 49)], [0, 1]) == [0, 1]
