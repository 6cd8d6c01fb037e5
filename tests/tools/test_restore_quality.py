"""The classical restorer restores: it lowers the measured noise of a noisy face, and leaves a clean face's
noise and texture within 5 %."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def face(astronaut):
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    return MediaPipeLandmarker().detect(astronaut)[0]


def test_restore_lowers_noise_on_a_noisy_face_and_raises_psnr(astronaut, face):
    from atelier.tools.restore.restorers import ClassicalRestorer, restore_face_region

    noisy = np.clip(astronaut + np.random.default_rng(0).normal(0, 20, astronaut.shape) + 0.5, 0, 255).astype(np.uint8)
    out, m = restore_face_region(noisy, face, ClassicalRestorer())
    assert m["noise_after"] < 0.4 * m["noise_before"]
    from atelier.tools.faces.blend import polygon_mask

    sel = polygon_mask(astronaut.shape[:2], face.outline) > 0.5
    psnr = lambda a: 10 * np.log10(255**2 / np.mean((a[sel].astype(float) - astronaut[sel]) ** 2))  # noqa: E731
    assert psnr(out) > psnr(noisy) + 4.0


def test_restore_leaves_a_clean_face_noise_and_texture_within_5_percent(astronaut, face):
    from atelier.tools.restore.restorers import ClassicalRestorer, restore_face_region

    out, m = restore_face_region(astronaut, face, ClassicalRestorer())
    assert m["noise_after"] == pytest.approx(m["noise_before"], rel=0.05)
    assert m["texture_after"] == pytest.approx(m["texture_before"], rel=0.05)


def test_deblock_smooths_block_steps_and_keeps_edges():
    from atelier.tools.restore.classical import deblock

    img = np.full((16, 32, 3), 100, np.uint8)
    img[:, 8:16] = 104  # a blocking step at x=8
    img[:, 24:] = 200  # a real edge at x=24
    out = deblock(img)
    assert abs(int(out[0, 8, 0]) - int(out[0, 7, 0])) < 4 and out[0, 24, 0] == 200 and out[0, 23, 0] == 100
