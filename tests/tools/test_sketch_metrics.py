from __future__ import annotations

import numpy as np

from atelier.tools.core.edges import tolerant_f1
from atelier.tools.sketchify.metrics import background_purity, paper_mask, tonal_range


def test_paper_mask_is_low_local_spread():
    gray = np.full((40, 40), 120, np.uint8)
    gray[:, 20:] = 200
    mask = paper_mask(gray)
    assert mask[:, :15].all() and mask[:, 25:].all() and not mask[:, 19:21].any()


def test_background_purity_counts_white_paper_pixels():
    gray = np.full((40, 40), 120, np.uint8)
    sketch = np.full((40, 40), 255, np.uint8)
    assert background_purity(sketch, gray) == 100.0
    sketch[:4] = 240  # 4 of 40 rows of paper are grey
    assert abs(background_purity(sketch, gray) - 90.0) < 1e-9
    noisy = np.random.default_rng(0).integers(0, 255, (40, 40), dtype=np.uint8)
    assert background_purity(sketch, noisy) is None


def test_tonal_range_is_share_of_levels_used():
    assert tonal_range(np.arange(256, dtype=np.uint8).reshape(16, 16)) == 100.0
    assert tonal_range(np.array([[0, 255]], np.uint8)) == 100.0 * 2 / 256


def test_tolerant_f1():
    truth = np.zeros((20, 20), bool)
    truth[10, :] = True
    assert tolerant_f1(truth, truth) == 1.0
    shifted = np.roll(truth, 2, axis=0)
    assert tolerant_f1(shifted, truth, tolerance=2) == 1.0
    assert tolerant_f1(np.roll(truth, 5, axis=0), truth, tolerance=2) == 0.0
    half = truth.copy()
    half[10, 10:] = False
    # precision 10/10; recall 12/20 (the two truth pixels next to the cut are within 2 px) -> F1 0.75
    assert abs(tolerant_f1(half, truth) - 2 * 1.0 * 0.6 / 1.6) < 1e-9
