"""Every tool's card renders in the chat from a real result (each tool run here on a small known input),
with human labels: the facts each card must show, and no raw metric keys or internal file paths."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SAMPLES
from PIL import Image
from streamlit.testing.v1 import AppTest

from atelier.runs.invoke import call_tool


def render(tool: str, result: dict, inputs: dict) -> AppTest:
    def page(tool: str, result_json: str, inputs_json: str) -> None:
        import json

        from atelier.agent.present import card_for
        from atelier.ui.components.card import show_card

        show_card(card_for(tool, json.loads(result_json), json.loads(inputs_json)), key="t")

    at = AppTest.from_function(page, args=(tool, json.dumps(result), json.dumps(inputs)), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def run(tool: str, images: dict, args: dict | None = None) -> dict:
    result = call_tool(tool, images, args or {})
    assert result.ok, result.error
    return result.model_dump(mode="json")


CASES = {
    "sketchify": ({"image": SAMPLES / "coffee.png"}, {}, ("Drew the photo in graphite", "Shading: **35 %**"), 2),
    "detect_closed_eyes": ({"image": SAMPLES / "astronaut_blink.png"}, {},
                           ("1 of 1 face with closed eyes: face 1.", "right and left eyes closed"), 2),
    "open_eyes": ({"image": SAMPLES / "astronaut_blink.png", "ref": SAMPLES / "astronaut.png"}, {},
                  ("Opened the eyes of 1 face.", "opened (reference)"), 5),
    "restore_face": ({"image": SAMPLES / "astronaut.png"}, {}, ("Restored 1 face", "Noise:"), 2),
    "retrieve_style": ({}, {"query": "cyberpunk"}, ("Closest style: cyberpunk",), 1),
    "reconstruct_sprite": ({"image": SAMPLES / "sprite_upscaled.png"}, {}, ("12 px cells", "Grid candidates"), 3),
}


@pytest.mark.parametrize("tool", sorted(CASES))
def test_each_tool_card_shows_its_findings_in_words(tool):
    images, args, facts, n_images = CASES[tool]
    result = run(tool, images, args)
    at = render(tool, result, {role: str(path) for role, path in images.items()})
    text = shown(at)
    for fact in facts:
        assert fact in text, (fact, text)
    assert len(at.get("image")) >= n_images
    keys = [k for k in result["metrics"] if "_" in k]
    assert not [k for k in keys if k in text], keys  # no raw metric keys
    assert "/runs/" not in text and "/inputs/" not in text


def test_stylize_card_shows_before_reference_and_result(tmp_path):
    found = run("retrieve_style", {}, {"query": "watercolor"})
    result = run("stylize", {"image": SAMPLES / "coffee.png", "ref": found["artifacts"]["image"]})
    at = render("stylize", result, {"image": str(SAMPLES / "coffee.png"), "ref": found["artifacts"]["image"]})
    assert "Restyled the image in watercolor" in shown(at)
    captions = [getattr(i, "caption", None) for i in at.get("image")]
    assert len(at.get("image")) == 3, captions


def test_punk_card_is_the_caption_and_an_attribute_table(tmp_path):
    from punk_render import render as draw

    from atelier.tools.punk.traits import PunkLabel

    Image.fromarray(draw(PunkLabel("alien", None, ("Cap",)))).save(tmp_path / "p.png")
    result = run("describe_punk", {"image": tmp_path / "p.png"})
    at = render("describe_punk", result, {"image": str(tmp_path / "p.png")})
    text = shown(at)
    assert result["outputs"]["caption"] in text
    table = next(m.value for m in at.markdown if "| attribute | value | confidence |" in m.value)
    kind = result["outputs"]["type"]
    assert f"| type | {kind['value']} | {100 * kind['confidence']:.0f} % |" in table
    assert "{" not in table  # nested traits (a mouth's prop, lipstick) in words, not as raw data
    assert "min_confidence" not in text


def test_past_runs_card_is_a_grid_of_thumbnails_that_open_their_conversation(tmp_path):
    Image.fromarray(np.full((40, 40, 3), 180, np.uint8)).save(tmp_path / "grey.png")
    made = run("sketchify", {"image": tmp_path / "grey.png"})
    result = run("search_runs", {}, {"query": "pencil sketch"})
    assert [r["run_id"] for r in result["outputs"]["runs"]] == [made["run_id"]]
    at = render("search_runs", result, {})
    assert "Found 1 past run" in shown(at)
    assert len(at.get("image")) == 1
    assert [b.label for b in at.button] == []  # no on_open given here: the chat passes one (see the browser test)
