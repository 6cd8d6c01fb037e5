"""Arguments are checked strictly, once, in the runner; the CLI explains tools and near misses
(issue 18, items 11 and 13)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.core.runner import run_tool
from atelier.runs.invoke import call_tool

runner = CliRunner()


@pytest.fixture
def photo(tmp_path):
    img = np.full((64, 80, 3), 230, np.uint8)
    img[10:40, 10:50] = 40
    Image.fromarray(img).save(tmp_path / "p.png")
    return tmp_path / "p.png"


def _tool(*args: str):
    res = runner.invoke(app, ["tool", *args, "--json"])
    return res, json.loads(res.stdout)


@pytest.mark.parametrize("pair", ["seed=" + "7" * 5000, "ai_strength=true", "shading=true", "shading=false",
                                  "grain=Infinity", "grain=NaN", "shading=-Infinity", "seed=1e400",
                                  "seed=" + "9" * 30])
def test_strict_numbers_are_bad_arguments(pair, photo, atelier_home):
    res, result = _tool("sketchify", "--image", str(photo), "--set", pair)
    assert res.exit_code == 2, (pair, res.output[-300:])
    assert result["error"]["code"] == "BAD_ARGUMENT", pair
    assert result["run_id"] is None or (atelier_home / "runs" / result["run_id"] / "record.json").exists()


def test_offset_infinity_is_refused_by_the_runner(tmp_path):
    sprite = np.kron(np.eye(8, dtype=np.uint8) * 255, np.ones((6, 6), np.uint8))
    Image.fromarray(np.dstack([sprite] * 3)).save(tmp_path / "s.png")
    for value in (float("inf"), float("nan"), "Infinity", "inf"):
        res = run_tool("reconstruct_sprite", {"image": tmp_path / "s.png"}, {"offset_x": value}).result
        assert not res.ok and res.error.code == "BAD_ARGUMENT", value


@pytest.mark.parametrize("value", ["nan", "0", "-1", "inf", "-inf"])
def test_bad_timeouts_are_bad_arguments(value, photo):
    res, result = _tool("sketchify", "--image", str(photo), "--timeout", value)
    assert res.exit_code == 2 and result["error"]["code"] == "BAD_ARGUMENT", (value, result["error"])
    assert "timeout" in result["error"]["message"]


def test_unknown_input_roles_are_refused(photo):
    res = call_tool("sketchify", {"image": photo, "reff": photo}, {}, record=False)
    assert not res.ok and res.error.code == "BAD_ARGUMENT" and "reff" in res.error.message
    res, result = _tool("sketchify", "--image", str(photo), "--ref", str(photo))
    assert res.exit_code == 2 and "ref" in result["error"]["message"]


def test_the_fail_faces_test_hook_is_not_an_argument(photo):
    res, result = _tool("open_eyes", "--image", str(photo), "--set", "fail_faces=[0]")
    assert res.exit_code == 2 and result["error"]["code"] == "BAD_ARGUMENT"
    assert "fail_faces" in result["error"]["message"]


def test_closest_argument_and_tool_names(photo):
    res, result = _tool("sketchify", "--image", str(photo), "--set", "shadng=0.3")
    assert res.exit_code == 2 and "did you mean 'shading'" in result["error"]["message"]
    res, result = _tool("skecthify", "--image", str(photo))
    assert res.exit_code == 2 and "did you mean 'sketchify'" in result["error"]["message"]


def test_tool_help_lists_every_argument_with_type_default_and_range():
    from atelier.core.registry import get_tool

    res = runner.invoke(app, ["tool", "sketchify", "--help"])
    assert res.exit_code == 0
    for name in get_tool("sketchify").args_model.model_fields:
        assert name in res.output, name
    assert "default" in res.output and "[0" in res.output  # shading in [0 .. 1]
    assert "12,000,000 pixels" in res.output  # the budget
    res = runner.invoke(app, ["tool", "reconstruct_sprite", "--help"])
    assert "offset_x" in res.output


def test_refs_parser_refuses_a_trailing_newline():
    from atelier.agent.refs import PATTERN

    assert PATTERN.fullmatch("$last.image")
    assert not PATTERN.fullmatch("$last.image\n")
    assert not PATTERN.fullmatch("$step1.image\n")


def test_missing_model_messages_read_well(settings):
    from atelier.core.models import MODEL_KINDS, missing_reason

    for kind in MODEL_KINDS:
        text = missing_reason(settings, kind)
        assert "no no " not in text and "no a " not in text and "no an " not in text, text
        assert text.startswith("no ") and "atelier models add" in text


def test_native_logs_do_not_reach_the_terminal(tmp_path, atelier_home):
    """A face tool through the real CLI: stderr carries no MediaPipe/TFLite/absl/protobuf lines unless
    --verbose; they land in ATELIER_HOME/logs/native.log."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import SAMPLES

    env = {**os.environ, "ATELIER_HOME": str(atelier_home)}
    exe = Path(sys.executable).with_name("atelier")
    quiet = subprocess.run([str(exe), "tool", "detect_closed_eyes", "--image", str(SAMPLES / "astronaut.png"),
                            "--json", "--no-record"], capture_output=True, text=True, env=env, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    json.loads(quiet.stdout)
    for noise in ("GetPrototype", "TensorFlow Lite", "absl", "W0000", "INFO:"):
        assert noise not in quiet.stderr, quiet.stderr
    loud = subprocess.run([str(exe), "--verbose", "tool", "detect_closed_eyes", "--image",
                           str(SAMPLES / "astronaut.png"), "--json", "--no-record"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert loud.returncode == 0 and json.loads(loud.stdout)["ok"]
    assert (atelier_home / "logs" / "native.log").exists()
