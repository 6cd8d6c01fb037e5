"""Issue 21, round 4: one known-answer test per failure type fixed on the tune split — border cells judged
by their own integer width, comb lines under soft edges, one cell for both axes under jitter, a cell split
by a wide gap, sub-2 px grids, blur on small cells — and the eval's rule for border cells the image leaves
ambiguous."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from sprite_fixtures import cells_right, circular, simple_art

from atelier.tools.sprite.corrupt import border_cells, paint, visible
from atelier.tools.sprite.deblur import MIN_SPREAD, edge_spread, fit_spread, unmix
from atelier.tools.sprite.flatten import cell_noise, merge_shades
from atelier.tools.sprite.grid import GridCandidate, all_profiles, dense_impulses, grid_lines, period_candidates
from atelier.tools.sprite.rank import AxisFit, evaluate, shared_cell
from atelier.tools.sprite.reconstruct import reconstruct
from atelier.tools.sprite.synth import cell_colours

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals" / "sprite"))
from run import ambiguous_border, either_way_right  # noqa: E402


def test_a_cut_border_cell_counts_by_its_own_integer_width():
    # 16.5 px cells are 17 and 16 px wide in turn: 8 visible pixels keep a 16 px cell and drop a 17 px one
    art = simple_art(41)
    edges = np.ceil(np.arange(17) * 16.5 - 1e-9).astype(int)
    full = paint(art, edges, edges)
    for height, width_of_cut in ((256, 16), (239, 17)):
        rows, _ = visible(edges, 0, height)
        assert border_cells(edges, 0, height)[1] == (8, width_of_cut)
        rec = reconstruct(full[:height])
        assert rec.sprite.shape[:2] == (len(rows), 16), height
        assert cells_right(rec.sprite, art[rows]) == 1.0


def test_grid_lines_predict_the_hidden_line_of_a_border_cell():
    # a comb at offset 0.25 rounds to the lines ceil(16.5 k): ..., 215, 231, 248, 264
    assert grid_lines(256, 16.5, 0.25).tolist()[-3:] == [231, 248, 256]  # 248 -> 264 is 16 wide, 8 seen: kept
    assert grid_lines(239, 16.5, 0.25).tolist()[-2:] == [215, 231]  # 231 -> 248 is 17 wide, 8 seen: dropped


def test_soft_edges_put_border_lines_on_the_comb_not_on_a_stray_tracked_line():
    # 15 px cells, row jitter of +-2 px and a 2 px smear; the cut first column shows 6 px of 15 (dropped)
    art = simple_art(42)
    edges = np.arange(17) * 15
    rng = np.random.default_rng(3)
    dx, dy = rng.integers(-2, 3, 16), rng.integers(-2, 3, 16)
    img = cv2.blur(paint(art, edges, edges, dx, dy).astype(np.float32), (2, 2))
    img = np.clip(img, 0, 255).round().astype(np.uint8)[:, 9:]
    rec = reconstruct(img)
    assert abs(rec.grid.cell_x - 15) <= 0.3 and abs(rec.grid.cell_y - 15) <= 0.3
    assert circular(rec.grid.offset_x, 6 + dx.mean(), 15) <= 1
    assert rec.sprite.shape[:2] == (16, 15)
    assert cells_right(rec.sprite, art[:, 1:]) >= 0.99


def test_both_axes_share_one_cell_when_square_and_soft():
    # x sees 4 lines of a 20 px grid (one pixel of noise each), y sees 15: x alone would fit 20.3
    x_lines = np.array([0, 301, 320, 341, 361, 380])
    y_lines = np.r_[0, 20 * np.arange(1, 16), 310]
    x = AxisFit(x_lines, 20.3, 0.0, 1.0, 1.0, x_lines, np.array([False, True, True, True, True, False]), False)
    y = AxisFit(y_lines, 20.0, 0.0, 1.0, 1.0, y_lines, np.r_[False, np.ones(15, bool), False], False)
    sx, sy = shared_cell(x, y, 380, 310)
    assert abs(sx.cell - 20.0) < 0.05 and sx.cell == sy.cell
    assert circular(sx.offset, 0.0, 20.0) <= 0.75
    crisp = AxisFit(x_lines, 20.3, 0.0, 1.0, 1.0, x_lines, x.supported, True)
    assert shared_cell(crisp, y, 380, 310) == (crisp, y)  # crisp edges keep their own cells
    other = AxisFit(y_lines, 23.0, 0.0, 1.0, 1.0, y_lines, y.supported, False)
    assert shared_cell(x, other, 380, 310) == (x, other)  # clearly non-square: no sharing


def test_a_cell_split_by_a_wide_gap_is_still_a_candidate():
    # boundaries 29.1 px apart at both sides of a 233 px gap: the long "fundamental" has no 29.1 divisor
    profile = np.zeros(452)
    profile[np.array([51, 80, 109, 342, 371, 400]) - 1] = 1.0
    cells = [g.cell for g in period_candidates(profile, 452 / 3)]
    assert any(abs(c - 29.1) < 0.3 for c in cells), cells


def test_sub_2px_grids_keep_neighbouring_boundaries():
    art = simple_art(14, size=24)
    edges = np.ceil(np.arange(25) * 1.5 - 1e-9).astype(int)  # widths 2, 1, 2, 1, ...
    img = paint(art, edges, edges)
    raw, impulses = all_profiles(img)
    changes = np.flatnonzero(np.any(art[:, 1:] != art[:, :-1], axis=(0, 2))) + 1  # sprite columns that differ
    at = edges[changes] - 1  # their boundaries' places in the profile
    kept, dense = int((impulses[0][at] > 0).sum()), int((dense_impulses(raw[0])[at] > 0).sum())
    assert (kept, dense) == (11, 16)  # of 23: peak picking drops one of two boundaries on neighbouring pixels
    e = evaluate(img, GridCandidate(1.5, 1.5, 0.0, 0.0, 1.0), raw, impulses)
    assert e.xlines.tolist() == edges.tolist() and e.ylines.tolist() == edges.tolist()
    assert e.raw["diff"] == 0.0


def test_eval_flags_exactly_half_and_mean_cell_dependent_border_cells():
    assert ambiguous_border(8, 16, 16.5, 0.0, False)  # exactly half of its own width
    assert ambiguous_border(2, 5, 4.0, 0.0, False)  # 2 of 5 is under half, 2 of the mean 4 is not
    assert not ambiguous_border(7, 15, 14.25, 0.0, False)  # under half either way
    assert ambiguous_border(6, 13, 13.0, 1.0, False)  # row jitter moves the boundaries' mean past half
    assert not ambiguous_border(0, 0, 10.0, 0.0, False)  # no cut cell


def test_either_way_score_drops_only_an_ambiguous_border_row():
    truth_sprite = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 4
    truth = {"corruption": "clean", "cell_x": 16.5, "cell_y": 16.5, "border_x": [[0, 0], [0, 0]],
             "border_y": [[0, 0], [8, 16]]}  # the last row is 8 of 16: kept by the truth, but ambiguous
    assert either_way_right(truth_sprite[:-1], truth_sprite, truth) == 1.0
    assert either_way_right(truth_sprite[:, :-1], truth_sprite, truth) == 0.0  # a column is not ambiguous
    truth["border_y"] = [[0, 0], [7, 15]]
    assert either_way_right(truth_sprite[:-1], truth_sprite, truth) == 0.0


def test_blur_on_small_cells_is_unmixed_to_the_cells_own_colours():
    rng = np.random.default_rng(3)
    art = rng.integers(20, 240, (5, 3))[rng.integers(0, 5, (16, 16))].astype(np.uint8)  # a colour per cell
    for cell, sigma, before_at_most, after_at_least in ((4, 1.6, 0.6, 0.95), (6, 2.0, 0.7, 0.99)):
        edges = np.arange(17) * cell
        img = cv2.GaussianBlur(paint(art, edges, edges).astype(np.float32), (0, 0), sigma)
        img = np.clip(img, 0, 255).round().astype(np.uint8)
        assert cells_right(cell_colours(img, edges, edges), art) <= before_at_most  # the mix as sampled
        assert abs(fit_spread(img, cell_colours(img, edges, edges), edges, edges, (cell, cell)) - sigma) <= 0.25
        rec = reconstruct(img)
        assert abs(rec.grid.cell_x - cell) <= 0.1
        assert cells_right(rec.sprite, art) >= after_at_least, cell


def test_row_jitter_and_crisp_edges_are_no_blur():
    art = simple_art(4)
    edges = np.arange(17) * 6
    rng = np.random.default_rng(1)
    jittered = paint(art, edges, edges, rng.integers(-1, 2, 16), rng.integers(-1, 2, 16))
    assert edge_spread(jittered, edges, 6.0, 1) < MIN_SPREAD and edge_spread(jittered, edges, 6.0, 0) < MIN_SPREAD
    crisp = paint(art, edges, edges)
    sprite = cell_colours(crisp, edges, edges)
    assert fit_spread(crisp, sprite, edges, edges, (6.0, 6.0)) == 0.0
    assert np.array_equal(unmix(sprite, (6.0, 6.0), (0.3, 0.3)), sprite)


def test_per_cell_shades_of_noisy_cells_merge_back_into_flat_colours():
    rng = np.random.default_rng(6)
    palette = np.array([[40, 40, 60], [200, 120, 60], [90, 180, 220]])
    art = palette[rng.integers(0, 3, (16, 16))].astype(np.uint8)
    edges = np.arange(17) * 8
    shade = np.repeat(np.repeat(rng.uniform(-8, 8, (16, 16, 1)), 8, 0), 8, 1)  # one brightness shift per cell
    noisy = paint(art, edges, edges) + shade + rng.normal(0, 6, (128, 128, 3))
    img = np.clip(noisy, 0, 255).round().astype(np.uint8)
    sampled = cell_colours(img, edges, edges)
    assert len(np.unique(sampled.reshape(-1, 3), axis=0)) > 100  # mottled: nearly a shade per cell
    rec = reconstruct(img)
    assert len(np.unique(rec.sprite.reshape(-1, 3), axis=0)) == 3
    assert cells_right(rec.sprite, art) == 1.0
    clean = paint(art, edges, edges)
    assert cell_noise(clean, edges, edges) == 0.0
    assert np.array_equal(merge_shades(cell_colours(clean, edges, edges), 0.0), art)
