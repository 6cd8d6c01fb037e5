"""Each sketch stage, and the whole drawing, on synthetic images with known answers."""

from __future__ import annotations

import doctest
import importlib
import math

import cv2
import numpy as np
import pytest

from atelier.tools.sketchify.backends.classical import ClassicalShading
from atelier.tools.sketchify.grain import graphite_grain
from atelier.tools.sketchify.hatching import HatchParams, hatch, split_darkness
from atelier.tools.sketchify.lines import colour_dodge, dodge_kernel_size, sharpen, xdog
from atelier.tools.sketchify.media import MEDIA
from atelier.tools.sketchify.metrics import dark_coverage
from atelier.tools.sketchify.orientation import angle_bins, structure_tensor, tangent_field
from atelier.tools.sketchify.pipeline import SketchParams, line_layer, sketch
from atelier.tools.sketchify.tone import (
    ToneParams,
    darkness,
    pencil_histogram,
    shading_response,
    tone_curve,
    tone_map,
)

MODULES = ("tone", "orientation", "hatching", "media", "paper", "pipeline", "metrics", "lines", "grain",
           "dataset", "train_shading")


class ExplodingShading:
    name = "exploding"

    def shade(self, gray):
        raise AssertionError("the tone backend must not run when shading is 0")


def disc(size: int = 192, radius: int = 60, value: int = 0) -> np.ndarray:
    img = np.full((size, size, 3), 255, np.uint8)
    cv2.circle(img, (size // 2, size // 2), radius, (value, value, value), -1)
    return img


def ring(size: int, inner: float, outer: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size] - (size - 1) / 2.0
    r = np.hypot(xx, yy)
    return (r >= inner) & (r <= outer)


def darkness_of(img: np.ndarray) -> np.ndarray:
    return 255.0 - img.astype(np.float64)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(f"atelier.tools.sketchify.{module}"))
    assert result.failed == 0


def test_black_disc_becomes_a_hatched_dark_disc_on_white_paper():
    img = disc()
    out = sketch(img, ClassicalShading(), SketchParams(seed=3))
    gray = img[..., 0]
    assert dark_coverage(out, gray) >= 0.8
    inside = out[ring(192, 0, 50)]
    assert inside.mean() < 110  # drawn dark at the default shading ...
    assert inside.std() > 25 and (inside > 150).mean() > 0.02  # ... as strokes, not a flat grey fill
    assert (out[~ring(192, 0, 66)] == 255).all()  # the paper around it stays pure white


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("shading", [0.0, 0.35, 1.0])
def test_white_image_stays_pure_white(medium, shading):
    out = sketch(np.full((90, 120, 3), 255, np.uint8), ClassicalShading(), SketchParams(shading=shading,
                                                                                        medium=medium))
    assert out.shape == (90, 120) and out.dtype == np.uint8
    assert (out == 255).all()


def test_flat_light_is_paper_and_flat_dark_is_graphite():
    """Paper is a *light* flat region; a flat dark one is drawn (this replaces the any-flat-is-paper rule)."""
    for value in (230, 255):
        assert (sketch(np.full((80, 80, 3), value, np.uint8), ClassicalShading()) == 255).all()
    darks = [darkness_of(sketch(np.full((80, 80, 3), v, np.uint8), ClassicalShading())).mean() for v in (0, 40)]
    assert darks[0] > 40 and darks[1] > 30
    assert darks[0] >= darks[1]
    half = np.full((80, 80, 3), 235, np.uint8)
    half[:, 40:] = 15  # a light wall beside a black coat
    out = sketch(half, ClassicalShading())
    assert (out[:, :32] == 255).all() and darkness_of(out[:, 48:]).mean() > 60


def test_a_mostly_dark_photo_is_drawn_dark_not_equalised_light():
    """A night sky (levels 35..70) beside a thin white tower: the sky is graphite, the tower paper."""
    rng = np.random.default_rng(0)
    sky = np.tile(np.linspace(35, 70, 160)[:, None], (1, 200)) + rng.normal(0, 1.5, (160, 200))
    sky[:, 96:104] = 235
    photo = np.dstack([np.clip(sky, 0, 255).astype(np.uint8)] * 3)
    default, heavy = (sketch(photo, ClassicalShading(), SketchParams(shading=s)) for s in (0.35, 0.85))
    assert darkness_of(default[:, :80]).mean() > 55 and darkness_of(heavy[:, :80]).mean() > 115
    assert (heavy[:, :80] > 200).mean() < 0.25  # hatched all over, not light strokes on paper
    assert (default[10:150, 98:102] == 255).all()


def test_the_deepest_darks_are_near_solid_without_white_specks():
    black = np.clip(np.random.default_rng(0).normal(8, 2, (128, 128)), 0, 255).astype(np.uint8)
    photo = np.dstack([black] * 3)
    heavy, full = (sketch(photo, ClassicalShading(), SketchParams(shading=s)) for s in (0.85, 1.0))
    assert heavy.mean() < 70 and (heavy > 200).mean() < 0.01
    assert full.mean() < 55 and (full > 200).mean() < 0.001
    assert full.std() > 8  # still strokes and grain, not a printed fill


def test_shading_response_draws_darks_early_and_is_monotone():
    dark = np.linspace(0, 1, 101, dtype=np.float32)
    levels = [shading_response(dark, s) for s in (0.0, 0.2, 0.35, 0.6, 0.85, 1.0)]
    assert (levels[0] == 0).all() and np.array_equal(levels[-1], dark)
    for lower, higher in zip(levels, levels[1:], strict=False):
        assert (higher >= lower).all()  # more shading is never lighter
    for level in levels:
        assert (np.diff(level) >= -1e-7).all()  # darker tone is never drawn lighter
    at_default = levels[2]
    assert at_default[90] > 0.6 and at_default[50] < 0.25 and at_default[20] < 0.06  # darks early, mids later


def test_horizontal_ramp_gives_monotonic_darkness():
    ramp = np.tile(np.linspace(0, 255, 320).astype(np.uint8), (96, 1))
    out = sketch(ramp, ClassicalShading(), SketchParams(shading=1.0))
    bands = [darkness_of(out[8:-8, i:i + 32]).mean() for i in range(0, 320, 32)]
    assert all(a >= b - 1.0 for a, b in zip(bands, bands[1:], strict=False)), bands
    assert bands[0] > 80 and bands[-1] == 0


def test_more_shading_is_never_lighter_in_the_dark_regions(astronaut):
    photo = astronaut[::2, ::2]
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    dark = gray <= np.percentile(gray, 25)
    means = [darkness_of(sketch(photo, ClassicalShading(), SketchParams(shading=s)))[dark].mean()
             for s in (0.0, 0.3, 0.6, 1.0)]
    assert all(b > a + 5 for a, b in zip(means, means[1:], strict=False)), means


def test_hatch_orientation_follows_the_tangent_on_a_disc():
    size, radius = 256, 100
    out = sketch(disc(size, radius, 150), ClassicalShading(), SketchParams(shading=1.0, grain=0.0, seed=1))
    jxx, jxy, jyy = structure_tensor(out, 2.0)
    yy, xx = np.mgrid[0:size, 0:size] - (size - 1) / 2.0
    band = ring(size, 0.55 * radius, 0.9 * radius)
    errors = []
    for sector in range(12):  # the dominant stroke direction in each of 12 sectors of the band
        theta = (np.arctan2(yy, xx) + math.pi) * 6 / math.pi
        m = band & (np.floor(theta) == sector)
        gradient = 0.5 * math.atan2(2 * jxy[m].sum(), jxx[m].sum() - jyy[m].sum())
        stroke = gradient + math.pi / 2
        mid = (sector + 0.5) * math.pi / 6 - math.pi
        tangent = mid + math.pi / 2
        diff = abs((stroke - tangent + math.pi / 2) % math.pi - math.pi / 2)
        errors.append(math.degrees(diff))
    assert max(errors) < 20, [round(e) for e in errors]


def test_same_seed_same_bytes_other_seed_other_strokes(astronaut):
    photo = astronaut[::2, ::2]
    a = sketch(photo, ClassicalShading(), SketchParams(seed=11))
    b = sketch(photo, ClassicalShading(), SketchParams(seed=11))
    c = sketch(photo, ClassicalShading(), SketchParams(seed=12))
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()


def test_shading_zero_is_the_line_layer_alone():
    photo = disc(128, 40, 60)
    out = sketch(photo, ExplodingShading(), SketchParams(shading=0.0, seed=5, grain=0.0))
    lines = line_layer(photo[..., 0], MEDIA["graphite"])
    assert np.array_equal(out, graphite_grain(lines * np.float32(255.0), 5, 0.0))
    assert (out[ring(128, 0, 30)] == 255).all()  # no tone: the disc's flat inside is blank


def test_ink_prints_only_ink_and_paper_and_charcoal_is_softer():
    photo = disc(160, 50, 60)
    ink = sketch(photo, ClassicalShading(), SketchParams(medium="ink"))
    assert set(np.unique(ink)) <= {0, 255} and (ink[ring(160, 0, 40)] == 0).mean() > 0.2
    graphite = sketch(photo, ClassicalShading(), SketchParams(medium="graphite"))
    charcoal = sketch(photo, ClassicalShading(), SketchParams(medium="charcoal"))
    inside = ring(160, 0, 40)
    assert darkness_of(charcoal[inside]).mean() > 1.2 * darkness_of(graphite[inside]).mean()  # darker-toned
    smooth = cv2.GaussianBlur(charcoal.astype(np.float32), (0, 0), 1.0)
    rough = cv2.GaussianBlur(graphite.astype(np.float32), (0, 0), 1.0)
    assert np.abs(np.diff(smooth[inside.nonzero()[0].min():inside.nonzero()[0].max()], axis=1)).mean() < \
        np.abs(np.diff(rough[inside.nonzero()[0].min():inside.nonzero()[0].max()], axis=1)).mean() * 1.5


def test_tone_curve_is_monotone_with_a_paper_peak_and_a_small_dark_mode():
    hist = pencil_histogram()
    assert abs(hist.sum() - 1) < 1e-9 and hist.argmax() == 255
    assert hist[200:].sum() > 0.4 and hist[:80].sum() < 0.2
    rng = np.random.default_rng(0)
    gray = cv2.GaussianBlur(rng.integers(0, 256, (64, 64), dtype=np.uint8), (0, 0), 2)
    lut = tone_curve(gray)
    assert (np.diff(lut) >= 0).all() and lut[0] < 0.5 and lut[255] >= ToneParams().paper
    assert (tone_map(np.full((40, 40), 250, np.uint8)) >= ToneParams().paper).all()
    assert (darkness(tone_map(np.zeros((40, 40), np.uint8))) > 0.3).all()


def test_tangent_field_of_a_ramp_and_bins():
    ramp = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    cos2, sin2 = tangent_field(ramp, 2.0)
    assert angle_bins(cos2, sin2, 12)[32, 32] == 6  # isophotes of a horizontal ramp are vertical
    flat = np.full((32, 32), 90, np.uint8)
    assert angle_bins(*tangent_field(flat, 2.0), 12)[16, 16] == 9  # no structure: the default -45 degrees


def test_hatching_is_monotone_in_darkness_and_split_keeps_the_total():
    dark = np.tile(np.linspace(0, 0.9, 200, dtype=np.float32), (60, 1))
    out = hatch(dark, np.zeros(dark.shape, np.uint8), HatchParams(spacing=4.0), seed=2)
    assert (out[:, 0] == 1).all()
    lower = hatch(dark * 0.5, np.zeros(dark.shape, np.uint8), HatchParams(spacing=4.0), seed=2)
    assert (out <= lower + 1e-6).all()  # same strokes, more darkness: never lighter, pixel by pixel
    shares = split_darkness(np.array([0.1, 0.5, 0.8], np.float32), (0.4, 0.4, 0.5))
    total = 1 - np.prod([1 - s for s in shares], axis=0)
    assert np.allclose(total, [0.1, 0.5, 0.8], atol=1e-6) and shares[1][0] == 0


def test_pen_hatching_is_ink_or_paper_and_keeps_light_tones():
    """A pen draws a light tone with fewer whole lines, not with sub-pixel ones that a threshold would drop."""
    pen = HatchParams(spacing=4.0, pressure=(1.0, 1.0), taper=0.0, gap=0.1, ink=1.0, hard=True)
    for tone in (0.05, 0.15, 0.4):
        out = hatch(np.full((96, 96), tone, np.float32), np.zeros((96, 96), np.uint8), pen, seed=4)
        assert set(np.unique(out)) <= {0.0, 1.0}
        assert abs((1 - out).mean() - tone) < 0.3 * tone + 0.01, tone


def test_grain_never_touches_paper_and_only_textures_strokes():
    tone = np.full((64, 64), 255.0, np.float32)
    tone[20:40, 20:40] = np.linspace(10, 240, 20, dtype=np.float32)[None, :]
    out = graphite_grain(tone, seed=1, strength=0.5)
    paper = tone >= 255
    assert (out[paper] == 255).all() and (out[~paper] < 255).all()
    assert np.abs(out[~paper].astype(int) - tone[~paper]).max() > 5


def test_colour_dodge_and_xdog_known_values():
    gray = np.full((21, 21), 100, np.uint8)
    assert (colour_dodge(gray, 5) == 255).all()  # flat -> 100*256/100 clipped
    gray[:, 10:] = 200
    out = colour_dodge(gray, 9)
    assert out[10, 9] < 200 and out[10, 0] == 255 and out[10, 20] == 255
    assert (colour_dodge(np.zeros((9, 9), np.uint8), 5) == 255).all()  # 0/0 is paper
    step = np.full((21, 21), 200, np.uint8)
    step[:, 11:] = 30
    x = xdog(step, 1.0, phi=200.0)
    assert (x[:, :6] == 255).all() and (x[:, 16:] == 255).all() and x[10, 11] < 50
    assert (xdog(np.zeros((15, 15), np.uint8)) == 255).all()


def test_dodge_kernel_and_sharpen():
    assert dodge_kernel_size(512, 512) == 19 and dodge_kernel_size(1080, 1920) == 37
    assert dodge_kernel_size(20, 20) == 3
    assert np.allclose(sharpen(np.full((10, 10), 77, np.float32)), 77)
    step = np.zeros((10, 10), np.float32)
    step[:, 5:] = 100
    out = sharpen(step)
    assert out[5, 5] > 100 and out[5, 4] == 0


@pytest.mark.parametrize("shape", [(17, 16), (333, 517)])
def test_output_resolution_equals_input(shape):
    rng = np.random.default_rng(0)
    photo = cv2.GaussianBlur(rng.integers(0, 255, (*shape, 3), dtype=np.uint8), (0, 0), 3)
    for medium in MEDIA:
        assert sketch(photo, ClassicalShading(), SketchParams(medium=medium)).shape == shape
