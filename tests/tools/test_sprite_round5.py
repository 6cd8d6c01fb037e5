"""Round 5 of sprite reconstruction: noisy small cells read whole, the speed-ups that must not change a
result, and the second and third held-out splits' sources."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
from sprite_fixtures import cells_right, simple_art

from atelier.tools.sprite.corrupt import paint
from atelier.tools.sprite.flatten import MIN_NOISE, cell_noise
from atelier.tools.sprite.grid import all_profiles, comb, edge_profile
from atelier.tools.sprite.rank import AxisFit, axis_lines, shared_cell
from atelier.tools.sprite.reconstruct import reconstruct
from atelier.tools.sprite.synth import cell_colours, own_colours

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals" / "sprite"))
from make_cases import sources  # noqa: E402


def noisy_three_px(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    art = simple_art(seed, 24)
    edges = np.arange(25) * 3
    img = paint(art, edges, edges).astype(np.float64)
    img = np.clip(img + np.random.default_rng(seed).normal(0, 12, img.shape), 0, 255).round().astype(np.uint8)
    return art, edges, img


def test_noisy_three_px_cells_are_read_from_all_their_own_pixels():
    for seed in range(3):
        art, edges, img = noisy_three_px(seed)
        assert cells_right(cell_colours(img, edges, edges), art) < 0.95  # the centre pixel keeps the noise
        assert cells_right(cell_colours(img, edges, edges, margin=0.0), art) == 1.0
        rec = reconstruct(img)
        assert abs(rec.grid.cell_x - 3) < 0.05 and cells_right(rec.sprite, art) == 1.0


def test_edge_profile_is_the_mean_colour_change_minus_its_median():
    img = np.zeros((4, 6, 3), np.uint8)
    img[:, 3:] = (30, 60, 90)
    img[0, 0] = (12, 0, 0)
    diff = np.abs(np.diff(img.astype(np.float64), axis=1)).sum(axis=(0, 2)) / 4
    assert np.array_equal(edge_profile(img, 1), np.maximum(diff - np.median(diff), 0.0))
    assert edge_profile(img, 1)[2] == 180.0


def test_comb_over_boundaries_equals_the_full_fourier_sum():
    profile = np.zeros(50)
    profile[[9, 19, 28, 39]] = [1.0, 2.0, 0.5, 1.5]
    pos = np.arange(1, 51)
    full = np.sum(profile * np.exp(2j * np.pi * pos / 10.0)) / profile.sum()
    assert abs(comb(profile, 10.0) - full) < 1e-12


def test_shared_small_grid_search_gives_each_candidate_its_own_answer():
    art = simple_art(3, 24)
    edges = np.ceil(np.arange(25) * 2.5 - 1e-9).astype(int)
    img = paint(art, edges, edges)
    (rx, _), (px, _) = all_profiles(img)
    cache: dict = {}
    for offset in (0.0, 0.7, 1.9):
        alone = axis_lines(px, rx, 2.5, offset, img.shape[1])
        shared = axis_lines(px, rx, 2.5, offset, img.shape[1], cache)
        assert np.array_equal(alone.lines, shared.lines) and alone.offset == shared.offset


def digests(split: str) -> set[str]:
    # the shape too: two sprites are equal as arrays only if their shapes and pixels both are
    return {hashlib.sha256(str(s.shape).encode() + np.ascontiguousarray(s).tobytes()).hexdigest()
            for pack in sources(split).values() for s in pack}


def test_the_second_held_out_split_shares_no_sprite_with_the_others():
    new = digests("heldout2")
    assert len(new) > 200
    assert not new & (digests("tune") | digests("heldout"))


def test_the_third_held_out_split_shares_no_sprite_with_the_others():
    packs = sources("heldout3")
    assert set(packs) == {"ninja_adventure", "pixel_adventure_2", "last_guardian"}
    assert all(len(sprites) > 300 for sprites in packs.values())
    assert all(min(s.shape[:2]) >= 16 and max(s.shape[:2]) <= 192 for pack in packs.values() for s in pack)
    new = digests("heldout3")
    assert not new & (digests("tune") | digests("heldout") | digests("heldout2"))
    # the same check pixel by pixel, for sprites of one shape
    others = [s for split in ("tune", "heldout", "heldout2") for pack in sources(split).values() for s in pack]
    for pack in packs.values():
        for s in pack:
            assert not any(o.shape == s.shape and np.array_equal(o, s) for o in others)


def test_soft_axes_two_percent_apart_share_one_cell():
    # row jitter splits each boundary in two: y's tracked lines scatter and its fit comes out 1.9 % long
    # (21.6 for 21.19), x's is right; square pixels pool them (weighted by how well each pins its cell), a
    # non-square 15 % does not
    x_lines = np.r_[0, np.round(21.19 * np.arange(1, 16)).astype(int), 339]
    y_lines = np.r_[0, np.round(21.6 * np.arange(1, 16) - 2).astype(int), 339]
    supported = np.r_[False, np.ones(15, bool), False]
    x = AxisFit(x_lines, 21.19, 0.0, 1.0, 1.0, x_lines, supported, False)
    y = AxisFit(y_lines, 21.6, 19.5, 1.0, 1.0, y_lines, supported, False)
    sx, sy = shared_cell(x, y, 339, 339)
    assert sx.cell == sy.cell and 21.19 < sy.cell < 21.6
    wide = AxisFit(y_lines, 21.19 * 1.15, 0.0, 1.0, 1.0, y_lines, supported, False)
    assert shared_cell(x, wide, 339, 339) == (x, wide)


def test_noise_on_black_and_white_art_is_measured_on_the_unclipped_cells():
    rng = np.random.default_rng(0)
    palette = np.array([[255, 255, 255], [0, 0, 0], [230, 100, 150]], np.uint8)
    art = palette[rng.choice(3, (16, 16), p=[0.45, 0.45, 0.1])]
    edges = np.arange(17) * 6
    img = np.clip(paint(art, edges, edges) + rng.normal(0, 8, (96, 96, 3)), 0, 255).round().astype(np.uint8)
    assert cell_noise(img, edges, edges) > MIN_NOISE  # white and black cells alone clip the noise to ~0
    flat = paint(art, edges, edges)
    assert cell_noise(flat, edges, edges) == 0.0


def test_a_cells_own_pixels_exclude_its_neighbours_colours():
    # 3 px cells whose edge pixels carry the neighbour's colour (as JPEG ringing or row jitter do): the whole
    # cell's median would drift, the cell's own pixels (near its centre read) give its colour back
    centre = np.array([[[100, 100, 100], [200, 50, 50]]], np.uint8)
    img = np.zeros((3, 6, 3), np.uint8)
    img[:, :3], img[:, 3:] = (100, 100, 100), (200, 50, 50)
    img[:, 2] = img[2, :3] = (200, 50, 50)  # the left cell's right column and bottom row bled from its neighbour
    img[0, 0] = (106, 94, 103)  # and some noise
    lines = np.array([0, 3, 6]), np.array([0, 3])
    assert own_colours(img, *lines, centre, radius=20).tolist() == centre.tolist()
    assert cell_colours(img, *lines, margin=0.0)[0, 0].tolist() != [100, 100, 100]
