"""Woodblock prints (ukiyo-e) and flat poster styles (art nouveau, art deco): flat regions, bold
contours, paper.

Tones are posterised onto the reference palette (the print's few blocks of colour) with a little of
the image's own hue kept, each colour block is slightly misregistered against the black key block
(the XDoG contours), wood grain shows in the flat areas and the paper is the palette's lightest colour.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fill_regions,
    gradient_map,
    luminance,
    multiply_ink,
    nearest_colour,
    paper_texture,
    side_scale,
    smooth,
    stretch,
    strokes,
    to_float,
    to_uint8,
    xdog,
)


def woodgrain(shape: tuple[int, int], seed: int, scale: float) -> np.ndarray:
    """Long horizontal grain around 0 (about -1..1)."""
    rng = np.random.default_rng(seed + 21)
    g = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigmaX=scale * 8, sigmaY=scale * 0.6)
    return np.clip(g / (g.std() + 1e-6) / 2.5, -1, 1)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, hue_keep: float = 0.25,
           contour: float = 1.0, contour_sigma: float = 1.3, grain_amount: float = 0.05, paper: float = 0.05,
           misregister: float = 1.5, bokashi: float = 0.3) -> np.ndarray:
    """Print ``rgb`` (uint8) from flat colour blocks and a black key block.

    Parameters
    ----------
    hue_keep : how much of the image's own colour tints each flat block.
    contour, contour_sigma : strength and width of the key-block outlines.
    grain_amount, paper : wood grain in flat areas and paper texture.
    misregister : offset of the colour blocks in px (at 512 px).
    bokashi : gradation at the top of the image (the graded skies of ukiyo-e prints).
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    img = to_float(rgb)
    if line_art:
        flat = fill_regions(rgb, palette[1:-1] if len(palette) > 2 else palette, palette[-1], seed)
        lines = strokes(rgb)
    else:
        abstract = smooth(img, 1.8, max_side=420)
        lum = stretch(luminance(abstract))
        blocks = gradient_map(np.round(lum * (len(palette) - 1)) / (len(palette) - 1), palette)
        by_hue = palette[nearest_colour(abstract, palette, light_weight=0.5)]
        flat = blocks * (1 - hue_keep) + by_hue * hue_keep * 0.5 + abstract * hue_keep * 0.5
        lines = xdog(lum, contour_sigma * s, tau=0.97, phi=45) * contour
    if bokashi > 0:
        fade = np.clip(1 - np.linspace(0, 2.5, shape[0], dtype=np.float32), 0, 1)[:, None, None] * bokashi
        flat = flat * (1 - fade) + palette[min(1, len(palette) - 1)] * fade
    shift = int(round(misregister * s))
    flat = np.roll(flat, (shift, -shift), axis=(0, 1)) if shift else flat
    flat = flat * (1 + grain_amount * woodgrain(shape, seed, s))[..., None]
    flat = flat * (1 + paper * paper_texture(shape, seed, 3 * s))[..., None]
    return to_uint8(multiply_ink(np.clip(flat, 0, 1), lines, palette[0] * 0.5))
