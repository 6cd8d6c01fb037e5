"""The classical restorer restores: it lowers the measured noise of a noisy face, leaves a clean face exactly
as it was (so its noise and texture are within 5 %, at 0 %), and deblocks a JPEG face without adding grain."""

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


def test_restore_returns_a_clean_face_bit_identical(astronaut, face):
    from atelier.tools.restore.restorers import ClassicalRestorer, restore_face_region

    out, m = restore_face_region(astronaut, face, ClassicalRestorer())
    assert m["noise_before"] < 3.0 and np.array_equal(out, astronaut)


def test_restore_deblocks_a_jpeg_face_without_adding_grain(astronaut, face):
    import io

    from PIL import Image

    from atelier.tools.restore.restorers import ClassicalRestorer, restore_face_region

    buf = io.BytesIO()
    Image.fromarray(astronaut).save(buf, "JPEG", quality=30)
    jpeg = np.asarray(Image.open(buf).convert("RGB"))
    out, m = restore_face_region(jpeg, face, ClassicalRestorer())
    assert not np.array_equal(out, jpeg)
    assert m["blockiness_after"] < m["blockiness_before"] - 0.03
    assert m["noise_after"] <= 1.1 * m["noise_before"]


def test_deblock_smooths_block_steps_and_keeps_edges():
    from atelier.tools.restore.classical import deblock

    img = np.full((16, 32, 3), 100, np.uint8)
    img[:, 8:16] = 104  # a blocking step at x=8
    img[:, 24:] = 200  # a real edge at x=24
    out = deblock(img)
    assert abs(int(out[0, 8, 0]) - int(out[0, 7, 0])) < 4 and out[0, 24, 0] == 200 and out[0, 23, 0] == 100
