"""Renderer families on synthetic images with known answers (small images: the whole file runs in seconds)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from atelier.tools.style.palette import structure_f1
from atelier.tools.style.renderers import FAMILIES, LINE_PRESERVING, apply
from atelier.tools.style.renderers.comic import halftone
from atelier.tools.style.renderers.common import hex_palette
from atelier.tools.style.renderers.low_poly import render as low_poly
from atelier.tools.style.renderers.pixel_art import render as pixel_art
from atelier.tools.style.renderers.stained_glass import boundaries, panes
from atelier.tools.style.renderers.stained_glass import render as stained_glass
from atelier.tools.style.renderers.watercolour import render as watercolour

PALETTE = hex_palette(["#0b0221", "#2d0a4e", "#ff2a6d", "#05d9e8", "#f1e9d6"])


def line_drawing() -> np.ndarray:
    img = np.full((160, 200, 3), 255, np.uint8)
    cv2.rectangle(img, (25, 30), (100, 125), (0, 0, 0), 2)
    cv2.circle(img, (145, 75), 35, (20, 20, 20), 3)
    cv2.line(img, (10, 150), (190, 135), (40, 40, 40), 2)
    return img


def photo_like(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:96, 0:128].astype(np.float32)
    img = np.dstack([x * 2, y * 2.5, 255 - x - y]).astype(np.float32)
    cv2.circle(img, (80, 40), 22, (250, 200, 40), -1)
    img += rng.normal(0, 4, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_returns_an_image_of_the_input_size_and_is_deterministic(family):
    img = photo_like()
    a = apply(family, img, PALETTE, seed=3)
    assert a.shape == img.shape and a.dtype == np.uint8
    assert np.array_equal(a, apply(family, img, PALETTE, seed=3))


@pytest.mark.parametrize("family", sorted(LINE_PRESERVING))
def test_line_preserving_families_keep_the_lines_of_a_line_drawing(family):
    drawing = line_drawing()
    out = apply(family, drawing, PALETTE, line_art=True)
    assert structure_f1(out, drawing) >= 0.9, family


def test_strength_blends_with_the_input():
    img = photo_like()
    assert np.array_equal(apply("neon", img, PALETTE, strength=0.0), img)
    full, half = apply("neon", img, PALETTE).astype(int), apply("neon", img, PALETTE, strength=0.5).astype(int)
    assert np.abs(half - (full + img.astype(int)) / 2).max() <= 1


def test_pixel_art_of_a_checkerboard_keeps_exactly_its_two_colours_on_the_grid():
    board = np.kron((np.indices((8, 8)).sum(0) % 2), np.ones((8, 8), np.uint8))
    img = np.where(board[..., None] == 1, np.array([200, 30, 90], np.uint8), np.array([10, 120, 240], np.uint8))
    out = pixel_art(img.astype(np.uint8), PALETTE, cell=8, palette_size=16)
    assert {tuple(c) for c in out.reshape(-1, 3)} == {(200, 30, 90), (10, 120, 240)}
    cells = out.reshape(8, 8, 8, 8, 3)
    assert (cells == cells[:, :1, :, :1]).all()  # every 8x8 cell is one colour
    assert np.array_equal(out, img)


def test_pixel_art_palette_size_limits_the_colours():
    out = pixel_art(photo_like(), PALETTE, cell=4, palette_size=5)
    assert len(np.unique(out.reshape(-1, 3), axis=0)) <= 5


def test_stained_glass_draws_dark_lead_on_every_pane_boundary():
    img = photo_like()
    labels = panes(img.astype(np.float32) / 255, 40, 12.0, 0)
    out = stained_glass(img, PALETTE, cells=40)
    gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    edge = boundaries(labels)
    assert edge.any() and gray[edge].max() < 40
    assert np.median(gray[~cv2.dilate(edge.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)]) > 60


def test_low_poly_fills_every_triangle_flat():
    img = photo_like()
    out = low_poly(img, PALETTE, points=60, shading=0.0)
    n_colours = len(np.unique(out.reshape(-1, 3), axis=0))
    assert n_colours <= 2 * 60 + 40  # one colour per triangle (Delaunay: at most 2n triangles)
    gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(int)
    flat = (np.abs(np.diff(gray, axis=1)) == 0).mean()
    assert flat > 0.9  # neighbouring pixels are equal except across triangle edges


def test_halftone_dot_area_follows_the_tone():
    for tone in (0.1, 0.3, 0.5, 0.7, 0.9):
        dots = halftone(np.full((96, 96), tone, np.float32), 8.0)
        assert abs(float(dots.mean()) - tone) < 0.05, tone
    ramp = halftone(np.tile(np.linspace(0, 1, 160, dtype=np.float32), (48, 1)), 8.0)
    assert ramp[:, :40].mean() < ramp[:, 60:100].mean() < ramp[:, 120:].mean()


def test_watercolour_darkens_the_edges_of_a_wash():
    img = np.full((120, 120, 3), 255, np.uint8)
    img[30:90, 30:90] = (70, 130, 200)
    out = watercolour(img, PALETTE, tint=0.0, turbulence=0.0, granulation=0.0, wobble_px=0.0, pencil=0.0)
    gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(float)
    rim = np.concatenate([gray[32:88, 31:34].ravel(), gray[32:88, 86:89].ravel()])
    centre = gray[50:70, 50:70].ravel()
    assert rim.mean() < centre.mean() - 8
    assert gray[5:20, 5:20].mean() > 230  # the paper around it stays light


def test_neon_on_line_art_puts_bright_strokes_on_a_dark_ground():
    drawing = line_drawing()
    out = cv2.cvtColor(apply("neon", drawing, PALETTE, line_art=True), cv2.COLOR_RGB2GRAY)
    lines = cv2.cvtColor(drawing, cv2.COLOR_RGB2GRAY) < 128
    assert np.median(out[~lines]) < 70 and out[lines].mean() > np.median(out[~lines]) + 60


def test_hue_ranks_use_every_palette_colour_and_keep_the_hue_order():
    from atelier.tools.style.renderers.common import hue_ranks

    # eight warm browns and oranges, all nearest to the one red of the palette by colour distance
    warm = np.array([[0.35 + 0.05 * i, 0.2 + 0.03 * i, 0.1] for i in range(8)], np.float32)
    palette = hex_palette(["#8b1e3f", "#1f4e9c", "#e3a21a", "#3f9e4d"])
    idx = hue_ranks(warm, palette)
    assert set(idx.tolist()) == {0, 1, 2, 3}  # no colour floods
    same = hue_ranks(np.concatenate([warm, warm]), palette)
    assert same[:8].tolist() == same[8:].tolist()  # equal colours get equal glass


def test_stained_glass_of_a_warm_photo_is_not_one_colour():
    rng = np.random.default_rng(0)
    warm = np.clip(np.array([150, 80, 40]) + rng.normal(0, 25, (128, 128, 3)), 0, 255).astype(np.uint8)
    palette = hex_palette(["#0b0b0b", "#8b1e3f", "#1f4e9c", "#e3a21a", "#3f9e4d"])
    out = stained_glass(cv2.GaussianBlur(warm, (0, 0), 3), palette, cells=60)
    hue = cv2.cvtColor(out, cv2.COLOR_RGB2HSV)[..., 0]
    lit = out.max(axis=2) > 60
    shares = np.bincount((hue[lit] // 30).ravel(), minlength=6) / lit.sum()
    assert shares.max() < 0.6  # before: the nearest palette colour (crimson) filled almost every pane


def test_ukiyo_e_accent_marks_only_the_most_vivid_warm_patches():
    from atelier.tools.style.renderers.woodblock import accent_mask

    img = np.zeros((100, 100, 3), np.float32)
    img[:] = (0.55, 0.35, 0.2)  # a warm brown everywhere (a coffee table)
    img[30:60, 30:60] = (0.9, 0.2, 0.1)  # one vermilion robe
    mask = accent_mask(img, 100 / 512)
    assert mask[40:50, 40:50].mean() > 0.9 and mask[:20].mean() < 0.05


def test_a_flat_grey_area_takes_one_palette_colour_not_bands():
    """Every grey has the same hue: ranking them by position made a grey photo horizontal stripes of the
    palette. Equal pixels now share one rank, and greys are ranked by lightness."""
    from atelier.tools.style.renderers.common import hue_ranks

    pal = np.array([[0.8, 0.2, 0.1], [0.1, 0.5, 0.8], [0.9, 0.8, 0.2], [0.2, 0.6, 0.3]], np.float32)
    flat = np.full((64, 64, 3), 0.5, np.float32)
    assert len(np.unique(hue_ranks(flat, pal))) == 1
    ramp = np.repeat(np.linspace(0.05, 0.95, 64, dtype=np.float32)[None, :, None], 64, 0).repeat(3, 2)
    ranks = hue_ranks(ramp, pal)
    assert (ranks == ranks[:1]).all()  # each column (one grey) one colour, whatever its row
    assert len(np.unique(ranks)) == 4  # the greys spread over the whole palette, as tones


COMIC = hex_palette(["#101010", "#d62828", "#003049", "#fcbf49", "#fdf0d5"])


def test_comic_inks_a_bold_black_outline_and_dots_only_the_mid_tones():
    img = np.full((160, 160, 3), 235, np.uint8)
    cv2.circle(img, (80, 80), 45, (150, 140, 130), -1)
    out = cv2.cvtColor(apply("comic", img, COMIC, {"mode": "comic"}), cv2.COLOR_RGB2GRAY).astype(float)
    across = out[80, 25:45]  # the scan line crosses the disc's left edge at x = 35
    assert (across < 60).sum() >= 2  # an inker's line: black and at least two pixels wide
    paper, disc = out[5:25, 5:25], out[65:95, 65:95]
    assert paper.mean() > 220 and paper.std() < 12  # the light stays paper: no dots there
    dots = disc < np.median(disc) - 15
    assert 0.2 < dots.mean() < 0.7  # the mid-tone is a Ben-Day screen, not a flat fill


def test_watercolour_leaves_bare_paper_round_a_photo_unless_told_to_paint_to_the_edge():
    flat = np.full((128, 128, 3), (200, 120, 80), np.uint8)
    gray = cv2.cvtColor(watercolour(flat, COMIC), cv2.COLOR_RGB2GRAY).astype(float)
    assert gray[:6, :6].mean() > 240 and gray[54:74, 54:74].mean() < 200
    edge_to_edge = cv2.cvtColor(watercolour(flat, COMIC, margin=0.0), cv2.COLOR_RGB2GRAY).astype(float)
    assert edge_to_edge[:6, :6].mean() < 200


def test_cel_colours_each_region_from_the_palette_ink_nearest_its_own_hue():
    """An orange half and a blue half keep warm and cool: the anime palette's yellow and sky blue, not a
    palette colour by rank (which painted a cat pink and blue)."""
    img = np.zeros((96, 128, 3), np.uint8)
    img[:, :64], img[:, 64:] = (220, 120, 40), (40, 90, 200)
    anime = hex_palette(["#1b1b3a", "#ff6b9a", "#ffd166", "#6ec6ff", "#fff5f8"])
    out = apply("cel", img, anime, {"tint": 0.7}).astype(float)
    left, right = out[20:76, 10:54].mean((0, 1)), out[20:76, 74:118].mean((0, 1))
    assert left[0] > left[2] + 100 and left[1] > 80  # orange-yellow
    assert right[2] > right[0] + 100  # blue


def test_cel_specks_take_the_region_around_them_and_large_regions_keep_their_border():
    from atelier.tools.style.renderers.cel import absorb_specks

    labels = np.zeros((60, 80), np.int32)
    labels[:, 40:] = 1
    labels[10:13, 10:13] = 2  # a 9-px island of fur inside region 0
    labels[40:42, 60:62] = 0  # a 4-px island inside region 1
    out = absorb_specks(labels, 3, min_area=20, size=9)
    expected = np.zeros_like(labels)
    expected[:, 40:] = 1
    assert np.array_equal(out, expected)


def test_cel_paints_each_region_in_at_most_three_hard_tones_with_dark_outlines():
    """A lit orange ball on a blue ground: flat tones (shadow, base, highlight), not a gradient, and a dark
    line where ball meets ground."""
    y, x = np.mgrid[0:128, 0:128].astype(np.float32)
    img = np.dstack([np.full_like(x, 60), np.full_like(x, 100), np.full_like(x, 190)])
    ball = (x - 64) ** 2 + (y - 64) ** 2 < 40 ** 2
    light = np.clip(1.2 - np.hypot(x - 50, y - 50) / 60, 0.2, 1)[..., None]  # lit from the top left
    img = np.where(ball[..., None], np.array([235, 130, 40], np.float32) * light, img).astype(np.uint8)
    anime = hex_palette(["#1b1b3a", "#ff6b9a", "#ffd166", "#6ec6ff", "#fff5f8"])
    out = apply("cel", img, anime, {"tint": 0.3})
    inner = cv2.erode(ball.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    _, counts = np.unique(out[inner].reshape(-1, 3) // 8, axis=0, return_counts=True)
    tones = int((counts / counts.sum() > 0.04).sum())
    assert 2 <= tones <= 3  # the ball is shaded in two or three flat tones, not a gradient nor one disc
    rim = cv2.dilate(ball.astype(np.uint8), np.ones((3, 3), np.uint8)) - cv2.erode(ball.astype(np.uint8),
                                                                                   np.ones((3, 3), np.uint8))
    grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(float)
    assert np.median(grey[rim > 0]) < 0.6 * grey[~ball & ~rim.astype(bool)].mean()  # a dark outline
