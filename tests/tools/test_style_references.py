"""Rendered references: each tile shows a style's marks at the scale of a full render."""

from __future__ import annotations

import numpy as np

from atelier.tools.style.references import SIZE, busiest_window, render_tile


def test_the_busiest_window_is_the_part_of_a_photo_that_is_not_empty_sky():
    img = np.full((200, 200, 3), (120, 170, 230), np.uint8)
    rng = np.random.default_rng(0)
    img[100:, 100:] = rng.integers(0, 256, (100, 100, 3))
    assert busiest_window(img, 100) == (100, 100)


def test_a_tile_is_a_quarter_of_the_reference_and_keeps_the_full_render_mark_size():
    """Pixel art's cells at 2 x SIZE px cut to a window and halved are as wide, relative to the tile, as in
    a whole SIZE-px render: half of what a whole render shrunk into the tile would show."""
    rng = np.random.default_rng(1)
    photo = rng.integers(0, 256, (300, 300, 3)).astype(np.uint8)
    tile = render_tile("pixel_art", {"cell": 16}, ("#000000", "#777777", "#ffffff"), photo, seed=0)
    assert tile.shape == (SIZE // 2, SIZE // 2, 3)
    runs = np.flatnonzero(np.any(np.diff(tile[SIZE // 4].astype(int), axis=0) != 0, axis=1))
    assert np.median(np.diff(runs)) >= 6  # 16 px cells at 512 px -> 8 px in the 128 px tile (not 4)
