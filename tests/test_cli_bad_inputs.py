"""The bad-input corpus through the CLI, for every registered tool that takes an image."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES
from corpus import build_corpus
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.core.registry import get_tool, tool_names
from atelier.runs.store import RunStore

IMAGE_TOOLS = [n for n in tool_names() if get_tool(n).role("image") is not None]
# tools that read only one kind of picture refuse the corpus's odd-but-valid photos with their own code
OWN_REFUSAL = {"describe_punk": "NOT_A_PUNK", "detect_closed_eyes": "NO_FACE", "open_eyes": "NO_FACE",
               "best_take": "BAD_ARGUMENT",  # one photo is not a burst
               "restore_face": "NO_FACE"}
runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("tool", IMAGE_TOOLS)
def test_every_tool_refuses_bad_files_and_accepts_odd_ones(tool, corpus, atelier_home, tmp_path):
    store = RunStore(atelier_home)
    ref = ["--ref", str(SAMPLES / "coffee.png")] if get_tool(tool).role("ref") else []  # a good second input
    for case in corpus:
        out = tmp_path / f"out-{tool}-{case.name}"
        res = runner.invoke(app, ["tool", tool, "--image", str(case.path), *ref, "--out", str(out), "--json"])
        result = json.loads(res.stdout)
        record = store.get(result["run_id"])
        assert record is not None, case.name
        if case.error:
            assert res.exit_code == 2, (case.name, res.stdout)
            assert result["ok"] is False and result["error"]["code"] == case.error, case.name
            assert record["ok"] is False and record["error"]["code"] == case.error
            assert not out.exists() or not any(out.iterdir()), case.name
            run_dir = atelier_home / "runs" / result["run_id"]
            assert sorted(p.name for p in run_dir.iterdir()) == ["record.json"], case.name
        elif tool in OWN_REFUSAL and not result["ok"]:
            assert res.exit_code == 2 and result["error"]["code"] == OWN_REFUSAL[tool], (case.name, res.stdout)
        else:
            assert res.exit_code == 0, (case.name, res.stdout)
            assert result["ok"] is True
            assert any(case.warning in w for w in result["warnings"]), (case.name, result["warnings"])
            assert record["warnings"] == result["warnings"]


def test_unknown_tool_and_bad_arguments_exit_2(tmp_path, astronaut):
    res = runner.invoke(app, ["tool", "no_such_tool", "--image", "x.png", "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["error"]["code"] == "BAD_ARGUMENT"
    from PIL import Image

    Image.fromarray(astronaut[:64, :64]).save(tmp_path / "p.png")
    for bad in (["--set", "ai_strength=1.5"], ["--set", "colour=red"], ["--set", "noequals"]):
        res = runner.invoke(app, ["tool", "sketchify", "--image", str(tmp_path / "p.png"), *bad, "--json"])
        assert res.exit_code == 2, bad
        assert json.loads(res.stdout)["error"]["code"] == "BAD_ARGUMENT"


def test_missing_required_image_is_a_bad_argument():
    res = runner.invoke(app, ["tool", "sketchify", "--json"])
    assert res.exit_code == 2
    assert "needs an input image" in json.loads(res.stdout)["error"]["message"]
