"""describe_punk refuses anything that fails any punk check (issue 18, item 7)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from punk_render import random_label, render

from atelier.runs.invoke import call_tool


def describe(path):
    return call_tool("describe_punk", {"image": path}, {}, record=False)


def _save(pixels: np.ndarray, path):
    Image.fromarray(pixels).save(path)
    return path


def _word(text: str, size: int = 96) -> np.ndarray:
    img = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(img).text((8, size // 3), text, fill=(200, 0, 0), font=ImageFont.load_default(size=size // 3))
    return np.asarray(img)


@pytest.mark.parametrize("case", ["green", "blue", "word_red", "red_on_black"])
def test_non_punks_are_refused(case, tmp_path):
    pixels = {
        "green": np.tile(np.array([0, 200, 0, 255], np.uint8), (24, 24, 1)),
        "blue": np.tile(np.array([20, 40, 220, 255], np.uint8), (24, 24, 1)),
        "word_red": _word("RED"),
        "red_on_black": 255 - _word("RED"),
    }[case]
    result = describe(_save(pixels, tmp_path / f"{case}.png"))
    assert not result.ok and result.error.code == "NOT_A_PUNK", (case, result.outputs)
    assert "type" not in result.outputs
    assert result.outputs["reasons"], "a refusal says which checks failed"


def test_a_huge_blank_image_is_refused_without_decoding_it(tmp_path):
    Image.new("RGB", (7000, 7000), "white").save(tmp_path / "blank.png")
    result = describe(tmp_path / "blank.png")
    assert not result.ok and result.error.code in ("IMAGE_TOO_LARGE", "NOT_A_PUNK")
    assert "budget" in result.error.message or "not a punk" in result.error.message


def test_rendered_punks_still_pass_every_check(tmp_path):
    from atelier.tools.punk.canonical import canonical
    from atelier.tools.punk.describe import punkness

    rng = np.random.default_rng(7)
    for i in range(30):
        pixels = render(random_label(rng))
        check = punkness(canonical(pixels))
        assert check.is_punk and check.score == 1.0, (i, check.reasons)
        big = np.repeat(np.repeat(pixels, 8, axis=0), 8, axis=1)
        assert punkness(canonical(big)).is_punk
    result = describe(_save(render(random_label(rng)), tmp_path / "p.png"))
    assert result.ok, result.error
