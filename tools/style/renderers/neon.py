"""Neon: cyberpunk, synthwave, neon noir, vaporwave, hologram.

Photos: the tones are crushed towards black, split-toned along the reference palette (shadows to its dark
colours, highlights to its bright ones), the edges light up as glowing tubes in the palette's most
saturated colours, and the highlights bloom; optional rain streaks, scanlines and chromatic fringes.
Line art: the paper goes dark and every stroke becomes a neon tube, so the drawing's lines stay put.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    fbm,
    gradient_map,
    grain,
    luminance,
    screen,
    side_scale,
    smooth,
    strokes,
    to_float,
    to_uint8,
    vignette,
    wide_blur,
    xdog,
)


def glow(light: np.ndarray, radius: float, strength: float = 1.0) -> np.ndarray:
    """Bloom: the light map plus three ever wider blurs of it (a neon tube's halo)."""
    out = light.copy()
    for i, s in enumerate((radius, radius * 2.5, radius * 6)):
        out += wide_blur(light, s) * strength * (1.2 / (i + 1))
    return out


def vivid(colour: np.ndarray, chroma: float = 1.6) -> np.ndarray:
    """A palette colour as lit neon gas: chroma boosted about its grey, then brightened to full value."""
    grey = colour.mean()
    c = np.clip(grey + (colour - grey) * chroma, 0, 1)
    return (c / max(float(c.max()), 1e-3)).astype(np.float32)


def neon_pair(palette: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The palette's most chromatic colour and the chromatic one furthest from it in hue (magenta and cyan,
    not two pinks), both as vivid light."""
    chroma = palette.max(axis=1) - palette.min(axis=1)
    hue = cv2.cvtColor(np.ascontiguousarray(palette[None], np.float32), cv2.COLOR_RGB2HSV)[0, :, 0]
    i = int(np.argmax(chroma))
    gap = np.abs(((hue - hue[i]) + 180) % 360 - 180) / 180.0
    j = int(np.argmax(chroma * (0.15 + gap) * (np.arange(len(palette)) != i)))
    a, b = vivid(palette[i]), vivid(palette[j])
    if abs(((float(hue[j]) - float(hue[i])) + 180) % 360 - 180) < 60:  # one hue only: add its complement
        b = vivid(1.0 - a)
    return a, b


def tube_colours(shape: tuple[int, int], palette: np.ndarray, seed: int, scale: float) -> np.ndarray:
    """Per-pixel tube colour: the two most saturated palette colours at full brightness, changing over large
    smooth regions (so a dim reference still gives magenta and cyan light, not mud)."""
    a, b = neon_pair(palette)
    t = fbm(shape, seed, scale, octaves=2)
    t = np.clip((t - 0.5) * 4 + 0.5, 0, 1)[..., None]
    return (a[None, None] * (1 - t) + b[None, None] * t).astype(np.float32)


def rain(shape: tuple[int, int], seed: int, length: float) -> np.ndarray:
    """Slanted streaks of rain in [0, 1]."""
    rng = np.random.default_rng(seed + 3)
    drops = (rng.random(shape) > 0.9975).astype(np.float32)
    k = max(3, int(length))
    kernel = np.zeros((k, k), np.float32)
    cv2.line(kernel, (k // 4, 0), (k - 1 - k // 4, k - 1), 1.0, 1)
    streaks = cv2.filter2D(drops, -1, kernel / kernel.sum())
    return np.clip(streaks / max(float(streaks.max()), 1e-6), 0, 1)


def scanlines(shape: tuple[int, int], period: float) -> np.ndarray:
    """Horizontal CRT lines: a multiplicative map between 0.75 and 1."""
    y = np.arange(shape[0], dtype=np.float32)
    row = 0.875 + 0.125 * np.cos(2 * np.pi * y / max(period, 2.0))
    return np.repeat(row[:, None], shape[1], axis=1)


def fringe(img: np.ndarray, px: int) -> np.ndarray:
    """Chromatic aberration: red shifted one way, blue the other, by ``px`` pixels."""
    if px <= 0:
        return img
    out = img.copy()
    out[:, px:, 0] = img[:, :-px, 0]
    out[:, :-px, 2] = img[:, px:, 2]
    return out


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, crush: float = 1.8,
           tone: float = 0.75, edge_glow: float = 1.0, bloom: float = 0.6, rain_amount: float = 0.0,
           scanline: float = 0.0, aberration: int = 0, vignette_amount: float = 0.45,
           grain_amount: float = 0.02) -> np.ndarray:
    """Render ``rgb`` (uint8) in neon light with the palette's colours.

    Parameters
    ----------
    crush : gamma applied to the tones (>1 darkens the mid-tones: the night look).
    tone : how much of the split-toned gradient map replaces the photo's own colours.
    edge_glow : brightness of the glowing edge tubes.
    bloom : glow of the brightest areas.
    rain_amount, scanline, aberration : optional rain streaks, CRT lines (0..1), colour fringe in px.

    Examples
    --------
    >>> pal = np.array([[0, 0, .1], [.3, 0, .4], [1, .2, .5], [0, .9, 1]], np.float32)
    >>> render(np.full((32, 32, 3), 255, np.uint8), pal, line_art=True).shape
    (32, 32, 3)
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    tubes = tube_colours(shape, palette, seed, 180 * s)
    h = shape[0]
    sky = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    dark = palette[0] * 0.6 + palette[min(1, len(palette) - 1)] * 0.4 * sky
    if line_art:
        ink = strokes(rgb)
        light = ink[..., None] * tubes
        core = ink[..., None] * (0.55 + 0.45 * tubes)
        out = screen(np.broadcast_to(dark, rgb.shape).astype(np.float32) * 0.8, glow(light, 2.0 * s, 0.35 * edge_glow))
        out = screen(out, core)
    else:
        img = smooth(to_float(rgb), 0.8)
        lum = luminance(img) ** crush
        a, b = neon_pair(palette)
        night = np.stack([palette[0] * 0.5, palette[0] * 0.3 + a * 0.35, a * 0.85, b * 0.9, 0.6 * b + 0.4])
        graded = gradient_map(lum ** 0.8, night)
        base = img ** crush * (1 - tone) + graded * tone
        lines = xdog(luminance(img), 1.2 * s, tau=0.985, phi=40) * np.clip(luminance(img) * 2, 0.25, 1)
        light = lines[..., None] * tubes * edge_glow
        highlights = np.clip((lum - 0.55) / 0.45, 0, 1)[..., None] * (0.5 * base + 0.5 * tubes)
        out = screen(base, glow(light, 1.5 * s, 0.5) + glow(highlights, 4 * s, bloom) * bloom)
    if rain_amount > 0:
        out = screen(out, rain(shape, seed, 24 * s)[..., None] * tubes * rain_amount)
    if scanline > 0:
        out = out * (1 - scanline + scanline * scanlines(shape, 3 * s)[..., None])
    out = fringe(out, int(round(aberration * s)))
    out = out * vignette(shape, vignette_amount)[..., None] + grain(shape, seed, grain_amount)[..., None]
    return to_uint8(out)
