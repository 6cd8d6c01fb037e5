"""Each sketch stage on synthetic images with known answers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from atelier.tools.sketchify.backends.classical import ClassicalShading
from atelier.tools.sketchify.grain import graphite_grain
from atelier.tools.sketchify.layers import blend, contrast, detail_layer, merge_layers, structure_layer
from atelier.tools.sketchify.lines import colour_dodge, dodge_kernel_size, line_art, sharpen
from atelier.tools.sketchify.pipeline import SketchParams, sketch
from atelier.tools.sketchify.shading import tonal_shading


class ExplodingShading:
    name = "exploding"

    def shade(self, gray):
        raise AssertionError("shading must not run when ai_strength is 0")


def black_square(size: int = 256, lo: int = 96, hi: int = 160) -> np.ndarray:
    img = np.full((size, size, 3), 255, np.uint8)
    img[lo:hi, lo:hi] = 0
    return img


@pytest.mark.parametrize("ai_strength", [0.0, 0.35, 1.0])
def test_white_image_stays_pure_white(ai_strength):
    out = sketch(np.full((120, 160, 3), 255, np.uint8), ClassicalShading(), SketchParams(ai_strength=ai_strength))
    assert out.shape == (120, 160) and out.dtype == np.uint8
    assert (out == 255).all()


@pytest.mark.parametrize("value", [0, 37, 128, 201])
def test_flat_image_of_any_gray_is_blank_paper(value):
    out = sketch(np.full((100, 100, 3), value, np.uint8), ClassicalShading(), SketchParams())
    assert (out == 255).all()


def test_black_square_edges_become_strokes_at_the_right_places():
    img = black_square()
    out = sketch(img, ClassicalShading(), SketchParams())
    strokes = out < 200
    edges = cv2.Canny(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), 50, 150) > 0
    dist_to_edge = cv2.distanceTransform((~edges).astype(np.uint8), cv2.DIST_L2, 3)
    # every stroke pixel lies close to the square's outline ...
    assert dist_to_edge[strokes].max() <= 4
    # ... and every side of the outline is drawn
    for side in (out[96:160, 93:100], out[96:160, 156:163], out[93:100, 96:160], out[156:163, 96:160]):
        assert (side < 200).any(axis=0 if side.shape[0] < side.shape[1] else 1).mean() > 0.9
    # far from the outline, inside and outside, there is only paper
    assert (out[:80] == 255).all() and (out[110:146, 110:146] == 255).all()


def test_ai_strength_zero_is_the_line_path_exactly():
    rng = np.random.default_rng(3)
    lines = rng.uniform(0, 255, (32, 32)).astype(np.float32)
    shading = rng.uniform(0, 255, (32, 32)).astype(np.float32)
    assert np.array_equal(blend(shading, lines, 0.0), lines)
    assert np.array_equal(blend(shading, lines, 1.0), shading)
    assert np.allclose(blend(shading, lines, 0.35), 0.35 * shading + 0.65 * lines, atol=1e-3)
    photo = black_square(128, 40, 90)
    params = SketchParams(ai_strength=0.0, seed=5)
    without = sketch(photo, ExplodingShading(), params)
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    tone = contrast(line_art(gray), params.contrast)
    expected = graphite_grain(merge_layers(structure_layer(tone), detail_layer(tone)), 5, params.grain)
    assert np.array_equal(without, expected)


def test_grain_never_touches_paper_and_only_textures_strokes():
    tone = np.full((64, 64), 255.0, np.float32)
    tone[20:40, 20:40] = np.linspace(10, 240, 20, dtype=np.float32)[None, :]
    out = graphite_grain(tone, seed=1, strength=0.5)
    paper = tone >= 255
    assert (out[paper] == 255).all()
    assert (out[~paper] < 255).all()
    assert np.abs(out[~paper].astype(int) - tone[~paper]).max() > 5  # the grain is really there
    # darker strokes get more texture than light ones
    light, dark = out[20:40, 36:40].astype(float), out[20:40, 22:26].astype(float)
    assert np.abs(dark - tone[20:40, 22:26]).mean() > np.abs(light - tone[20:40, 36:40]).mean()


def test_same_seed_same_bytes_other_seed_other_grain(astronaut):
    photo = astronaut[::2, ::2]
    a = sketch(photo, ClassicalShading(), SketchParams(seed=11))
    b = sketch(photo, ClassicalShading(), SketchParams(seed=11))
    c = sketch(photo, ClassicalShading(), SketchParams(seed=12))
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()
    assert np.array_equal(a == 255, c == 255)  # the seed moves grain, never paper


def test_colour_dodge_known_values():
    gray = np.full((21, 21), 100, np.uint8)
    assert (colour_dodge(gray, 5) == 255).all()  # flat -> 100*256/100 clipped
    gray[:, 10:] = 200
    out = colour_dodge(gray, 9)
    assert out[10, 9] < 200  # dark side of the step becomes a line
    assert out[10, 0] == 255 and out[10, 20] == 255
    assert (colour_dodge(np.zeros((9, 9), np.uint8), 5) == 255).all()  # 0/0 is paper


def test_dodge_kernel_scales_with_image_and_stays_odd():
    assert dodge_kernel_size(512, 512) == 19  # the seed's 18, nearest odd (tie goes up)
    assert dodge_kernel_size(1080, 1920) == 37  # 18 * 1080 / 512 = 37.97 -> 37
    assert dodge_kernel_size(1920, 1080) == 37
    assert dodge_kernel_size(20, 20) == 3


def test_sharpen_keeps_flat_and_steepens_steps():
    flat = np.full((10, 10), 77, np.float32)
    assert np.allclose(sharpen(flat), 77)
    step = np.zeros((10, 10), np.float32)
    step[:, 5:] = 100
    out = sharpen(step)
    assert out[5, 5] > 100 and out[5, 4] == 0


def test_tonal_shading_is_white_on_flat_and_gradients_and_shades_where_darker_than_around():
    flat = np.full((100, 100), 60, np.uint8)
    assert tonal_shading(flat).min() == 255
    ramp = np.tile(np.linspace(20, 230, 200).astype(np.uint8), (200, 1))
    assert tonal_shading(ramp)[20:-20, 20:-20].min() > 250
    blob = np.full((200, 200), 200, np.uint8)
    cv2.circle(blob, (100, 100), 12, 60, -1)  # a small dark spot is darker than its surroundings
    shade = tonal_shading(blob)
    assert shade[100, 100] < 200 and shade[100, 10] == 255
    assert shade[100, 80] == 255  # just outside the spot the paper is brighter than around: no tone


def test_layers_structure_is_binary_far_from_threshold_and_detail_whitens_paper():
    tone = np.array([0, 50, 90, 130, 200, 236, 250], np.float32)
    s = structure_layer(tone, threshold=120, softness=24, ink=30)
    assert s[0] == 30 and s[1] == 30 and s[3] == 255 and s[6] == 255
    d = detail_layer(tone, paper=236, gamma=1.2)
    assert d[5] == 255 and d[6] == 255 and d[0] == 0
    assert abs(d[4] - 255 * (200 / 236) ** 1.2) < 1e-3
    assert np.array_equal(merge_layers(s, d), np.minimum(s, d))


@pytest.mark.parametrize("shape", [(17, 16), (333, 517), (1080, 1920)])
def test_output_resolution_equals_input(shape):
    rng = np.random.default_rng(0)
    photo = cv2.GaussianBlur(rng.integers(0, 255, (*shape, 3), dtype=np.uint8), (0, 0), 3)
    assert sketch(photo, ClassicalShading()).shape == shape


def test_4096_square_within_memory():
    photo = np.full((4096, 4096, 3), 230, np.uint8)
    cv2.circle(photo, (2048, 2048), 900, (40, 60, 80), 25)
    out = sketch(photo, ClassicalShading())
    assert out.shape == (4096, 4096)
    assert (out[2048, 1100:1200] < 200).any() and out[100, 100] == 255
