from __future__ import annotations

import os

import pytest
from conftest import SAMPLES

from atelier.core.config import load_settings
from atelier.runs.invoke import call_tool


def test_defaults_live_under_atelier_home(atelier_home):
    s = load_settings()
    assert s.home == atelier_home and s.models == atelier_home / "models"
    assert s.limits.max_pixels == 50_000_000 and s.config_file is None
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_toml_file_sets_limits_backends_and_tool_defaults(atelier_home, monkeypatch, tmp_path):
    atelier_home.mkdir(parents=True, exist_ok=True)
    (atelier_home / "config.toml").write_text(
        '[limits]\nmax_pixels = 1000\n\n[backends]\nsketch_shading = "learned"\n\n'
        '[tools.sketchify]\nai_strength = 0.8\n')
    monkeypatch.delenv("ATELIER_MODELS")
    s = load_settings()
    assert s.limits.max_pixels == 1000 and s.backend_for("sketch_shading") == "learned"
    assert s.defaults_for("sketchify") == {"ai_strength": 0.8}
    too_big = call_tool("sketchify", {"image": SAMPLES / "coffee.png"}, {}, record=False, out_dir=tmp_path)
    assert too_big.error.code == "IMAGE_TOO_LARGE"
    monkeypatch.setenv("ATELIER_MAX_PIXELS", "10000000")
    learned = call_tool("sketchify", {"image": SAMPLES / "coffee.png"}, {}, record=False, out_dir=tmp_path)
    assert learned.error.code == "BACKEND_UNAVAILABLE"  # config chose the learned backend; no weights here
    monkeypatch.setenv("ATELIER_BACKEND_SKETCH_SHADING", "classical")
    ok = call_tool("sketchify", {"image": SAMPLES / "coffee.png"}, {}, record=False, out_dir=tmp_path)
    assert ok.ok and ok.backend == "classical" and ok.outputs["shading"] == 0.8


def test_broken_toml_is_a_clear_error(atelier_home):
    atelier_home.mkdir(parents=True, exist_ok=True)
    (atelier_home / "config.toml").write_text("[limits\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_settings()
    result = call_tool("sketchify", {"image": SAMPLES / "coffee.png"}, {})
    assert result.error.code == "BAD_ARGUMENT" and "not valid TOML" in result.error.message


def test_timeout_stops_a_call_with_timeout(tmp_path):
    result = call_tool("sketchify", {"image": SAMPLES / "astronaut.png"}, {}, out_dir=tmp_path / "o",
                       timeout_s=1e-9)
    assert not result.ok and result.error.code == "TIMEOUT"
    assert not (tmp_path / "o").exists()
