"""The weight-free image descriptor: each texture statistic on a synthetic image with a known answer."""

from __future__ import annotations

import cv2
import numpy as np

from atelier.knowledge.embedders.descriptor import (
    DescriptorEmbedder,
    colour_count,
    colour_profile,
    dot_screen,
    image_descriptor,
    straightness,
    thin_lines,
)
from atelier.tools.style.renderers.comic import halftone


def noise(seed: int = 0, side: int = 160) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(0, 256, (side, side, 3)).astype(np.uint8), (0, 0), 1.0)


def test_the_descriptor_is_a_unit_vector_of_the_declared_dimension():
    vecs = DescriptorEmbedder().encode([noise(0), np.full((50, 70, 3), 128, np.uint8)])
    assert vecs.shape == (2, DescriptorEmbedder.dim)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_a_halftone_screen_is_periodic_and_a_noise_is_not():
    dots = (255 - 255 * halftone(np.full((160, 160), 0.3, np.float32), 6.0)).astype(np.float32)
    rough = cv2.cvtColor(noise(1), cv2.COLOR_RGB2GRAY).astype(np.float32)
    assert dot_screen(dots) > 2 * dot_screen(rough)


def test_thin_dark_lines_and_thin_light_lines_are_told_apart():
    ink = np.full((120, 120), 230, np.float32)
    for y in range(10, 120, 20):
        ink[y:y + 2] = 20
    glow = 250 - ink
    dark, light = thin_lines(ink)
    assert dark > 0.08 and light < 0.01
    dark, light = thin_lines(glow)
    assert light > 0.08 and dark < 0.01


def straight_and_curved(shape_kind: str) -> tuple[float, float]:
    img = np.full((160, 160), 255, np.uint8)
    rng = np.random.default_rng(3)
    for _ in range(12):
        if shape_kind == "triangles":
            pts = rng.integers(0, 160, (3, 2)).astype(np.int32)
            cv2.fillConvexPoly(img, pts, int(rng.integers(0, 200)))
        else:
            cv2.circle(img, tuple(int(v) for v in rng.integers(20, 140, 2)), int(rng.integers(8, 30)),
                       int(rng.integers(0, 200)), -1)
    gray = img.astype(np.float32)
    edges = cv2.Canny(img, 60, 150) > 0
    return straightness(edges, cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))


def test_facets_have_straighter_edges_than_discs():
    assert straight_and_curved("triangles")[0] > straight_and_curved("discs")[0] + 0.2


def test_a_two_colour_print_uses_few_colours_and_a_noise_many():
    flat = np.zeros((100, 100, 3), np.uint8)
    flat[:, 50:] = (200, 30, 30)
    used_flat, top8_flat = colour_count(flat)
    used_noise, top8_noise = colour_count(noise(2))
    assert used_flat < 0.15 < 0.6 < used_noise
    assert top8_flat == 1.0 and top8_noise < 0.2


def test_the_colour_profile_is_the_same_for_a_shuffled_picture():
    """Coarse colour describes the palette, not where the colours sit: the same pixels in another order
    give the same profile (the joint histogram does too, but not a layout-dependent texture block)."""
    img = noise(4)
    shuffled = np.random.default_rng(0).permutation(img.reshape(-1, 3)).reshape(img.shape)
    lab, lab2 = (cv2.cvtColor(x, cv2.COLOR_RGB2LAB) for x in (img, shuffled))
    assert np.allclose(colour_profile(lab), colour_profile(lab2))
    assert abs(float(np.linalg.norm(colour_profile(lab)[:24])) - 1.0) < 1e-4  # the three marginals: all the mass


def test_the_descriptor_barely_changes_with_the_image_size():
    img = noise(5, 320)
    small = cv2.resize(img, (200, 200), interpolation=cv2.INTER_AREA)
    assert float(image_descriptor(img) @ image_descriptor(small)) > 0.95
