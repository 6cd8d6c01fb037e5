"""Sprite reconstruction on sprites drawn by the test, with known grids."""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from conftest import tool_command
from PIL import Image
from typer.testing import CliRunner

from atelier.runs.invoke import call_tool
from atelier.tools.sprite.diff import cell_heatmap, diff_metrics, pixel_difference
from atelier.tools.sprite.feedback import FIELDS, MalformedLog, append_feedback, read_feedback
from atelier.tools.sprite.grid import grid_lines
from atelier.tools.sprite.reconstruct import Overrides, reconstruct

runner = CliRunner()


def sprite(seed: int = 0, size: int = 16, colours: int = 5) -> np.ndarray:
    """A random sprite: a palette, 2x2-ish blobs, and a dark outline around a symmetric silhouette."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(20, 240, (colours, 3))
    idx = cv2.resize(rng.integers(0, colours, (size // 2, size // 2)).astype(np.uint8), (size, size),
                     interpolation=cv2.INTER_NEAREST)
    img = palette[idx].astype(np.uint8)
    img[rng.random((size, size)) < 0.15] = (15, 15, 25)
    return img


def upscale(s: np.ndarray, scale: float, off_x: int = 0, off_y: int = 0) -> np.ndarray:
    """Nearest-neighbour upscale, then crop ``off`` pixels so the first whole cell starts at ``-off mod scale``."""
    h, w = s.shape[:2]
    H, W = int(round(h * scale)), int(round(w * scale))
    ys = np.minimum((np.arange(H) / scale).astype(int), h - 1)
    xs = np.minimum((np.arange(W) / scale).astype(int), w - 1)
    return s[ys[:, None], xs[None, :]][off_y:, off_x:]


def circ(a: float, b: float, period: float) -> float:
    d = abs(a - b) % period
    return min(d, period - d)


@pytest.mark.parametrize(("scale", "off_x", "off_y"), [(2, 0, 1), (3, 1, 2), (5, 0, 0), (8, 3, 5), (13, 7, 2),
                                                        (24, 11, 20)])
def test_clean_integer_upscales_are_recovered_exactly(scale, off_x, off_y):
    s = sprite(scale)
    rec = reconstruct(upscale(s, scale, off_x, off_y))
    assert abs(rec.grid.cell_x - scale) < 0.05 and abs(rec.grid.cell_y - scale) < 0.05
    assert circ(rec.grid.offset_x, (-off_x) % scale, scale) <= 1
    assert circ(rec.grid.offset_y, (-off_y) % scale, scale) <= 1
    expected = s[1 if off_y > scale / 2 else 0:, 1 if off_x > scale / 2 else 0:]
    assert rec.sprite.shape == expected.shape
    assert np.array_equal(rec.sprite, expected)
    assert rec.metrics["diff_percent"] == 0.0 and rec.confidence > 0.9


@pytest.mark.parametrize("scale", [6.5, 11.3, 20.8])
def test_non_integer_scale_within_one_percent(scale):
    s = sprite(int(scale * 10), size=24)
    rec = reconstruct(upscale(s, scale))
    assert abs(rec.grid.cell_size - scale) / scale < 0.01
    assert rec.sprite.shape[:2] == (24, 24)
    assert (np.abs(rec.sprite.astype(int) - s).max(axis=2) == 0).mean() > 0.97


def test_jpeg_compressed_upscale_keeps_the_grid():
    s = sprite(3, size=20)
    buf = io.BytesIO()
    Image.fromarray(upscale(s, 12, 5, 9)).save(buf, format="JPEG", quality=55)
    jpeg = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    rec = reconstruct(jpeg)
    assert abs(rec.grid.cell_size - 12) < 0.2
    assert rec.sprite.shape[:2] == (19, 20)
    assert (np.abs(rec.sprite.astype(int) - s[1:]).max(axis=2) <= 24).mean() > 0.98


def test_overrides_do_exactly_what_they_say():
    s = sprite(4)
    img = upscale(s, 8)
    double = reconstruct(img, Overrides(cell_size=16, offset_x=0, offset_y=0))
    assert (double.grid.cell_x, double.grid.cell_y) == (16, 16) and double.sprite.shape[:2] == (8, 8)
    assert double.metrics["diff_percent"] > 10  # a too-large cell visibly disagrees with the input
    half = reconstruct(img, Overrides(cell_size=4))
    assert half.sprite.shape[:2] == (32, 32) and np.array_equal(half.sprite, np.repeat(np.repeat(s, 2, 0), 2, 1))
    shifted = reconstruct(img, Overrides(cell_size=8, offset_x=4, offset_y=0))
    assert shifted.grid.offset_x == 4 and shifted.xlines[0] == 0 and shifted.xlines[1] == 4
    assert shifted.metrics["diff_percent"] > 10  # a wrong offset is visible in the difference
    pal = reconstruct(img, Overrides(palette_size=2))
    assert len(np.unique(pal.sprite.reshape(-1, 3), axis=0)) == 2


def test_a_photo_is_flagged_low_confidence():
    from conftest import SAMPLES

    photo = np.asarray(Image.open(SAMPLES / "coffee.png").convert("RGB"))
    rec = reconstruct(photo)
    assert rec.confidence < 0.5


def test_transparent_background_is_kept():
    s = sprite(5)
    rgba = np.dstack([s, np.full(s.shape[:2], 255, np.uint8)])
    rgba[:4, :4] = 0
    rec = reconstruct(upscale(rgba, 6))
    assert rec.sprite.shape == (16, 16, 4)
    assert (rec.sprite[:4, :4, 3] == 0).all() and (rec.sprite[8:, 8:, 3] == 255).all()


def test_diff_and_heatmap_known_answers():
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    b[0, 0] = (100, 0, 0)
    d = pixel_difference(a, b)
    assert diff_metrics(d) == {"diff_percent": 6.25, "mean_abs_diff": 6.25}
    heat = cell_heatmap(d, np.array([0, 2, 4]), np.array([0, 2, 4]))
    assert heat.shape == (2, 2, 3) and heat[0, 0, 0] > 0 and heat[1, 1].sum() == 0
    assert grid_lines(20, 4, 1).tolist() == [1, 5, 9, 13, 17, 20]  # the 1-px sliver at the left is dropped
    assert grid_lines(20, 4, 3).tolist() == [0, 3, 7, 11, 15, 19]  # a 3-px border cell is kept


def test_feedback_round_trips_and_refuses_malformed_logs(tmp_path):
    log = tmp_path / "fb.csv"
    append_feedback(log, {"run_id": "r1", "verdict": "correct", "cell_size": 8.0, "note": "looks, right"})
    append_feedback(log, {"run_id": "r2", "verdict": "incorrect", "override_cell_size": 4})
    rows = read_feedback(log)
    assert [r["run_id"] for r in rows] == ["r1", "r2"] and rows[0]["note"] == "looks, right"
    assert rows[1]["override_cell_size"] == "4" and list(rows[0]) == FIELDS
    with pytest.raises(ValueError):
        append_feedback(log, {"run_id": "r3", "verdict": "maybe"})
    bad = tmp_path / "bad.csv"
    bad.write_text("something,else\n1,2\n")
    with pytest.raises(MalformedLog):
        append_feedback(bad, {"run_id": "r", "verdict": "correct"})
    assert bad.read_text() == "something,else\n1,2\n"


def test_recorded_tool_call_with_feedback_from_the_tools_command(tmp_path, atelier_home):
    s = sprite(6)
    Image.fromarray(upscale(s, 10, 3, 4)).save(tmp_path / "up.png")
    res = call_tool("reconstruct_sprite", {"image": tmp_path / "up.png"}, {})
    assert res.ok, res.error
    out = json.loads(res.model_dump_json())
    o = out["outputs"]
    assert abs(o["cell_size"] - 10) < 0.05 and (o["width"], o["height"]) == (16, 16)
    assert circ(o["offset_x"], 7, 10) <= 1 and circ(o["offset_y"], 6, 10) <= 1
    assert o["is_pixel_art"] and o["diff_percent"] < 1 and len(o["candidates"]) >= 1
    assert set(out["artifacts"]) == {"image", "preview", "overlay", "heatmap"}
    assert np.array_equal(np.asarray(Image.open(out["artifacts"]["image"]))[..., :3], s)
    res = runner.invoke(tool_command("reconstruct_sprite", "feedback"),
                        ["feedback", out["run_id"], "--incorrect", "--note", "top row off"])
    assert res.exit_code == 0, res.output
    rows = read_feedback(atelier_home / "sprite_feedback.csv")
    assert rows[0]["verdict"] == "incorrect" and float(rows[0]["cell_size"]) == o["cell_size"]
    override = call_tool("reconstruct_sprite", {"image": tmp_path / "up.png"}, {"cell_size": 20})
    assert override.outputs["width"] == 8
