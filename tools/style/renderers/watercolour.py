"""Watercolour, after Bousseau et al. 2006: abstraction, wobbly edges, edge darkening, pigment density
variation and paper texture, composited with a subtractive pigment model on white paper.

Each colour is treated as a pigment layer of optical density ``-log(colour)``; the effects change the
layer's thickness: thicker (darker, richer) at the edges of washes and where turbulence pools pigment,
thinner in the light, with the paper's tooth catching granules. Highlights are left as bare paper.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fbm,
    gradient_map,
    is_clean_line_art,
    luminance,
    multiply_ink,
    paper_texture,
    regions,
    saturate,
    side_scale,
    smooth,
    strokes,
    to_float,
    to_uint8,
    xdog,
)


def wobble(img: np.ndarray, seed: int, amplitude: float, scale: float) -> np.ndarray:
    """Displace the image by smooth noise (the irregular edges of a wash)."""
    h, w = img.shape[:2]
    dx = (fbm((h, w), seed + 1, scale, 2) - 0.5) * 2 * amplitude
    dy = (fbm((h, w), seed + 2, scale, 2) - 0.5) * 2 * amplitude
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, gx + dx, gy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def edge_darkening(img: np.ndarray, width: float) -> np.ndarray:
    """Where pigment collects: strength in [0, 1] near the boundaries of washes (a blurred gradient)."""
    blurred = cv2.GaussianBlur(img, (0, 0), width)
    diff = np.abs(img - blurred).sum(axis=2)
    return np.clip(diff / max(float(np.percentile(diff, 99)), 1e-3), 0, 1).astype(np.float32)


def vignette_wash(shape: tuple[int, int], seed: int, margin: float) -> np.ndarray:
    """Coverage of a painted sheet: 1 inside, falling to bare paper towards a ragged border (``margin`` is
    the share of the short side left unpainted at the edges), the way a watercolour is rarely taken to the
    edge of the paper."""
    h, w = shape
    if margin <= 0:
        return np.ones(shape, np.float32)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    edge = np.minimum(np.minimum(x, w - 1 - x), np.minimum(y, h - 1 - y)) / max(min(h, w), 1)
    ragged = edge + (fbm(shape, seed + 11, 0.25 * min(h, w), 3) - 0.5) * margin
    return np.clip((ragged - 0.25 * margin) / (0.5 * margin), 0, 1).astype(np.float32)


def pigment(colour: np.ndarray, density: np.ndarray) -> np.ndarray:
    """Subtractive layer on white: ``colour ** density`` (density 1 = the colour, > 1 darker and richer)."""
    return np.power(np.clip(colour, 1e-3, 1.0), density[..., None]).astype(np.float32)


def washes(rgb: np.ndarray, palette: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Loose colour washes for a line drawing: palette colours laid where the drawing has content, in
    large soft patches; returns (colour, coverage in [0, 1])."""
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    if is_clean_line_art(rgb):  # clean line art: one wash per enclosed region, the background left bare
        labels, largest = regions(rgb)
        rng = np.random.default_rng(seed)
        mids = palette[: max(2, len(palette) - 1)]
        colour = mids[rng.integers(0, len(mids), labels.max() + 1)].astype(np.float32)[labels]
        colour[labels == largest] = palette[-2]
        coverage = np.where((labels > 0) & (labels != largest), 2.0, 0.8).astype(np.float32)
        return colour, cv2.GaussianBlur(coverage, (0, 0), 1.0)
    ink = strokes(rgb)
    near = cv2.GaussianBlur(cv2.dilate(ink, np.ones((3, 3), np.uint8), iterations=int(4 * s) + 1), (0, 0), 14 * s)
    near = near / max(float(np.percentile(near, 98)), 1e-3)
    coverage = np.clip((near * (0.6 + 0.8 * fbm(shape, seed + 4, 120 * s, 3)) - 0.3) * 3, 0, 1)
    # the shading of the sketch, pooled into areas, takes the cool washes; the rest warm patches of colour
    shade = np.clip(cv2.GaussianBlur(ink, (0, 0), 6 * s) * 2.2, 0, 1)
    mids = palette[: max(2, len(palette) - 1)]
    warm = gradient_map(fbm(shape, seed + 6, 110 * s, 2) * 0.7 + 0.3, mids)
    cool = gradient_map(fbm(shape, seed + 8, 200 * s, 2) * 0.4, mids)
    colour = warm * (1 - shade[..., None]) + cool * shade[..., None]
    return colour.astype(np.float32), np.clip(coverage + shade, 0, 1).astype(np.float32)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, tint: float = 0.35,
           dilution: float = 0.55, edge: float = 1.8, turbulence: float = 0.4, granulation: float = 0.45,
           wobble_px: float = 3.0, white: float = 0.8, pencil: float = 0.2, abstraction: int = 160,
           margin: float = 0.12) -> np.ndarray:
    """Paint ``rgb`` (uint8) as a watercolour with colours pulled towards the palette.

    Parameters
    ----------
    tint : how far the colours move towards the reference palette's gradient map.
    dilution : pigment density of a flat wash (< 1 lighter than the photo).
    edge : edge-darkening strength.
    turbulence : low-frequency pigment density variation.
    granulation : paper-grain pigment variation.
    wobble_px : wash edge displacement in px (at 512 px).
    white : luma above which the paper is left bare.
    pencil : visibility of the under-drawing lines (line art keeps its strokes at full strength).
    abstraction : side in px of the copy the washes are flattened on (smaller: broader washes, less detail).
    margin : share of the short side left as bare paper round a photo's edges (0: painted to the edge).

    Examples
    --------
    >>> pal = np.array([[.2, .3, .5], [.9, .6, .5], [1, 1, .95]], np.float32)
    >>> render(np.full((40, 40, 3), 128, np.uint8), pal).shape
    (40, 40, 3)
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    img = to_float(rgb)
    if line_art:
        colour, coverage = washes(rgb, palette, seed)
    else:
        flat = smooth(img, 3.0, max_side=abstraction)
        colour = saturate(flat * (1 - tint) + gradient_map(luminance(flat), palette) * tint, 1.2)
        coverage = vignette_wash(shape, seed, margin)
    colour = wobble(colour, seed, wobble_px * s, 40 * s)
    lum = luminance(colour)
    coverage = wobble(coverage, seed + 9, wobble_px * 2 * s, 30 * s)
    load = 1.0 if line_art and is_clean_line_art(rgb) else 1.4  # a sketch takes fuller washes than clean lines
    density = dilution * (cv2.GaussianBlur(coverage, (0, 0), 5 * s + 1.0) * load if line_art else coverage)
    density *= 1 + edge * (0.5 if line_art else 1.0) * edge_darkening(colour, max(2.0, 3 * s))
    density *= 1 + turbulence * (fbm(shape, seed + 5, 90 * s) - 0.5) * 2
    density *= 1 + granulation * paper_texture(shape, seed, 2.5 * s)
    density *= np.clip((white - lum) / 0.12, 0, 1) if not line_art else 1.0
    out = pigment(colour, density)
    paper = 1.0 + 0.04 * paper_texture(shape, seed + 1, 4 * s)[..., None]
    out = np.clip(out * paper, 0, 1)
    if line_art:
        return to_uint8(multiply_ink(out, strokes(rgb), palette[0] * 0.6))
    lines = xdog(luminance(smooth(img, 1.5, max_side=320)), 0.8 * s, tau=0.98, phi=30)
    return to_uint8(multiply_ink(out, lines, palette[0] * 0.8, pencil))
