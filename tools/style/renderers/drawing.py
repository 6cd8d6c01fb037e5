"""Drawing media: charcoal, blueprint, minimalist line art, chalkboard, crayon.

Lines come from XDoG (photos) or the drawing's own strokes (line art); the medium decides the ground,
the colour of the marks and their texture.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fbm,
    luminance,
    most_saturated,
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


def grid(shape: tuple[int, int], step: float) -> np.ndarray:
    """A measurement grid (every fifth line heavier) in [0, 1]."""
    h, w = shape
    out = np.zeros(shape, np.float32)
    for n, k in enumerate(np.arange(0, max(h, w), step)):
        v = 1.0 if n % 5 == 0 else 0.45
        if k < w:
            out[:, int(k)] = v
        if k < h:
            out[int(k), :] = v
    return out


def smudge(ink: np.ndarray, seed: int, scale: float) -> np.ndarray:
    """Charcoal: marks dragged along a diagonal and broken by the paper's tooth."""
    k = max(3, int(9 * scale))
    kernel = np.eye(k, dtype=np.float32)[::-1] / k
    dragged = cv2.filter2D(ink, -1, kernel)
    tooth = paper_texture(ink.shape, seed, 1.5 * scale)
    return np.clip(np.maximum(ink, dragged * 0.8) * (1 + 0.6 * tooth), 0, 1)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, medium: str = "charcoal",
           line_sigma: float = 1.0, tone: float = 0.6, texture: float = 0.5) -> np.ndarray:
    """Draw ``rgb`` (uint8) in a medium.

    Parameters
    ----------
    medium : ``"charcoal"``, ``"blueprint"``, ``"line"`` (minimalist), ``"chalk"`` or ``"crayon"``.
    line_sigma : line scale in px (at 512 px).
    tone : how much of the image's shading is drawn besides the lines.
    texture : strength of the medium's texture.
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    img = to_float(rgb)
    lum = stretch(luminance(smooth(img, 1.0, max_side=512)))
    if line_art:
        lines = strokes(rgb)
        shade = np.zeros(shape, np.float32)
    else:
        lines = xdog(lum, line_sigma * s, tau=0.98 if medium != "line" else 0.96, phi=40)
        shade = np.clip(0.75 - lum, 0, 1) / 0.75
    if medium == "line":
        ground = np.broadcast_to(palette[-1], rgb.shape).astype(np.float32)
        if line_art:
            lines = (lines > 0.45).astype(np.float32)
        out = multiply_ink(ground, lines, palette[0] * 0.4)
    elif medium == "blueprint":
        ground = np.broadcast_to(palette[0] * 0.5 + palette[min(1, len(palette) - 1)] * 0.5, rgb.shape)
        ground = ground.astype(np.float32) * (1 + 0.05 * (fbm(shape, seed, 120 * s, 3) - 0.5))[..., None]
        out = multiply_ink(ground, grid(shape, 16 * s), palette[-1], 0.18)
        out = multiply_ink(out, shade * tone * 0.35, palette[-1], 1.0)
        out = multiply_ink(out, lines, palette[-1], 0.95)
    elif medium == "chalk":
        board = palette[0] * 0.7 + palette[min(1, len(palette) - 1)] * 0.3
        ground = np.broadcast_to(board, rgb.shape).astype(np.float32)
        dust = cv2.GaussianBlur(fbm(shape, seed, 80 * s, 3), (0, 0), 3 * s)[..., None] * 0.08
        broken = (lines + shade * tone * 0.4) * (1 - texture * 0.6 * (paper_texture(shape, seed, 1.2 * s) > 0.2))
        out = multiply_ink(ground + dust, np.clip(broken, 0, 1), palette[-1], 0.9)
    elif medium == "crayon":
        ground = np.broadcast_to(palette[-1], rgb.shape).astype(np.float32)
        colours = most_saturated(palette, 3)
        wax = colours[(fbm(shape, seed, 90 * s, 2) * 2.999).astype(int)]
        fill = np.clip(shade * tone + 0.25, 0, 1) * (1 - texture * (paper_texture(shape, seed, 1.5 * s) > 0.1))
        out = ground * (1 - fill[..., None]) + wax * fill[..., None]
        out = multiply_ink(out, lines, palette[0] * 0.5, 0.9)
    else:
        ground = np.broadcast_to(palette[-1], rgb.shape).astype(np.float32)
        ground = ground * (1 + 0.08 * paper_texture(shape, seed, 2 * s))[..., None]
        marks = smudge(np.clip(shade * tone, 0, 1), seed, s) * (0.7 + texture * 0.3)
        out = multiply_ink(ground, marks, palette[0] * 0.6, 0.85)
        out = multiply_ink(out, lines, palette[0] * 0.4)
    if line_art and medium != "line":
        out = multiply_ink(out, strokes(rgb), palette[-1] if medium in ("blueprint", "chalk") else palette[0] * 0.4)
    return to_uint8(np.clip(out, 0, 1))
