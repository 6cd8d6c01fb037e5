"""Tools through the agent and the CLI: chains planned from words, and each result's card in the human output
(the caption and attributes of a punk, the runs found, not metric keys)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from punk_render import random_label, render
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.agent.session import Session
from atelier.tools.punk.traits import PunkLabel

runner = CliRunner()


def install(model: Path, settings) -> None:
    (settings.models / "punk").mkdir(parents=True, exist_ok=True)
    shutil.copy(model, settings.models / "punk" / "punk_mlp.npz")


def test_cli_prints_the_punk_card_caption_and_attributes(rendered_punk_model, settings, tmp_path):
    install(rendered_punk_model, settings)
    path = tmp_path / "z.png"
    Image.fromarray(render(PunkLabel("zombie", None, ("Cap", "Cigarette")))).save(path)
    res = runner.invoke(app, ["tool", "describe_punk", "--image", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["outputs"]
    assert out["type"]["value"] == "zombie" and out["headwear"]["value"] == "Cap"
    assert out["mouth"]["prop"]["value"] == "Cigarette"
    assert out["caption"] == "A zombie punk with a cap and a cigarette, on a transparent background"
    human = runner.invoke(app, ["tool", "describe_punk", "--image", str(path)])
    assert human.exit_code == 0, human.output
    assert out["caption"] in human.stdout
    assert "type · zombie · " in human.stdout and "headwear · Cap · " in human.stdout
    assert "min_confidence" not in human.stdout and "punk_likelihood" not in human.stdout


def test_the_agent_fixes_the_pixels_then_reads_the_traits(rendered_punk_model, settings, tmp_path):
    install(rendered_punk_model, settings)
    label = PunkLabel("human male", "Light", ("Wild Hair", "Classic Shades", "Earring"))
    big = cv2.resize(render(label), (192, 192), interpolation=cv2.INTER_NEAREST)
    Image.fromarray(big).save(tmp_path / "big.png")
    reply = Session().ask("this punk was upscaled, fix the pixels and tell me its traits", [tmp_path / "big.png"])
    assert [r["tool"] for r in reply.results] == ["reconstruct_sprite", "describe_punk"]
    assert all(r["ok"] for r in reply.results)
    sprite, described = (r["result"] for r in reply.results)
    assert (sprite["outputs"]["width"], sprite["outputs"]["height"], sprite["outputs"]["cell_size"]) == (24, 24, 8)
    got = described["outputs"]
    assert got["hair"]["value"] == "Wild Hair" and got["eyewear"]["value"] == "Classic Shades"
    assert "hair · Wild Hair" in reply.answer and "eyewear · Classic Shades" in reply.answer


def test_cli_lists_the_runs_search_found(settings, tmp_path):
    rng = np.random.default_rng(3)
    Image.fromarray(render(random_label(rng))).save(tmp_path / "p.png")
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((64, 64, 3), 200, np.uint8)).save(photo)
    made = runner.invoke(app, ["ask", "make it a pencil sketch", "--image", str(photo)])
    assert made.exit_code == 0, made.output
    res = runner.invoke(app, ["tool", "search_runs", "--set", "query=pencil sketch"])
    assert res.exit_code == 0, res.output
    assert "Past runs — Found 1 past run for “pencil sketch”." in res.stdout
    assert "make it a pencil sketch: sketchify, match" in res.stdout


def test_make_this_sketch_cyberpunk_then_find_it(atelier_home, tmp_path):
    from conftest import SAMPLES

    from atelier.runs.invoke import call_tool

    sketch = call_tool("sketchify", {"image": SAMPLES / "astronaut.png"}, {}, out_dir=tmp_path)
    session = Session()
    reply = session.ask("make this sketch cyberpunk", [sketch.artifacts["image"]])
    assert [r["tool"] for r in reply.results] == ["retrieve_style", "stylize"] and all(r["ok"] for r in reply.results)
    styled = reply.results[1]["result"]
    assert styled["outputs"]["style"] == "cyberpunk" and styled["metrics"]["structure_f1"] >= 0.9
    found = session.ask("show my cyberpunk sketches")
    runs = found.results[0]["result"]["outputs"]["runs"]
    assert runs[0]["run_id"] == styled["run_id"] and runs[0]["tool"] == "stylize"
    assert "search_runs" not in {r["tool"] for r in runs}
