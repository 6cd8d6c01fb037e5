"""stylize (palette backend) and search_runs, on images with known structure."""

from __future__ import annotations

import cv2
import numpy as np
from conftest import SAMPLES
from PIL import Image

from atelier.knowledge.styles import shipped_cards
from atelier.runs.invoke import call_tool
from atelier.tools.style.palette import extract_palette, reinhard, structure_f1, style_distance, stylize_palette


def line_drawing() -> np.ndarray:
    img = np.full((200, 240, 3), 255, np.uint8)
    cv2.rectangle(img, (30, 40), (120, 150), (0, 0, 0), 2)
    cv2.circle(img, (170, 90), 40, (20, 20, 20), 3)
    cv2.line(img, (10, 190), (230, 170), (60, 60, 60), 2)
    return img


def ref(name: str) -> np.ndarray:
    card = next(c for c in shipped_cards() if c.name == name)
    return np.asarray(Image.open(card.image).convert("RGB"))


def test_palette_stylise_of_line_art_keeps_every_line_where_it_was():
    drawing = line_drawing()
    lines = cv2.cvtColor(drawing, cv2.COLOR_RGB2GRAY) < 128
    for style in ("watercolor", "cyberpunk", "pop art", "blueprint"):
        out, mode = stylize_palette(drawing, ref(style))
        assert mode == "line_art"
        assert structure_f1(out, drawing) >= 0.99, style
        gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int)
        paper = gray[~lines]
        assert np.abs(gray[lines].mean() - paper.mean()) > 60, style  # strokes still stand out from paper
        assert style_distance(out, ref(style)) < style_distance(drawing, ref(style)), style


def test_dark_styles_put_bright_strokes_on_dark_paper():
    out, _ = stylize_palette(line_drawing(), ref("cyberpunk"))
    gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    assert np.median(gray) < 60 and gray[40, 75] > np.median(gray) + 60  # a rectangle edge pixel is bright


def test_photo_transfer_moves_colour_statistics_and_keeps_contrast():
    photo = np.asarray(Image.open(SAMPLES / "coffee.png").convert("RGB"))
    target = ref("underwater")
    out = reinhard(photo, target)
    def lab(im: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(im, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(float)

    assert np.abs(lab(out)[:, 1:].mean(0) - lab(target)[:, 1:].mean(0)).max() < 6
    # lightness contrast is never scaled down; only clipping back into the RGB gamut can cost a little
    assert lab(out)[:, 0].std() >= lab(photo)[:, 0].std() * 0.9
    pal, share = extract_palette(target, 5)
    assert list(pal[:, 0]) == sorted(pal[:, 0]) and abs(share.sum() - 1) < 1e-6


def test_stylize_tool_contract_and_errors(tmp_path):
    Image.fromarray(line_drawing()).save(tmp_path / "lines.png")
    card = next(c for c in shipped_cards() if c.name == "watercolor")
    r = call_tool("stylize", {"image": tmp_path / "lines.png", "ref": card.image}, {})
    assert r.ok and r.backend == "palette" and r.outputs["style"] == "watercolor"
    assert r.outputs["family"] == "watercolour" and r.outputs["mode"] == "line_art"
    assert r.metrics["structure_f1"] >= 0.9 and r.metrics["style_distance_after"] < r.metrics["style_distance_before"]
    assert Image.open(r.artifacts["image"]).size == (240, 200)
    assert call_tool("stylize", {"image": tmp_path / "lines.png"}, {}).error.code == "NEEDS_REFERENCE"
    no_diffusion = call_tool("stylize", {"image": tmp_path / "lines.png", "ref": card.image}, {"backend": "diffusion"})
    assert no_diffusion.error.code == "BACKEND_UNAVAILABLE"


def test_styles_keep_the_strokes_of_a_shaded_sketch():
    """A Sketchify sketch (grainy paper, tonal shading) is line art, and the line-preserving styles lay its
    strokes back on top: structure_f1 >= 0.9 against the sketch."""
    from atelier.tools.sketchify.backends.classical import ClassicalShading
    from atelier.tools.sketchify.pipeline import sketch
    from atelier.tools.style.palette import is_line_art
    from atelier.tools.style.renderers import apply
    from atelier.tools.style.stylize import _palette

    photo = np.asarray(Image.open(SAMPLES / "astronaut.png").convert("RGB"))
    drawn = np.dstack([sketch(photo, ClassicalShading())] * 3)
    assert is_line_art(drawn)
    for name in ("cyberpunk", "watercolor", "ukiyo-e", "comic book", "sepia vintage"):
        card = next(c for c in shipped_cards() if c.name == name)
        out = apply(card.family, drawn, _palette(card, ref(name), 0), card.params, line_art=True)
        assert structure_f1(out, drawn) >= 0.9, name

