"""Sketchify through the tool contract and the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import SAMPLES
from PIL import Image

from atelier.agent.invoke import call_tool
from atelier.tools.core.images import read_png_text

ATELIER = Path(sys.executable).parent / "atelier"


def test_console_script_writes_sketch_and_prints_only_json(atelier_home, tmp_path):
    env = {**os.environ, "ATELIER_HOME": str(atelier_home)}
    proc = subprocess.run([str(ATELIER), "tool", "sketchify", "--image", str(SAMPLES / "astronaut.png"),
                           "--out", str(tmp_path / "o"), "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # stdout is JSON and nothing else
    assert result["ok"] and result["tool"] == "sketchify" and result["backend"] == "classical"
    assert result["backends"] == {"lines": "colour-dodge", "shading": "classical"}
    for key in ("background_purity", "tonal_range", "edge_fidelity", "seconds"):
        assert isinstance(result["metrics"][key], float)
    out = Path(result["artifacts"]["image"])
    assert out.parent == (tmp_path / "o").resolve()
    assert Image.open(out).size == Image.open(SAMPLES / "astronaut.png").size
    meta = read_png_text(out)
    assert meta["tool"] == "sketchify" and meta["backend"] == "classical" and meta["seed"] == 0
    assert meta["parameters"]["ai_strength"] == 0.35 and "lines" in meta["timings"]
    record = json.loads((atelier_home / "runs" / result["run_id"] / "record.json").read_text())
    assert record["ok"] and record["inputs"]["image"]["sha256"] and Path(record["inputs"]["image"]["stored"]).exists()


def test_same_seed_same_pixels_through_the_tool(tmp_path):
    photo = SAMPLES / "coffee.png"
    a = call_tool("sketchify", {"image": photo}, {"seed": 3}, record=False, out_dir=tmp_path / "a")
    b = call_tool("sketchify", {"image": photo}, {"seed": 3}, record=False, out_dir=tmp_path / "b")
    pa, pb = (np.asarray(Image.open(r.artifacts["image"])) for r in (a, b))
    assert np.array_equal(pa, pb)


def test_metrics_on_a_sample_photo_meet_the_targets(tmp_path):
    result = call_tool("sketchify", {"image": SAMPLES / "astronaut.png"}, {}, record=False, out_dir=tmp_path)
    assert result.ok
    assert result.metrics["background_purity"] >= 99.8
    assert result.metrics["tonal_range"] >= 90.0
    assert result.metrics["edge_fidelity"] > 0.3


def test_ai_strength_changes_the_drawing(tmp_path):
    photo = SAMPLES / "chelsea.png"
    lines = call_tool("sketchify", {"image": photo}, {"ai_strength": 0}, record=False, out_dir=tmp_path / "l")
    full = call_tool("sketchify", {"image": photo}, {"ai_strength": 1}, record=False, out_dir=tmp_path / "s")
    assert lines.backend == "lines-only" and lines.backends["shading"] == "none"
    a, b = (np.asarray(Image.open(r.artifacts["image"])).astype(int) for r in (lines, full))
    assert np.abs(a - b).mean() > 2


def test_learned_backend_requested_but_missing_says_so(tmp_path):
    out = tmp_path / "out"
    result = call_tool("sketchify", {"image": SAMPLES / "coffee.png"}, {"backend": "learned"}, out_dir=out)
    assert not result.ok and result.error.code == "BACKEND_UNAVAILABLE"
    assert "atelier models add shading" in result.error.message
    assert not out.exists()
