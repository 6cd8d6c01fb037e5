"""Pointillism (Seurat, Signac): the picture rebuilt from small round dots of pure colour on a light ground.

Dot colours come from the smoothed image, saturated and pulled towards the reference palette, each dot
jittered in hue and lightness so neighbouring dots mix optically; dots are laid in two offset passes.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import fbm, gradient_map, luminance, saturate, side_scale, strokes, to_float, to_uint8


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, spacing: float = 4.0,
           dot: float = 0.75, jitter: float = 0.07, tint: float = 0.3, saturation: float = 1.5) -> np.ndarray:
    """Stipple ``rgb`` (uint8) into dots of colour.

    Parameters
    ----------
    spacing : distance between dots in px (at 512 px).
    dot : dot radius as a share of the spacing.
    jitter : random colour variation of each dot.
    tint : pull towards the palette.
    saturation : chroma boost of the dot colours.
    """
    s = side_scale(rgb.shape)
    rng = np.random.default_rng(seed)
    h, w = rgb.shape[:2]
    img = to_float(rgb)
    if line_art:
        lum = cv2.GaussianBlur(luminance(img), (0, 0), 2 * s)
        img = gradient_map(0.3 + 0.4 * fbm(rgb.shape[:2], seed, 150 * s, 2) + 0.3 * lum, palette)
    src = cv2.GaussianBlur(img, (0, 0), spacing * s * 0.5)
    src = saturate(src * (1 - tint) + gradient_map(luminance(src), palette) * tint, saturation)
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = to_uint8(palette[-1] * 0.5 + 0.5)
    step = max(2.0, spacing * s)
    radius = max(1, int(round(step * dot)))
    for offset in (0.0, 0.5):
        ys, xs = np.mgrid[offset * step:h:step, offset * step:w:step]
        ys = np.clip(ys + rng.uniform(-step / 2, step / 2, ys.shape), 0, h - 1).astype(np.int32).ravel()
        xs = np.clip(xs + rng.uniform(-step / 2, step / 2, xs.shape), 0, w - 1).astype(np.int32).ravel()
        cols = src[ys, xs] + jitter * rng.standard_normal((len(ys), 3)).astype(np.float32)
        cols = np.clip(cols, 0, 1) * 255
        for i in rng.permutation(len(ys)):
            c = cols[i]
            cv2.circle(canvas, (int(xs[i]), int(ys[i])), radius, (float(c[0]), float(c[1]), float(c[2])), -1,
                       cv2.LINE_AA)
    if line_art:
        ink = strokes(rgb)[..., None]
        return to_uint8(to_float(canvas) * (1 - ink * 0.6))
    return canvas
