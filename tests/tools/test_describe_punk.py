"""describe_punk against punks a renderer draws from known traits (tests/punk_render.py); the model is
trained on renders by the same `punk train` command that trains the shipped one on CryptoPunks."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SAMPLES
from PIL import Image
from punk_render import random_label, render
from typer.testing import CliRunner

from atelier.runs.invoke import call_tool
from atelier.tools.punk.model import SHIPPED, expected_calibration_error, fit_temperature, load_model
from atelier.tools.punk.train import jpeg_roundtrip
from atelier.tools.punk.traits import PunkLabel

runner = CliRunner()


@pytest.fixture
def model(rendered_punk_model, settings) -> Path:
    """The model trained on rendered punks (once per session, through the tool's own `punk train`)."""
    (settings.models / "punk").mkdir(parents=True, exist_ok=True)
    shutil.copy(rendered_punk_model, settings.models / "punk" / "punk_mlp.npz")
    return rendered_punk_model


def save(pixels: np.ndarray, path: Path, **kw) -> str:
    Image.fromarray(pixels).save(path, **kw)
    return str(path)


def read_back(outputs: dict) -> PunkLabel:
    """The answer in the table's terms: type, skin tone and the set of accessories."""
    skin = outputs["skin_tone"]["value"]
    return PunkLabel(outputs["type"]["value"], skin.capitalize() if skin else None,
                     tuple(sorted(a["value"] for a in outputs["accessories"])))


def expected(label: PunkLabel) -> PunkLabel:
    return replace(label, accessories=tuple(sorted(label.accessories)))


def describe(path: str):
    return call_tool("describe_punk", {"image": path}, {})


def test_rendered_punks_are_described_exactly(model, tmp_path):
    rng = np.random.default_rng(2024)  # not the training seed: unseen trait combinations
    for i in range(25):
        label = random_label(rng)
        result = describe(save(render(label), tmp_path / f"p{i}.png"))
        assert result.ok, result.error
        assert read_back(result.outputs) == expected(label)
        assert result.outputs["type"]["confidence"] > 0.9


def test_every_key_has_a_value_and_a_confidence_and_the_caption_reads_them(model, tmp_path):
    label = PunkLabel("human female", "Medium", ("Blonde Bob", "Green Eye Shadow", "Earring"))
    punk = render(label)
    flat = punk[..., :3].copy()
    flat[punk[..., 3] == 0] = (99, 133, 150)  # the marketplace blue-gray
    result = describe(save(flat, tmp_path / "p.png"))
    out = result.outputs
    keys = {"type", "skin_tone", "hair", "headwear", "eyewear", "earring", "beard", "mouth", "neck", "background",
            "palette", "caption", "accessories"}
    assert set(out) == keys
    for key in keys - {"caption", "accessories"}:
        assert {"value", "confidence"} <= set(out[key]) and 0 <= out[key]["confidence"] <= 1
    assert out["hair"]["value"] == "Blonde Bob" and out["hair"]["colour"] == "blonde" and out["hair"]["style"] == "bob"
    assert out["headwear"]["value"] is None and out["beard"]["value"] is None
    assert out["earring"]["present"] and out["earring"]["kind"] == "gold"
    assert out["background"]["value"] == "blue-gray" and out["background"]["hex"] == "#638596"
    assert out["caption"] == ("A female punk with a blonde bob, green eye shadow and a gold earring, "
                              "on a blue-gray background")


def test_one_pixel_at_the_mouth_corner_flips_smile_and_neutral(model, tmp_path):
    neutral = render(PunkLabel("human male", "Dark", ("Mohawk",)))
    smiling = neutral.copy()
    smiling[16, 15] = (0, 0, 0, 255)
    assert int(np.any(neutral != smiling, axis=-1).sum()) == 1
    a = describe(save(neutral, tmp_path / "n.png")).outputs["mouth"]
    b = describe(save(smiling, tmp_path / "s.png")).outputs["mouth"]
    assert (a["value"], b["value"]) == ("neutral", "Smile")
    assert a["confidence"] > 0.8 and b["confidence"] > 0.8


def test_upscaled_and_jpeg_punks_read_like_the_native_one(model, tmp_path):
    rng = np.random.default_rng(99)
    for i in range(6):
        label = random_label(rng)
        punk = render(label)
        flat = punk[..., :3].copy()
        flat[punk[..., 3] == 0] = (99, 133, 150)
        native = read_back(describe(save(punk, tmp_path / f"n{i}.png")).outputs)
        variants = {
            "x8 nearest": cv2.resize(punk, (192, 192), interpolation=cv2.INTER_NEAREST),
            "x7.3 bilinear": cv2.resize(punk, (175, 175), interpolation=cv2.INTER_LINEAR),
            "x8 + JPEG q60": jpeg_roundtrip(cv2.resize(flat, (192, 192), interpolation=cv2.INTER_NEAREST), 60),
        }
        for name, pixels in variants.items():
            result = describe(save(pixels, tmp_path / f"v{i}.png"))
            assert result.ok, (name, result.error)
            assert read_back(result.outputs) == native == expected(label), name
            assert any("recovered the 24×24 pixel grid" in w for w in result.warnings)


def test_a_photo_is_not_a_punk_at_any_size(model, tmp_path):
    photo = np.asarray(Image.open(SAMPLES / "astronaut.png").convert("RGB"))
    for pixels in (photo, cv2.resize(photo, (24, 24), interpolation=cv2.INTER_AREA),
                   cv2.resize(photo, (192, 192), interpolation=cv2.INTER_AREA)):
        result = describe(save(pixels, tmp_path / "photo.png"))
        assert not result.ok and result.error.code == "NOT_A_PUNK"
        assert "not a punk portrait" in result.error.message
        assert "type" not in result.outputs


def test_a_23_by_25_image_is_rejected_clearly(model, tmp_path):
    result = describe(save(np.zeros((25, 23, 4), np.uint8), tmp_path / "odd.png"))
    assert not result.ok and result.error.code == "NOT_A_PUNK"
    assert "24×24" in result.error.message and "23×25" in result.error.message


def test_temperature_fitting_undoes_overconfidence():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 1.5, (4000, 6))
    p = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    y = np.array([rng.choice(6, p=row) for row in p])
    t = fit_temperature(true_logits * 3.0, y)
    assert 2.6 < t < 3.4
    over = np.exp(true_logits * 3.0) / np.exp(true_logits * 3.0).sum(1, keepdims=True)
    right = over.argmax(1) == y
    assert expected_calibration_error(p.max(1), right) < 0.03 < expected_calibration_error(over.max(1), right)


def test_the_shipped_model_matches_the_schema_and_is_small():
    assert SHIPPED.exists() and SHIPPED.stat().st_size < 6_000_000
    shipped = load_model(SHIPPED)
    assert set(shipped.temperatures) == set(shipped.slices) and shipped.info["punks"] == 10_000
