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
    from_lab,
    gradient_map,
    hex_palette,
    is_clean_line_art,
    luminance,
    multiply_ink,
    nearest_colour,
    paper_texture,
    side_scale,
    smooth,
    stretch,
    strokes,
    to_float,
    to_lab,
    to_uint8,
    xdog,
)

# On sketches the drawing's strokes go back over the blocks a little darker than drawn (the key block)
RELAY_GAMMA = 1.0
BLOCK_SOFT = 3.0
BLOCK_LIGHT = 0.3


def woodgrain(shape: tuple[int, int], seed: int, scale: float) -> np.ndarray:
    """Long horizontal grain around 0 (about -1..1)."""
    rng = np.random.default_rng(seed + 21)
    g = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigmaX=scale * 8, sigmaY=scale * 0.6)
    return np.clip(g / (g.std() + 1e-6) / 2.5, -1, 1)


def print_inks(palette: np.ndarray, chroma: float) -> np.ndarray:
    """Fresh inks from a (possibly faded, scanned) palette: chroma scaled by ``chroma`` in Lab."""
    lab = to_lab(palette[None])[0]
    lab[:, 1:] *= chroma
    return from_lab(lab[None])[0]


def sketch_blocks(rgb: np.ndarray, inks: np.ndarray, accent: np.ndarray | None, seed: int) -> np.ndarray:
    """Flat colour blocks cut from a shaded sketch: its tone (the hatching averaged into areas) in four
    levels, darkest -> the darkest ink, then the next inks, the light areas left as paper; some of the
    mid-light areas printed from the accent block (the vermilion of a robe or a sun)."""
    s = side_scale(rgb.shape)
    tone = cv2.GaussianBlur(1.0 - strokes(rgb), (0, 0), 4.0 * s)
    tone = cv2.medianBlur(to_uint8(tone), 5).astype(np.float32) / 255.0
    level = np.digitize(tone, [0.5, 0.72, 0.9]).astype(np.int32)  # 0 darkest .. 3 paper
    table = np.stack([inks[0], inks[min(1, len(inks) - 1)], inks[max(0, len(inks) - 2)], inks[-1]])
    lab = to_lab(table[None])[0]  # the blocks differ in colour more than in light: the drawing brings the dark
    lab[:, 0] = lab[-1, 0] - (lab[-1, 0] - lab[:, 0]) * BLOCK_LIGHT
    flat = from_lab(lab[None])[0][level]
    if accent is not None:
        n, labels, stats, _ = cv2.connectedComponentsWithStats((level == 2).astype(np.uint8), connectivity=4)
        rng = np.random.default_rng(seed + 5)
        big = np.nonzero(stats[1:, cv2.CC_STAT_AREA] > 0.008 * level.size)[0] + 1
        chosen = big[rng.random(len(big)) < 0.35]
        if chosen.size:
            flat[np.isin(labels, chosen)] = accent
    # the block edges are printed soft (a cut block's inked edge spreads a little): a hard step between two
    # blocks would be a new, stronger edge than the drawing's own faint strokes
    return cv2.GaussianBlur(flat.astype(np.float32), (0, 0), BLOCK_SOFT * s)


def accent_mask(abstract: np.ndarray, s: float, share: float = 0.18) -> np.ndarray:
    """Where the accent block prints on a photo: warm, vivid areas, but only the most vivid ``share`` of
    the image and only in solid patches. A warm photo (a brown coffee cup, a tabby cat) would otherwise take
    the accent everywhere: the block is for the one vermilion robe, not for every warm tone."""
    hsv = cv2.cvtColor(abstract, cv2.COLOR_RGB2HSV)
    vivid = hsv[..., 1] * np.clip(hsv[..., 2] * 1.6, 0, 1)
    warm = ((hsv[..., 0] < 28) | (hsv[..., 0] > 340)) & (vivid > 0.65)
    if warm.any():
        warm &= vivid >= np.percentile(vivid, 100 * (1 - share))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * max(2, int(4 * s)) + 1,) * 2)
    warm = cv2.morphologyEx(warm.astype(np.uint8), cv2.MORPH_OPEN, k)
    return cv2.GaussianBlur(warm.astype(np.float32), (0, 0), 1.5 * s)


def print_accent(flat: np.ndarray, abstract: np.ndarray, spot: np.ndarray, lum: np.ndarray,
                 s: float) -> np.ndarray:
    """Overprint the accent block where ``accent_mask`` says, keeping the area's light and dark."""
    warm = accent_mask(abstract, s)[..., None]
    return flat * (1 - warm) + spot * (0.6 + 0.4 * lum[..., None]) * warm


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, hue_keep: float = 0.25,
           contour: float = 1.0, contour_sigma: float = 1.3, grain_amount: float = 0.05, paper: float = 0.05,
           misregister: float = 1.5, bokashi: float = 0.3, ink_chroma: float = 1.0,
           accent: str | None = None) -> np.ndarray:
    """Print ``rgb`` (uint8) from flat colour blocks and a black key block.

    Parameters
    ----------
    hue_keep : how much of the image's own colour tints each flat block.
    contour, contour_sigma : strength and width of the key-block outlines.
    grain_amount, paper : wood grain in flat areas and paper texture.
    misregister : offset of the colour blocks in px (at 512 px).
    bokashi : gradation at the top of the image (the graded skies of ukiyo-e prints).
    ink_chroma : chroma scale from the reference's colours to the inks (> 1 for a faded scan).
    accent : an extra block colour (``"#rrggbb"``) for some areas of a sketch, e.g. ukiyo-e vermilion.
    """
    s = side_scale(rgb.shape)
    shape = rgb.shape[:2]
    img = to_float(rgb)
    if ink_chroma != 1.0:
        palette = print_inks(palette, ink_chroma)
    spot = hex_palette([accent])[0] if accent else None
    if line_art and not is_clean_line_art(rgb):
        flat = sketch_blocks(rgb, palette, spot, seed)
        lines = np.zeros(shape, np.float32)
    elif line_art:
        flat = fill_regions(rgb, palette[1:-1] if len(palette) > 2 else palette, palette[-1], seed)
        lines = strokes(rgb)
    else:
        abstract = smooth(img, 1.8, max_side=420)
        lum = stretch(luminance(abstract))
        blocks = gradient_map(np.round(lum * (len(palette) - 1)) / (len(palette) - 1), palette)
        by_hue = palette[nearest_colour(abstract, palette, light_weight=0.5)]
        flat = blocks * (1 - hue_keep) + by_hue * hue_keep * 0.5 + abstract * hue_keep * 0.5
        if spot is not None:  # the most vivid warm areas (a robe, a sun) print from the accent block
            flat = print_accent(flat, abstract, spot, lum, s)
        lines = xdog(lum, contour_sigma * s, tau=0.97, phi=45) * contour
    if bokashi > 0:
        fade = np.clip(1 - np.linspace(0, 2.5, shape[0], dtype=np.float32), 0, 1)[:, None, None] * bokashi
        flat = flat * (1 - fade) + palette[min(1, len(palette) - 1)] * fade
    shift = int(round(misregister * s))
    flat = np.roll(flat, (shift, -shift), axis=(0, 1)) if shift else flat
    flat = flat * (1 + grain_amount * woodgrain(shape, seed, s))[..., None]
    flat = flat * (1 + paper * paper_texture(shape, seed, 3 * s))[..., None]
    return to_uint8(multiply_ink(np.clip(flat, 0, 1), lines, palette[0] * 0.5))
