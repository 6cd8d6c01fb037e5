"""Painterly rendering after Hertzmann 1998, simplified: layers of brush strokes from coarse to fine,
each placed where the canvas still differs from a blurred copy of the image, oriented along the image's
edges (the structure tensor), coloured from the image pulled towards the reference palette, with a
little canvas weave and impasto relief. ``dab`` shortens strokes to the dabs of impressionism.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fbm,
    gradient_map,
    luminance,
    multiply_ink,
    palette_tint,
    paper_texture,
    saturate,
    side_scale,
    strokes,
    to_float,
    to_uint8,
)


def stroke_angles(lum: np.ndarray, sigma: float) -> np.ndarray:
    """Angle (radians) of the edge tangent at every pixel, from the smoothed structure tensor."""
    gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    return (0.5 * np.arctan2(2 * jxy, jxx - jyy) + np.pi / 2).astype(np.float32)


def paint_layer(canvas: np.ndarray, target: np.ndarray, angles: np.ndarray, radius: float, length: float,
                threshold: float, jitter: float, rng: np.random.Generator, first: bool,
                max_strokes: int = 40_000) -> np.ndarray:
    """One layer of strokes of ``radius`` px, drawn in random order where the canvas is off by > threshold.

    The strokes sit on a jittered grid of about ``radius`` px, coarsened so that a layer never has more than
    ``max_strokes`` of them (each is a Python-level ``cv2.line``: this bounds the time at any image size)."""
    h, w = target.shape[:2]
    step = max(1, int(radius), int(np.ceil(np.sqrt(h * w / max_strokes))))
    ys, xs = np.mgrid[step // 2:h:step, step // 2:w:step]
    ys = np.clip(ys + rng.integers(-step // 2, step // 2 + 1, ys.shape), 0, h - 1).ravel()
    xs = np.clip(xs + rng.integers(-step // 2, step // 2 + 1, xs.shape), 0, w - 1).ravel()
    error = cv2.blur(np.abs(canvas - target).sum(axis=2), (step, step))
    keep = np.ones(len(ys), bool) if first else error[ys, xs] > threshold
    ys, xs = ys[keep], xs[keep]
    order = rng.permutation(len(ys))
    colours = target[ys, xs] * (1 + jitter * rng.standard_normal((len(ys), 1)).astype(np.float32))
    colours += jitter * 0.5 * rng.standard_normal((len(ys), 3)).astype(np.float32)
    colours = np.clip(colours, 0, 1) * 255.0
    a = angles[ys, xs] + rng.normal(0, 0.15, len(ys)).astype(np.float32)
    half = length * radius * (0.6 + 0.8 * rng.random(len(ys)))
    dx, dy = np.cos(a) * half, np.sin(a) * half
    out = (canvas * 255.0).astype(np.uint8)
    thick = max(1, int(round(radius)))
    for i in order:
        c = colours[i]
        cv2.line(out, (int(xs[i] - dx[i]), int(ys[i] - dy[i])), (int(xs[i] + dx[i]), int(ys[i] + dy[i])),
                 (float(c[0]), float(c[1]), float(c[2])), thick, cv2.LINE_AA)
    return out.astype(np.float32) / 255.0


def impasto(img: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """Relief lighting from the paint's own texture (light from the top left)."""
    height = cv2.GaussianBlur(luminance(img), (0, 0), sigma)
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3)
    light = np.clip(1 - (gx + gy) * amount * 4, 0.7, 1.3)
    return np.clip(img * light[..., None], 0, 1)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, brush: float = 8.0,
           layers: int = 3, length: float = 2.5, jitter: float = 0.06, tint: float = 0.3, saturation: float = 1.15,
           relief: float = 0.3, canvas: float = 0.04, threshold: float = 0.08) -> np.ndarray:
    """Paint ``rgb`` (uint8) with brush strokes.

    Parameters
    ----------
    brush : largest brush radius in px (at 512 px); each further layer halves it.
    layers : number of brush sizes.
    length : stroke length in brush radii (short for impressionist dabs, long for oil).
    jitter : per-stroke colour variation.
    tint : pull of the colours towards the reference palette (``palette_tint``: tones and hue order kept).
    relief, canvas : impasto lighting and canvas weave.
    """
    s = side_scale(rgb.shape)
    rng = np.random.default_rng(seed)
    img = to_float(rgb)
    lum = luminance(img)
    if line_art:  # calmer paint under a drawing: its strokes carry the picture, not the paint's texture
        jitter *= 0.5
        patches = fbm(rgb.shape[:2], seed + 3, 140 * s, 3)
        img = gradient_map(0.35 + 0.6 * patches * cv2.GaussianBlur(lum, (0, 0), 4 * s), palette)
    base = saturate(palette_tint(img, palette, tint), saturation)
    angles = stroke_angles(cv2.GaussianBlur(lum, (0, 0), 2 * s), 6 * s)
    radius = brush * s
    canvas_img = cv2.GaussianBlur(base, (0, 0), radius)
    for layer in range(layers):
        target = cv2.GaussianBlur(base, (0, 0), max(0.8, radius * 0.5))
        canvas_img = paint_layer(canvas_img, target, angles, radius, length, threshold, jitter, rng, layer == 0)
        radius = max(1.0, radius / 2)
    out = impasto(canvas_img, relief, 1.0 * s)
    weave = paper_texture(rgb.shape[:2], seed, 1.5 * s)
    out = np.clip(out * (1 + canvas * weave[..., None]), 0, 1)
    if line_art:
        out = multiply_ink(out, strokes(rgb), palette[0] * 0.5)
    return to_uint8(out)
