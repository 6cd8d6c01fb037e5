from __future__ import annotations

import numpy as np
import pytest
from corpus import build_corpus
from PIL import Image

from atelier.core.config import Limits
from atelier.core.errors import ToolError
from atelier.core.images import load_image, read_png_text, save_png_atomic


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {c.name: c for c in build_corpus(tmp_path_factory.mktemp("corpus"))}


@pytest.mark.parametrize("name", ["empty", "truncated_png", "truncated_jpeg", "text_as_png", "bomb",
                                  "directory", "missing"])
def test_bad_files_raise_specific_codes(corpus, name):
    case = corpus[name]
    with pytest.raises(ToolError) as info:
        load_image(case.path)
    assert info.value.code == case.error


def test_one_pixel_is_refused_below_the_callers_minimum(corpus):
    assert load_image(corpus["one_pixel"].path).pixels.shape == (1, 1, 3)
    with pytest.raises(ToolError) as info:
        load_image(corpus["one_pixel"].path, min_size=16)
    assert info.value.code == "INVALID_IMAGE" and "too small" in info.value.message


@pytest.mark.parametrize("name", ["cmyk", "sixteen_bit", "palette_alpha", "exif_rotated", "animated"])
def test_odd_but_valid_files_load_with_a_warning(corpus, name):
    case = corpus[name]
    img = load_image(case.path)
    assert img.pixels.dtype == np.uint8 and img.pixels.ndim == 3 and img.pixels.shape[2] == 3
    assert (img.width, img.height) == case.size
    assert any(case.warning in w for w in img.warnings), img.warnings


def test_exif_rotation_is_applied_to_pixels(tmp_path):
    rgb = np.zeros((20, 40, 3), np.uint8)
    rgb[:, :20] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise: the white half ends up on top
    Image.fromarray(rgb).save(tmp_path / "r.jpg", quality=95, exif=exif.tobytes())
    img = load_image(tmp_path / "r.jpg")
    assert img.pixels.shape == (40, 20, 3)
    assert img.pixels[:18].mean() > 240 and img.pixels[22:].mean() < 15


def test_sixteen_bit_values_are_scaled_not_clipped(tmp_path):
    values = np.array([[0, 257 * 128, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "16.png")
    img = load_image(tmp_path / "16.png")
    assert img.pixels[0, :, 0].tolist() == [0, 128, 255]


def test_transparency_is_white_in_rgb_and_kept_in_rgba(tmp_path):
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:4, :, 3] = 255  # top half opaque red-ish, bottom half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    rgb = load_image(tmp_path / "a.png", "RGB").pixels
    assert rgb[0, 0].tolist() == [200, 0, 0] and rgb[7, 7].tolist() == [255, 255, 255]
    kept = load_image(tmp_path / "a.png", "RGBA").pixels
    assert kept[7, 7, 3] == 0 and kept[0, 0, 3] == 255


def test_byte_and_pixel_limits(tmp_path):
    Image.new("RGB", (100, 100), "gray").save(tmp_path / "p.png")
    with pytest.raises(ToolError) as info:
        load_image(tmp_path / "p.png", limits=Limits(max_bytes=50, max_pixels=10**8))
    assert info.value.code == "IMAGE_TOO_LARGE"
    with pytest.raises(ToolError) as info:
        load_image(tmp_path / "p.png", limits=Limits(max_pixels=9999))
    assert info.value.code == "IMAGE_TOO_LARGE" and "9,999 pixel limit" in info.value.message


def test_unsupported_format_is_refused(tmp_path):
    Image.new("RGB", (20, 20)).save(tmp_path / "x.ico", format="ICO")
    with pytest.raises(ToolError) as info:
        load_image(tmp_path / "x.ico")
    assert info.value.code == "INVALID_IMAGE" and "not supported" in info.value.message


def test_atomic_save_round_trips_pixels_and_text(tmp_path):
    pixels = np.arange(64 * 48, dtype=np.uint32).reshape(48, 64).astype(np.uint8)
    path = save_png_atomic(pixels, tmp_path / "o.png", {"tool": "t", "parameters": {"a": 1}, "seed": 7})
    assert np.array_equal(np.asarray(Image.open(path)), pixels)
    assert read_png_text(path) == {"tool": "t", "parameters": {"a": 1}, "seed": 7}
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"]


def test_failed_save_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        save_png_atomic(np.zeros((4, 4), np.float32), tmp_path / "bad.png")
    assert list(tmp_path.iterdir()) == []
