"""Round 6 of sprite reconstruction: the eval's truth is the grid the image shows, JPEG's block lattice is
no pixel grid, and tracked lines do not snap to specks of noise."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sprite_fixtures import cells_right, circular, simple_art

from atelier.tools.sprite.corrupt import edge_weights, make_case, paint, shown_offset
from atelier.tools.sprite.grid import edge_profile, jpeg_blocking
from atelier.tools.sprite.reconstruct import reconstruct


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def test_hidden_leading_edge_of_an_uneven_grid_is_inferred_from_the_first_boundary_shown():
    # columns 0-2 share one colour: the boundaries at 9 and 19 show nothing, the one at 30 does
    rgb = np.zeros((2, 4, 3), np.uint8)
    rgb[:, 3] = 200
    edges = np.array([0, 9, 19, 30, 40])
    w = edge_weights(rgb, edges, 0, 40, np.ones(2))
    assert np.flatnonzero(w.sum(axis=0)).tolist() == [3]
    assert shown_offset(edges, 0, w, 10.0, None, True, 0.0) == 30 - 3 * 10.0  # not the painted 0
    assert shown_offset(edges, 0, w, 10.0, None, False, 0.0) == 0.0  # a regular grid's comb pins it


def test_row_jitter_moves_the_shown_grid_by_the_edge_energy_weighted_mean_shift():
    rgb = np.zeros((3, 3, 3), np.uint8)
    rgb[0, 1:] = 90  # row 0 changes colour at the first boundary, rows 1-2 nowhere
    rgb[0, 2] = 180
    edges = np.array([0, 10, 20, 30])
    w = edge_weights(rgb, edges, 0, 30, np.full(3, 10.0))
    shift = np.array([2.0, -1.0, -1.0])  # the plain mean is 0; only row 0's boundaries are seen
    assert shown_offset(edges, 0, w, 10.0, shift, False, 0.0) == 2.0


def test_even_width_smear_moves_every_edge_half_a_pixel_and_the_truth_says_so():
    import cv2

    img = np.zeros((4, 20, 3), np.float32)
    img[:, 10:] = 200
    prof = np.abs(np.diff(cv2.blur(img, (2, 1))[0, :, 0]))
    assert prof[9] == prof[10] == 100  # the edge between pixels 9/10 now sits between 10 and 11 half-half
    for seed in range(40):
        _, _, truth = make_case(simple_art(seed), "smear", np.random.default_rng(seed))
        if truth.shown_x != truth.offset_x:
            assert truth.shown_x - truth.offset_x == 0.5
            break
    else:
        raise AssertionError("no even-width smear in 40 seeds")


def test_jpeg_block_lattice_is_taken_off_the_edge_profile_but_a_long_straight_edge_stays():
    blocky = sparse_noisy_jpeg_art(3)[1]
    d = np.abs(np.diff(blocky.astype(np.int16), axis=1)).astype(np.uint8)
    assert jpeg_blocking(d, 1)[7::8].mean() > 0 and not jpeg_blocking(d, 1)[3::8].any()
    flat = np.zeros((64, 64, 3), np.uint8)
    flat[:, 32:] = 200  # one edge across every row, on the lattice
    d = np.abs(np.diff(flat.astype(np.int16), axis=1)).astype(np.uint8)
    assert not jpeg_blocking(d, 1).any() and edge_profile(flat, 1)[31] > 0


def sparse_noisy_jpeg_art(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 24 px sprite amid 80 x 80 px of background, 12.8 px cells, per-cell shade and per-pixel noise of 8
    levels, JPEG q75: few art boundaries, a block lattice everywhere (like ``ai_mix`` on big effect frames)."""
    rng = np.random.default_rng(seed)
    art = np.zeros((80, 80, 3), np.uint8)
    art[:] = rng.integers(0, 256, 3)
    art[28:52, 28:52] = simple_art(seed, 24)
    edges = np.ceil(np.arange(81) * 12.8 - 1e-9).astype(int)
    img = paint(art, edges, edges).astype(np.float64) + paint(rng.uniform(-5, 5, (80, 80, 1)), edges, edges)
    img = np.clip(img + rng.normal(0, 8, img.shape), 0, 255).round().astype(np.uint8)
    return art, jpeg(img, 75)


def test_large_noisy_jpeg_art_is_read_on_its_own_grid_not_on_the_block_lattice():
    for seed in (0, 2):  # without the lattice taken off: 13.11 and 13.34 px
        art, img = sparse_noisy_jpeg_art(seed)
        rec = reconstruct(img)
        assert abs(rec.grid.cell_x - 12.8) <= 0.02 * 12.8 and abs(rec.grid.cell_y - 12.8) <= 0.02 * 12.8, seed
        assert cells_right(rec.sprite, art) == 1.0, seed


@pytest.fixture(scope="module")
def tune_cases(tmp_path_factory) -> Path:
    """The first 88 cases of the tune split (``make_cases.py --split tune --seed 0``), as the eval makes them."""
    out = tmp_path_factory.mktemp("tune")
    script = Path(__file__).resolve().parents[2] / "evals" / "sprite" / "make_cases.py"
    subprocess.run([sys.executable, str(script), "--split", "tune", "--n", "88", "--seed", "0", "--out", str(out)],
                   check=True, capture_output=True)
    return out


def tune_case(folder: Path, index: int) -> tuple[np.ndarray, dict]:
    truth = json.loads((folder / "truth.json").read_text())[index]
    return np.asarray(Image.open(folder / f"{truth['name']}.png").convert("RGB")), truth


def test_first_line_does_not_snap_to_noise_where_the_first_boundary_is_hidden(tune_cases):
    # tune case 87 (colour noise, 28.56 px cells): its first row boundary is background on both sides, and
    # the first line snapped to a speck of noise 5 px in (offset 5 instead of 0)
    img, truth = tune_case(tune_cases, 87)
    rec = reconstruct(img)
    assert abs(rec.grid.cell_y - truth["cell_y"]) <= 0.02 * truth["cell_y"]
    assert circular(rec.grid.offset_y, truth["shown_y"], truth["cell_y"]) <= 1


def test_clean_art_on_an_8px_grid_at_offset_0_keeps_its_grid():
    # every boundary of per-pixel random art changes colour in nearly every row, on JPEG's own lattice
    for seed in range(3):
        art = np.random.default_rng(seed).integers(0, 256, (24, 24, 3)).astype(np.uint8)
        img = np.repeat(np.repeat(art, 8, 0), 8, 1)
        d = np.abs(np.diff(img.astype(np.int16), axis=1)).astype(np.uint8)
        assert not jpeg_blocking(d, 1).any()
        rec = reconstruct(img)
        assert rec.grid.cell_x == rec.grid.cell_y == 8.0 and np.array_equal(rec.sprite[..., :3], art)


def test_the_eval_scores_offsets_against_the_shown_grid_and_reads_older_truth_files():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals" / "sprite"))
    from run import offsets_ok

    truth = {"offset_x": 0.0, "offset_y": 4.0, "cell_x": 10.0, "cell_y": 10.0, "jitter_x": 0.0, "jitter_y": 0.5,
             "shown_x": 7.0, "shown_y": 4.5}
    assert offsets_ok({"offset_x": 7.4, "offset_y": 5.2}, truth)
    assert not offsets_ok({"offset_x": 7.4, "offset_y": 5.2}, truth, as_shown=False)  # the painted grid's 0
    older = {k: v for k, v in truth.items() if not k.startswith("shown")}
    assert offsets_ok({"offset_x": 9.5, "offset_y": 5.2}, older)  # offset + jitter, modulo the cell
