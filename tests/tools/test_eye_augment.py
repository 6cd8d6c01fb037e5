"""Robustness across sources for the eye-patch models: the linear model's input ignores exposure and tone
curve, old weight files are read the way they were trained, and the training augmentation is seeded."""

from __future__ import annotations

import numpy as np
from eye_fixtures import synthetic_eyes


def _patch(seed: int = 0) -> np.ndarray:
    """A 24×24 eye-like patch on levels 20…120 (so a doubling of contrast keeps every level distinct)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:24, :24]
    eye = 120 - 90 * np.exp(-((xx - 12) ** 2 / 40 + (yy - 12) ** 2 / 6))
    return np.clip(np.rint(eye + rng.integers(-6, 7, eye.shape)), 20, 120).astype(np.float32)


def test_equalisation_makes_a_patch_and_its_brightened_contrast_changed_copy_alike():
    from atelier.tools.eyes.patch import HogStyle, equalise, hog_features

    p = _patch()
    changed = 2 * p + 7  # twice the contrast, brighter: a rising map, every level still distinct
    np.testing.assert_array_equal(equalise(p[None]), equalise(changed[None]))
    style = HogStyle(equalise=True, blur=1.0, cell=4)
    np.testing.assert_allclose(hog_features(p[None], style), hog_features(changed[None], style), atol=1e-6)
    gamma = np.rint(240 * (p / 120) ** 1.5)  # a gamma change, rising faster than 1 level a level: distinct
    assert len(np.unique(gamma)) == len(np.unique(p))
    np.testing.assert_allclose(hog_features(p[None], style), hog_features(gamma[None], style), atol=1e-6)


def test_without_equalisation_a_gamma_change_moves_the_features():
    from atelier.tools.eyes.patch import ROUND3, hog_features

    p = _patch()
    gamma = np.rint(240 * (p / 120) ** 1.5)
    assert np.abs(hog_features(p[None], ROUND3) - hog_features(gamma[None], ROUND3)).max() > 0.05


def test_the_blur_takes_out_fine_texture_before_hog():
    from atelier.tools.eyes.patch import HogStyle, hog_input

    stripes = np.tile(np.array([60.0, 180.0], np.float32), (24, 12))  # 1 px stripes: lash-like texture
    sharp = hog_input(stripes[None], HogStyle(False, 0.0, 4))
    soft = hog_input(stripes[None], HogStyle(False, 1.0, 4))
    assert np.ptp(soft) < 0.2 * np.ptp(sharp)  # σ 1 px leaves under 1 % of a 2 px period; +4 floors the rest


def test_the_style_travels_with_the_weights_and_old_files_read_as_round_three():
    from atelier.tools.eyes.patch import HOG_STYLE, ROUND3, style_of
    from atelier.tools.eyes.patch_train import train_hog

    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 255, (40, 24, 24)).astype(np.float32), np.arange(40) % 2 == 0
    weights = train_hog(x, y)
    assert style_of(weights) == HOG_STYLE
    assert style_of({k: v for k, v in weights.items() if k != "hog.style"}) == ROUND3


def test_the_augmentation_is_deterministic_under_a_seed_and_stays_in_range():
    from atelier.tools.eyes.augment import augment, with_copies

    x = np.stack([_patch(s) for s in range(6)])
    a, b, c = augment(x, 3), augment(x, 3), augment(x, 4)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1
    assert a.shape == x.shape and a.min() >= 0 and a.max() <= 255
    assert np.abs(a - x).mean() > 1  # it changed something
    xs, ys = with_copies(x, np.arange(6) % 2 == 0, 2, seed=3)
    assert xs.shape == (18, 24, 24) and ys.tolist() == [True, False] * 9
    np.testing.assert_array_equal(xs[:6], x)
    np.testing.assert_array_equal(xs[6:12], a)


def test_the_photometric_copy_changes_tone_but_not_where_the_eye_is():
    from atelier.tools.eyes.augment import photometric

    x = np.stack([_patch(s) for s in range(8)])
    a, b = photometric(x, 5), photometric(x, 5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == x.shape and a.min() >= 0 and a.max() <= 255
    assert not np.array_equal(a, photometric(x, 6))
    assert np.abs(a - x).mean() > 1
    dark = lambda p: np.unravel_index(np.argmin(cv2_blur(p)), p.shape)  # noqa: E731
    for before, after in zip(x, a, strict=True):  # no geometry: the dark pupil stays put
        assert np.abs(np.subtract(dark(before), dark(after))).max() <= 1
        assert np.corrcoef(before.ravel(), after.ravel())[0, 1] > 0.7


def cv2_blur(p: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(np.float32(p), (0, 0), 2.0)


def test_photometric_training_is_seeded_and_differs_from_plain_training():
    from atelier.tools.eyes.patch import forward, normalise
    from atelier.tools.eyes.patch_train import train_cnn

    x, y = synthetic_eyes(512, seed=1)
    a = train_cnn(x, y, seed=0, epochs=12, width=4, flip=False, photometric=True)
    b = train_cnn(x, y, seed=0, epochs=12, width=4, flip=False, photometric=True)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    plain = train_cnn(x, y, seed=0, epochs=12, width=4, flip=False, photometric=False)
    assert not np.array_equal(a["c1.weight"], plain["c1.weight"])
    test_x, test_y = synthetic_eyes(80, seed=2)
    assert ((forward(normalise(test_x), a) > 0) == test_y).mean() >= 0.95
