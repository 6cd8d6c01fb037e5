"""Ink wash (sumi-e): graded ink tones on rice paper.

The image is abstracted, its tones grouped into a few ink dilutions that bleed softly into the paper,
bold dry-brush contours come from XDoG, and the paper is the reference's lightest colour with fibres.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fbm,
    luminance,
    multiply_ink,
    paper_texture,
    side_scale,
    smooth,
    stretch,
    strokes,
    to_float,
    to_uint8,
    xdog,
)


def ink_tones(lum: np.ndarray, levels: int, softness: float) -> np.ndarray:
    """Ink amount in [0, 1] (1 = black) in ``levels`` soft steps, light tones left as paper."""
    ink = np.clip((0.85 - lum) / 0.85, 0, 1)
    x = ink * levels
    stepped = (np.floor(x) + np.clip((x - np.floor(x) - 0.5) / max(softness, 1e-3) + 0.5, 0, 1)) / levels
    return np.clip(stepped, 0, 1).astype(np.float32)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, levels: int = 4,
           softness: float = 0.35, bleed: float = 2.0, contour: float = 1.0, dry_brush: float = 0.35,
           fibres: float = 0.06, ink_strength: float = 0.92) -> np.ndarray:
    """Paint ``rgb`` (uint8) in graded ink.

    Parameters
    ----------
    levels : ink dilutions.
    softness : how gradually one dilution turns into the next.
    bleed : blur of the washes into the paper in px (at 512 px).
    contour : strength of the brush contours.
    dry_brush : streaky gaps in the ink (a dry brush dragged across the paper).
    fibres : rice-paper fibre visibility.
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    paper = palette[-1]
    ink_colour = palette[0] * 0.5
    lum = stretch(luminance(smooth(to_float(rgb), 1.5, max_side=400)))
    if line_art:
        wash = cv2.GaussianBlur(1 - luminance(to_float(rgb)), (0, 0), 10 * s) * 0.8
        lines = strokes(rgb)
    else:
        wash = ink_tones(lum, levels, softness)
        lines = xdog(lum, 1.6 * s, tau=0.97, phi=30) * contour
    noise = fbm(shape, seed, 60 * s, 3)
    wash = cv2.GaussianBlur(wash, (0, 0), bleed * s) * (0.8 + 0.4 * noise)
    streaks = cv2.GaussianBlur(np.random.default_rng(seed).random(shape).astype(np.float32), (0, 0),
                               sigmaX=9 * s, sigmaY=0.8)
    lines = lines * (1 - dry_brush * (stretch(streaks) > 0.6))
    out = np.broadcast_to(paper, rgb.shape).astype(np.float32) * (1 + fibres * paper_texture(shape, seed, 5 * s))[
        ..., None]
    out = multiply_ink(out, np.clip(wash, 0, 1), ink_colour, ink_strength)
    out = multiply_ink(out, np.clip(lines, 0, 1), ink_colour * 0.6)
    return to_uint8(np.clip(out, 0, 1))
