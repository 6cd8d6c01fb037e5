"""Tonal grades: film noir, sepia vintage, gothic, cozy autumn, storybook pastel and the other looks that
are a matter of tone and colour rather than marks.

A chain of small steps, each off unless its parameter asks for it: desaturate, tone curve (contrast,
gamma, lifted blacks), gradient-map toning with the reference palette, keeping one accent hue, soft
glow, venetian-blind shadows, paper texture, grain, scratches and a vignette.
"""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    gradient_map,
    grain,
    luminance,
    paper_texture,
    saturate,
    screen,
    side_scale,
    to_float,
    to_uint8,
    vignette,
)

LINE_ART_TONE = 0.9


def wash(img: np.ndarray, palette: np.ndarray, s: float, amount: float = 0.6) -> np.ndarray:
    """A drawing's shading (its hatching averaged into soft areas, stretched to the full range) laid over it
    through the palette: the shaded areas take the grade's dark and middle colours, the paper its light one,
    the way a colourist washes a toned drawing. Soft, so it adds no edges of its own."""
    tone = cv2.GaussianBlur(luminance(img), (0, 0), 6.0 * s)
    lo, hi = np.percentile(tone, [1, 99])
    tone = np.clip((tone - lo) / max(float(hi - lo), 1e-3), 0, 1)
    return (img * (1 - amount) + gradient_map(tone, palette) * amount).astype(np.float32)


def tone_curve(img: np.ndarray, contrast: float, gamma: float, lift: float, gain: float) -> np.ndarray:
    """S-curve ``contrast`` (0 = none), ``gamma``, raised blacks ``lift`` and ``gain`` on the whites."""
    x = np.clip(img, 0, 1) ** gamma
    if contrast:
        x = x + contrast * (x - 0.5) * (1 - np.abs(2 * x - 1)) * 2
        x = np.clip(x, 0, 1)
    return (lift + (gain - lift) * x).astype(np.float32)


def keep_hue(img: np.ndarray, grey: np.ndarray, hue: float, width: float = 25.0) -> np.ndarray:
    """Blend towards ``grey`` everywhere except near ``hue`` (degrees, OpenCV's 0..360 float HSV)."""
    hsv = cv2.cvtColor(np.ascontiguousarray(img, np.float32), cv2.COLOR_RGB2HSV)
    d = np.abs(((hsv[..., 0] - hue) + 180) % 360 - 180)
    keep = (np.clip(1 - d / width, 0, 1) * np.clip(hsv[..., 1] * 3, 0, 1))[..., None]
    return grey * (1 - keep) + img * keep


def blinds(shape: tuple[int, int], period: float, angle: float = 20.0, hardness: float = 3.0) -> np.ndarray:
    """Soft diagonal shadow bars (light through venetian blinds): 1 lit, lower in shadow; ``hardness`` 1 is a
    pure sine (no edges of its own, for line art), higher values give crisper bars."""
    y, x = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    a = np.deg2rad(angle)
    t = (y * np.cos(a) + x * np.sin(a)) / period
    return (0.5 + 0.5 * np.clip(np.sin(2 * np.pi * t) * hardness, -1, 1)).astype(np.float32)


def scratches(shape: tuple[int, int], seed: int, count: int) -> np.ndarray:
    """Thin vertical scratches and dust specks in [0, 1] (old film and prints)."""
    rng = np.random.default_rng(seed + 5)
    out = np.zeros(shape, np.float32)
    h, w = shape
    for _ in range(count):
        x = int(rng.integers(0, w))
        cv2.line(out, (x, int(rng.integers(0, h // 2))), (x + int(rng.integers(-8, 8)), int(rng.integers(h // 2, h))),
                 float(rng.uniform(0.3, 1)), 1)
    for _ in range(count * 6):
        cv2.circle(out, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(rng.integers(1, 3)),
                   float(rng.uniform(0.3, 1)), -1)
    return out


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, mono: float = 0.0,
           contrast: float = 0.0, gamma: float = 1.0, lift: float = 0.0, gain: float = 1.0, tone: float = 0.5,
           tone_cycles: float = 1.0, saturation: float = 1.0, accent_hue: float = -1.0, soften: float = 0.0,
           glow_amount: float = 0.0,
           blinds_amount: float = 0.0, paper: float = 0.0, grain_amount: float = 0.03, scratch: int = 0,
           vignette_amount: float = 0.3, wash_amount: float = 0.6) -> np.ndarray:
    """Grade ``rgb`` (uint8).

    Parameters
    ----------
    mono : desaturation (1 = black and white before toning).
    contrast, gamma, lift, gain : the tone curve.
    tone : how much of the palette gradient map colours the result (sepia, duotone, autumn warmth).
    tone_cycles : above 1, the gradient map repeats up and down that many times (psychedelic bands).
    saturation : chroma scale after toning.
    accent_hue : a hue in degrees kept in colour while the rest goes grey (gothic crimson); < 0 off.
    soften : blur of the image in px (at 512 px), mixed in half (dreamy, pastel).
    glow_amount : soft glow of the highlights.
    blinds_amount : venetian-blind shadow bars (film noir).
    paper : paper texture; grain_amount : film grain; scratch : number of scratches; vignette_amount.
    wash_amount : on a drawing, how much its shading is washed with the palette (``wash``).
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    if line_art:  # bars of shadow and dark corners over a sketch swallow its faint strokes: half as deep
        blinds_amount, vignette_amount = blinds_amount * 0.55, vignette_amount * 0.7
        # a drawing has no colours of its own to keep: its paper and strokes take the grade's colours (a
        # sepia or autumn-toned drawing, not a grey one with a tint)
        tone = max(tone, LINE_ART_TONE)
    img = to_float(rgb)
    grey = np.repeat(luminance(img)[..., None], 3, axis=2)
    img = keep_hue(img, grey, accent_hue) if accent_hue >= 0 else img * (1 - mono) + grey * mono
    if soften > 0:
        img = 0.5 * img + 0.5 * cv2.GaussianBlur(img, (0, 0), soften * s)
    img = tone_curve(img, contrast, gamma, lift, gain)
    if line_art:
        img = wash(img, palette, s, wash_amount)
    if tone > 0:
        t = luminance(img)
        t = np.abs(((t * tone_cycles) % 2.0) - 1.0) if tone_cycles > 1 else t
        img = img * (1 - tone) + gradient_map(t, palette) * tone
    img = saturate(img, saturation)
    if glow_amount > 0:
        bright = np.clip((luminance(img) - 0.6) / 0.4, 0, 1)[..., None] * img
        img = screen(img, cv2.GaussianBlur(bright, (0, 0), 8 * s) * glow_amount)
    if blinds_amount > 0:
        bars = blinds(shape, 28 * s, hardness=1.0 if line_art else 3.0)
        img = img * (1 - blinds_amount + blinds_amount * bars)[..., None]
    if paper > 0:
        img = img * (1 + paper * paper_texture(shape, seed, 3 * s))[..., None]
    if scratch > 0:
        marks = scratches(shape, seed, scratch)[..., None]
        img = img * (1 - 0.5 * marks) + 0.5 * marks * palette[-1]
    img = img * vignette(shape, vignette_amount)[..., None] + grain(shape, seed, grain_amount)[..., None]
    return to_uint8(img)
