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
    all_profiles,
    dense_impulses,
    exact_cover,
    grid_lines,
    refine_small,
    refine_small_square,
    small_cells,
)
from atelier.tools.sprite.rank import load_ranker
from atelier.tools.sprite.reconstruct import candidate_pool, reconstruct


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
