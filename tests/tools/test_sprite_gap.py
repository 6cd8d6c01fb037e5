"""Issue 21, closing the gap: one known-answer test per failure type the grid, offset and sampling fixes
address (simple art, one planted corruption, exact expected cell size, offsets and sprite)."""

from __future__ import annotations

import numpy as np
import pytest
from sprite_fixtures import cells_right, circular, simple_art

from atelier.tools.sprite.corrupt import make_case, paint
from atelier.tools.sprite.grid import (
    AxisGrid,
    all_profiles,
    edge_profile,
    fit_lines,
    line_support,
    settle_borders,
    square_candidate,
)
from atelier.tools.sprite.reconstruct import reconstruct
from atelier.tools.sprite.synth import cell_colours


def test_fit_from_a_ten_percent_wrong_start_cell_finds_the_true_cell():
    # lines tracked on a 27.375 px grid, numbered as if the cell were 30.16: numbering by position skipped
    # a line every ten and reported ~30; numbering by tracking steps gives the true cell and offset
    lines = np.r_[0, np.ceil(15 + 27.375 * np.arange(15) - 1e-9).astype(int), 412]
    cell, offset = fit_lines(lines, 412, 30.16)
    assert abs(cell - 27.375) < 0.05 and abs(offset - 15) < 0.5


def test_a_stray_first_line_does_not_move_the_offset():
    lines = np.r_[0, 5, (28.5 * np.arange(1, 15)).round().astype(int), 430]  # true lines at 28.5 k; 5 is stray
    cell, offset = fit_lines(lines, 430, 28.5, sharp_first=False)
    assert abs(cell - 28.5) < 0.05 and circular(offset, 0.0, cell) <= 0.5


def test_row_jitter_offsets_are_the_mean_boundary_from_every_line():
    art = simple_art(21)
    edges = np.arange(17) * 20
    rng = np.random.default_rng(5)
    dx, dy = rng.integers(-3, 4, 16), rng.integers(-3, 4, 16)
    img = paint(art, edges, edges, dx, dy)[7:, 11:]  # first whole cells start at 9 (x) and 13 (y)
    rec = reconstruct(img)
    assert abs(rec.grid.cell_x - 20) <= 0.5 and abs(rec.grid.cell_y - 20) <= 0.5
    assert circular(rec.grid.offset_x, 9 + dx.mean(), 20) <= 1
    assert circular(rec.grid.offset_y, 13 + dy.mean(), 20) <= 1
    # the cut first column shows 9 px of 20 (8.5 on average under the jitter): under half, so it is no
    # sprite column, as make_case counts it; the cut first row shows 13 px of 20 and is one
    assert cells_right(rec.sprite, art[:, 1:]) >= 0.99


def test_border_cells_are_settled_with_the_fitted_cell():
    # tracking stopped a cell short at the left border: the 15 px gap is a border cell over half a cell
    assert settle_borders(np.array([15, 42, 69, 97, 124, 152]), 160, 27.3).tolist() == [0, 15, 42, 69, 97, 124, 152]
    # whole cells missing at a border get their lines back; the last border cell counts from half a cell on
    assert settle_borders(np.array([40, 50, 60, 70]), 96, 10.0).tolist() == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 96]
    assert settle_borders(np.array([44, 54, 64, 74]), 94, 10.0).tolist() == [4, 14, 24, 34, 44, 54, 64, 74, 84, 94]


def test_partial_border_cells_count_exactly_as_the_truth_counts_them():
    art = simple_art(22)
    edges = np.arange(17) * 12
    # rows: 7 px of 12 of the top cell stay (kept), 5 px of the bottom one (dropped); columns the other way
    img = paint(art, edges, edges)[5:-7, 7:-5]
    rec = reconstruct(img)
    assert rec.sprite.shape[:2] == (15, 15)
    assert cells_right(rec.sprite, art[0:15, 1:16]) == 1.0


def test_colour_noise_inside_cells_is_voted_out_by_the_whole_central_half():
    art = simple_art(23)
    edges = np.arange(17) * 6
    rng = np.random.default_rng(9)
    noisy = paint(art, edges, edges).astype(np.float64) + rng.normal(0, 18, (96, 96, 3))
    img = np.clip(noisy, 0, 255).round().astype(np.uint8)
    sprite = cell_colours(img, edges, edges)
    assert cells_right(sprite, art) == 1.0
    rec = reconstruct(img)
    assert abs(rec.grid.cell_x - 6) <= 0.5 and cells_right(rec.sprite, art) >= 0.99


def test_the_other_axis_fundamental_is_proposed_when_this_axis_misses_it():
    art = simple_art(24)
    img = paint(art, np.ceil(np.arange(17) * 24.8125 - 1e-9).astype(int), np.arange(17) * 25)
    _, (px, _) = all_profiles(img)
    wrong = [AxisGrid(61.0, 33.0, 0.77), AxisGrid(15.5, 7.4, 0.78)]
    out = square_candidate(px, wrong, [AxisGrid(25.0, 0.0, 0.99)])
    assert len(out) == 3 and abs(out[1].cell - 24.8125) < 0.1  # second: right after the axis's own best
    assert square_candidate(px, out, [AxisGrid(25.0, 0.0, 0.99)]) == out  # already there: nothing added


@pytest.mark.parametrize("kind", ["row_jitter", "colour_noise", "partial_border", "smear", "ai_mix"])
def test_planted_cases_of_each_fixed_kind_are_recovered_exactly(kind):
    # seeds 32, 33 and 35 are the first from 31 whose cells are 8 px or more (28, 13 and 27 px)
    for seed in (32, 33, 35):
        rng = np.random.default_rng(seed)
        img, truth_sprite, truth = make_case(np.dstack([simple_art(seed), np.full((16, 16), 255, np.uint8)]),
                                             kind, rng)
        rec = reconstruct(img)
        tol = 0.5 if truth.integer else 0.02 * truth.cell_x
        assert abs(rec.grid.cell_x - truth.cell_x) <= tol and abs(rec.grid.cell_y - truth.cell_y) <= tol, seed
        assert circular(rec.grid.offset_x, truth.offset_x + truth.jitter_x, truth.cell_x) <= 1, seed
        assert circular(rec.grid.offset_y, truth.offset_y + truth.jitter_y, truth.cell_y) <= 1, seed
        assert cells_right(rec.sprite, truth_sprite) >= 0.99, seed


def test_line_support_marks_lines_on_a_boundary():
    img = paint(simple_art(25), np.arange(17) * 8, np.arange(17) * 8)
    imp = all_profiles(img)[1][0]
    assert edge_profile(img, 1).size == 127 and imp[15] > 0 and imp[11] == 0  # a boundary at 16, none at 12
    assert line_support(imp, np.array([0, 16, 12, 128]), reach=0).tolist() == [False, True, False, False]
