from __future__ import annotations

import numpy as np

from atelier.core.edges import tolerant_f1
from atelier.tools.sketchify.metrics import (
    background_purity,
    dark_coverage,
    edge_fidelity,
    paper_mask,
    tonal_range,
    tone_fidelity,
)


def test_paper_is_light_and_flat_a_flat_dark_region_is_not():
    gray = np.full((40, 40), 40, np.uint8)
    gray[:, 20:] = 235
    mask = paper_mask(gray)
    assert mask[:, 25:].all() and not mask[:, :20].any()  # the flat black half is not paper
    noisy = np.random.default_rng(0).integers(0, 255, (40, 40), dtype=np.uint8)
    assert not paper_mask(noisy).any()


def test_background_purity_counts_white_paper_pixels():
    gray = np.full((40, 40), 225, np.uint8)
    sketch = np.full((40, 40), 255, np.uint8)
    assert background_purity(sketch, gray) == 100.0
    sketch[:4] = 240  # 4 of 40 rows of paper are grey
    assert abs(background_purity(sketch, gray) - 90.0) < 1e-9
    assert background_purity(sketch, np.random.default_rng(0).integers(0, 255, (40, 40), dtype=np.uint8)) is None


def test_tone_fidelity_is_the_blurred_correlation():
    ramp = np.tile(np.linspace(0, 255, 128).astype(np.uint8), (64, 1))
    assert tone_fidelity(ramp, ramp) > 0.999
    assert tone_fidelity(255 - ramp, ramp) < -0.999
    assert tone_fidelity(np.full_like(ramp, 255), ramp) is None  # a blank sheet follows nothing


def test_dark_coverage_is_the_share_of_the_darkest_quartile_drawn():
    photo = np.full((64, 64), 255, np.uint8)
    photo[:, :32] = 0
    drawn = np.full((64, 64), 255, np.uint8)
    drawn[:, :32:2] = 0  # hatched with paper between the strokes still counts
    assert dark_coverage(drawn, photo) == 1.0
    half = drawn.copy()
    half[32:] = 255
    assert abs(dark_coverage(half, photo) - 0.5) < 0.1
    assert dark_coverage(drawn, np.full((64, 64), 128, np.uint8)) is None


def test_edge_fidelity_finds_a_drawn_outline_and_not_a_blank_sheet():
    photo = np.full((96, 96), 230, np.uint8)
    photo[24:72, 24:72] = 20
    assert edge_fidelity(photo, photo) > 0.9
    assert edge_fidelity(np.full_like(photo, 255), photo) == 0.0


def test_tonal_range_is_share_of_levels_used():
    assert tonal_range(np.arange(256, dtype=np.uint8).reshape(16, 16)) == 100.0
    assert tonal_range(np.array([[0, 255]], np.uint8)) == 100.0 * 2 / 256


def test_tolerant_f1():
    truth = np.zeros((20, 20), bool)
    truth[10, :] = True
    assert tolerant_f1(truth, truth) == 1.0
    assert tolerant_f1(np.roll(truth, 2, axis=0), truth, tolerance=2) == 1.0
    assert tolerant_f1(np.roll(truth, 5, axis=0), truth, tolerance=2) == 0.0
    half = truth.copy()
    half[10, 10:] = False
    assert abs(tolerant_f1(half, truth) - 2 * 1.0 * 0.6 / 1.6) < 1e-9
