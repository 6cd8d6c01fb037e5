"""The colour-true transplant and the self-check: a blue-eyed donor under warm light keeps blue irises;
a result that still reads closed is reported as verified_open false, in the card's words too."""

from __future__ import annotations

import json

import numpy as np
import pytest
from eye_fixtures import blue_eyed, iris_mask, lab_hue
from PIL import Image

from atelier.core.runner import run_tool


@pytest.fixture(scope="module")
def scene(astronaut):
    from atelier.tools.faces.blend import apply_gains
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    face = MediaPipeLandmarker().detect(astronaut)[0]
    blue = blue_eyed(astronaut, face)
    warm = apply_gains(blue, np.array([1.35, 1.0, 0.65]))  # tungsten-ish light: red up, blue down
    shut = close_eye(close_eye(astronaut, face, "left"), face, "right")
    return {"face": face, "blue": blue, "warm": warm, "shut": shut, "iris": iris_mask(face, astronaut.shape)}


def test_fit_similarity_is_least_squares_and_exact_on_a_similarity():
    from atelier.tools.eyes.backends import apply_affine, fit_similarity

    rng = np.random.default_rng(1)
    src = rng.uniform(0, 100, (16, 2))
    true = np.array([[0.9 * np.cos(0.3), -0.9 * np.sin(0.3), 5.0], [0.9 * np.sin(0.3), 0.9 * np.cos(0.3), -7.0]])
    assert np.allclose(fit_similarity(src, apply_affine(true, src)), true, atol=1e-9)
    noisy = apply_affine(true, src) + rng.normal(0, 0.5, src.shape)
    fit = fit_similarity(src, noisy)
    assert np.sqrt(np.mean(np.sum((apply_affine(fit, src) - noisy) ** 2, 1))) < 0.8


def test_blue_eyed_donor_under_warm_light_keeps_blue_irises(scene, tmp_path):
    Image.fromarray(scene["shut"]).save(tmp_path / "shut.png")
    Image.fromarray(scene["warm"]).save(tmp_path / "warm.png")
    res = run_tool("open_eyes", {"image": tmp_path / "shut.png", "ref": tmp_path / "warm.png"},
                   {"backend": "reference"}, out_dir=tmp_path / "out").result
    assert res.ok, res.error
    out = np.asarray(Image.open(res.artifacts["image"]).convert("RGB"))
    want_hue, want_chroma = lab_hue(scene["blue"], scene["iris"])
    warm_hue, _ = lab_hue(scene["warm"], scene["iris"])
    got_hue, got_chroma = lab_hue(out, scene["iris"])
    assert abs(want_hue - warm_hue) > 15  # the warm light really moved the donor's iris hue
    assert abs((got_hue - want_hue + 180) % 360 - 180) <= 10
    assert got_chroma > 0.6 * want_chroma  # still clearly blue, not washed out to grey
    face = res.outputs["faces"][0]
    for side in ("right", "left"):
        rep = face["transplant"][side]
        assert rep["residual_rms_px"] < 3.0 and "eye-contour" in rep["fit"]
        assert rep["light_gains_rgb"][0] < 0.9 < 1.1 < rep["light_gains_rgb"][2]  # the warm cast taken out
    assert face["verified_open"] is True and res.metrics["faces_verified_open"] == 1


def test_a_still_closed_result_is_reported_verified_open_false(scene, tmp_path):
    from atelier.core.cards import card_text
    from atelier.core.registry import get_tool

    Image.fromarray(scene["shut"]).save(tmp_path / "shut.png")
    Image.fromarray(scene["warm"]).save(tmp_path / "warm.png")
    res = run_tool("open_eyes", {"image": tmp_path / "shut.png", "ref": tmp_path / "warm.png"},
                   out_dir=tmp_path / "out", hooks={"inpaint_unchanged": True}).result
    assert res.ok, res.error
    face = res.outputs["faces"][0]
    assert face["verified_open"] is False
    assert face["attempts"][0] == "reference"  # mirror cannot help (both closed), SDXL is not installed
    assert any("still reads as closed" in w for w in res.warnings)
    card = get_tool("open_eyes").present(json.loads(res.model_dump_json()), {"image": str(tmp_path / "shut.png")})
    text = card_text(card)  # the tool's own card
    assert "Not verified: face 1" in text
