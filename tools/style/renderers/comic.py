"""Comic and pop art: XDoG inks, flat colour and Ben-Day halftone dots.

``mode="comic"`` keeps the photo's hues, flattened into a few tones, with dots in the shadows;
``mode="pop"`` maps tones onto the reference palette's bold flat colours (a screen print) with large dots;
``mode="riso"`` prints two palette inks as halftones with misregistration.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fill_regions,
    from_lab,
    gradient_map,
    luminance,
    most_saturated,
    multiply_ink,
    nearest_colour,
    saturate,
    side_scale,
    smooth,
    strokes,
    to_float,
    to_lab,
    to_uint8,
    xdog,
)


def halftone(darkness: np.ndarray, cell: float, angle: float = 45.0) -> np.ndarray:
    """Ben-Day dots: a binary ink map whose dot area in each cell follows ``darkness`` (0..1).

    Each cell of a grid rotated by ``angle`` degrees holds one round dot of area ``darkness * cell**2``
    (dots merge into a grid of holes past about 0.78).

    Examples
    --------
    >>> dots = halftone(np.full((64, 64), 0.3, np.float32), 8.0)
    >>> abs(float(dots.mean()) - 0.3) < 0.05
    True
    """
    h, w = darkness.shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    a = np.deg2rad(angle)
    u = (x * np.cos(a) + y * np.sin(a)) / cell
    v = (-x * np.sin(a) + y * np.cos(a)) / cell
    du, dv = u - np.floor(u) - 0.5, v - np.floor(v) - 0.5
    dist = np.sqrt(du ** 2 + dv ** 2)
    d = np.clip(darkness, 0, 1)
    radius = np.sqrt(d / np.pi)
    square = np.maximum(np.abs(du), np.abs(dv))
    merged = d > np.pi / 4
    return np.where(merged, square <= 0.5 * np.sqrt(d) + 0.001, dist <= radius).astype(np.float32)


def flat_tones(img: np.ndarray, levels: int) -> np.ndarray:
    """Flatten lightness into ``levels`` bands, keeping hue and boosting chroma (comic colouring)."""
    lab = to_lab(img)
    step = 100.0 / max(levels, 2)
    lab[..., 0] = np.clip((np.floor(lab[..., 0] / step) + 0.5) * step * 1.05, 0, 100)
    lab[..., 1:] *= 1.35
    return from_lab(lab)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, mode: str = "comic",
           levels: int = 4, dot_cell: float = 7.0, dot_strength: float = 0.8, ink: float = 1.0,
           ink_sigma: float = 1.1, saturation: float = 1.2, tint: float = 0.35, spot_black: float = 0.16
           ) -> np.ndarray:
    """Ink ``rgb`` (uint8) as a comic panel or a pop-art print.

    Parameters
    ----------
    mode : ``"comic"``, ``"pop"`` or ``"riso"``.
    levels : flat tone bands.
    dot_cell : halftone cell size in px (at 512 px).
    dot_strength : opacity of the dots.
    ink, ink_sigma : opacity and thickness of the black outlines.
    tint : (comic) pull of the flat colours towards the nearest palette ink.
    spot_black : (comic) luma below which shadows are filled solid black.
    """
    s = side_scale(rgb.shape)
    img = to_float(rgb)
    flat = smooth(img, 1.2, max_side=480)
    lum = luminance(flat)
    bright = most_saturated(palette, 3)
    cell = dot_cell * s
    if line_art:
        lines = strokes(rgb)
        background = bright[1] if mode == "pop" else palette[-1]
        base = fill_regions(rgb, np.concatenate([bright, palette[-2:-1]]), background, seed)
        # flat colours of one lightness band, differing in hue: a sketch's regions are small and many, and
        # light/dark steps between them would outshout its own faint strokes
        lab = to_lab(base)
        lab[..., 0] = 78.0 + (lab[..., 0] - 78.0) * 0.35
        base = from_lab(lab)
        paper = np.all(np.abs(base - background) < 1e-6, axis=-1).astype(np.float32)
        dots = halftone(np.full(paper.shape, 0.35, np.float32), cell * 1.2) * paper
        out = multiply_ink(base, dots, palette[-1] if mode == "pop" else bright[0], 0.5 * dot_strength)
        return to_uint8(multiply_ink(out, lines, palette[0] * 0.3))
    if mode == "pop":
        t = np.floor(np.clip(lum, 0, 0.999) * levels) / max(levels - 1, 1)
        base = gradient_map(t, np.concatenate([palette[:1], bright[::-1], palette[-1:]]))
        dots = halftone(np.clip(1 - lum, 0, 1) * 0.6, cell * 1.4)
        out = multiply_ink(base, dots, palette[0], dot_strength * 0.6)
    elif mode == "riso":
        a, b = bright[0], bright[1]
        paper = palette[-1]
        ink_a = halftone(np.clip(1 - lum, 0, 1) * 0.9, cell, 15)
        ink_b = np.roll(halftone(np.clip(0.8 - lum, 0, 1), cell, 75), (int(2 * s), int(3 * s)), (0, 1))
        out = np.broadcast_to(paper, img.shape).astype(np.float32) * (1 - ink_a[..., None] * (1 - a)) * (
            1 - ink_b[..., None] * (1 - b))
        return to_uint8(out)
    else:
        flat = smooth(img, 2.5, max_side=360)
        lum = luminance(flat)
        base = saturate(flat_tones(flat, levels), saturation)
        base = base * (1 - tint) + palette[nearest_colour(base, palette[1:], 0.3) + 1] * tint
        dots = halftone(midtones(lum) * 0.45, cell)[..., None] * dot_strength
        out = base * (1 - 0.55 * dots)  # each dot the fill's own colour, printed darker
    lines = xdog(lum, ink_sigma * s, tau=0.975, phi=50)
    lines = bold(lines, spot_black, lum, s) if mode == "comic" else np.maximum(lines, (lum < 0.12).astype(np.float32))
    return to_uint8(multiply_ink(out, lines, palette[0] * 0.25, ink))


def midtones(lum: np.ndarray, centre: float = 0.55, width: float = 0.22) -> np.ndarray:
    """Where a colourist lays Ben-Day dots: the mid-tones (1 at ``centre``), not the lights or the blacks."""
    return np.exp(-(((lum - centre) / width) ** 2)).astype(np.float32)


def bold(lines: np.ndarray, spot_black: float, lum: np.ndarray, s: float) -> np.ndarray:
    """An inker's lines: the XDoG ink thresholded hard and thickened to a brush line (about 2 px at 512 px),
    with the deepest shadows filled solid ("spot blacks")."""
    ink = (lines > 0.35).astype(np.uint8)
    size = max(2, int(round(2 * s)))
    ink = cv2.dilate(ink, np.ones((size, size), np.uint8)).astype(np.float32)
    spots = (cv2.GaussianBlur(lum, (0, 0), 1.5 * s) < spot_black).astype(np.float32)
    return cv2.GaussianBlur(np.maximum(ink, spots), (0, 0), 0.5 * max(s, 1.0))
