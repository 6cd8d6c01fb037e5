"""Cel shading (anime): flat colour regions with two or three hard shading bands per hue, clean dark
outlines and a slight push of the colours towards the reference palette."""

from __future__ import annotations

import numpy as np

from .common import (
    fill_regions,
    from_lab,
    gradient_map,
    luminance,
    most_saturated,
    multiply_ink,
    side_scale,
    smooth,
    strokes,
    to_float,
    to_lab,
    to_uint8,
    xdog,
)


def bands(lightness: np.ndarray, levels: int, low: float = 18.0, high: float = 96.0) -> np.ndarray:
    """Quantise Lab lightness into ``levels`` hard bands between ``low`` and ``high``."""
    t = np.clip((lightness - low) / (high - low), 0, 0.999)
    return (low + (np.floor(t * levels) + 0.6) / levels * (high - low)).astype(np.float32)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, levels: int = 3,
           chroma: float = 1.4, tint: float = 0.15, outline: float = 1.0, outline_sigma: float = 0.9) -> np.ndarray:
    """Cel-shade ``rgb`` (uint8).

    Parameters
    ----------
    levels : shading bands.
    chroma : saturation boost of the flat colours.
    tint : pull towards the palette.
    outline, outline_sigma : opacity and width of the outlines.
    """
    s = side_scale(rgb.shape)
    img = to_float(rgb)
    if line_art:
        flat = fill_regions(rgb, np.concatenate([most_saturated(palette, 3), palette[-2:-1]]), palette[-1], seed)
        return to_uint8(multiply_ink(flat, strokes(rgb), palette[0] * 0.4))
    abstract = smooth(img, 1.6, max_side=480)
    abstract = abstract * (1 - tint) + gradient_map(luminance(abstract), palette) * tint
    lab = to_lab(abstract)
    lab[..., 0] = bands(lab[..., 0], levels)
    lab[..., 1:] *= chroma
    flat = from_lab(lab)
    lines = xdog(luminance(abstract), outline_sigma * s, tau=0.98, phi=60)
    return to_uint8(multiply_ink(flat, lines, palette[0] * 0.3, outline))
