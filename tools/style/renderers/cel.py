"""Cel shading (anime): the picture cut into a few flat colour regions, each painted in two or three hard
tones (shadow, base, highlight), saturated and pulled towards the reference palette, with clean dark
outlines. A sketch is coloured the way a colourist fills a drawing: its shading becomes flat cels."""

from __future__ import annotations

import cv2
import numpy as np

from .common import (
    from_lab,
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


def flat_regions(img: np.ndarray, k: int, seed: int, side: int = 160) -> np.ndarray:
    """Label every pixel with one of ``k`` colour clusters (k-means in Lab on a ``side``-px copy)."""
    h, w = img.shape[:2]
    scale = min(1.0, side / max(h, w))
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    lab_small = to_lab(small).reshape(-1, 3)
    k = int(max(1, min(k, len(np.unique(lab_small.round(1), axis=0)))))
    cv2.setRNGSeed(int(seed) % 2**31)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, _, centres = cv2.kmeans(lab_small, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    lab = to_lab(img).reshape(-1, 3)
    d = ((lab[:, None, :] - centres[None]) ** 2).sum(-1)
    return d.argmin(1).reshape(h, w).astype(np.int32)


def nearest_hue(colours: np.ndarray, palette: np.ndarray, min_chroma: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """For each colour, the palette colour nearest in hue (angle in Lab's a-b plane, chromatic palette
    colours only) and how strongly it may pull (0 for a grey, 1 from ``2 * min_chroma`` chroma), so a
    colourist's palette recolours the regions coherently: a skin stays a warm tone, a sky a cool one.

    >>> pal = np.array([[0.9, 0.2, 0.2], [0.2, 0.3, 0.9]], np.float32)
    >>> nearest_hue(np.array([[0.8, 0.5, 0.4], [0.5, 0.5, 0.5]], np.float32), pal)[0].tolist()[0]
    0
    """
    lab, pal = to_lab(colours[None])[0], to_lab(palette[None])[0]
    pal_chroma = np.hypot(pal[:, 1], pal[:, 2])
    usable = pal_chroma >= min_chroma if (pal_chroma >= min_chroma).any() else np.ones(len(pal), bool)
    angle = np.arctan2(lab[:, 2], lab[:, 1])[:, None] - np.arctan2(pal[:, 2], pal[:, 1])[None]
    gap = np.abs(np.angle(np.exp(1j * angle)))
    gap[:, ~usable] = np.inf
    weight = np.clip(np.hypot(lab[:, 1], lab[:, 2]) / (2 * min_chroma), 0, 1)
    return gap.argmin(1), weight.astype(np.float32)


def cel_tones(lightness: np.ndarray, base: np.ndarray, levels: int) -> np.ndarray:
    """Hard shading tones around a region's base lightness: shadow below, highlight above (``levels`` 2 or 3)."""
    out = np.where(lightness < base - 10, base * 0.75, base)
    if levels >= 3:
        out = np.where(lightness > base + 14, np.minimum(base + 14, 97.0), out)
    return out.astype(np.float32)


def sketch_cels(rgb: np.ndarray, palette: np.ndarray, seed: int) -> np.ndarray:
    """Flat cels for a shaded sketch: its tone (the hatching averaged into areas) in three levels; each
    shaded area a palette colour (seeded) with a base and a shadow tone, the light areas the paper."""
    s = side_scale(rgb.shape)
    tone = cv2.GaussianBlur(1.0 - strokes(rgb), (0, 0), 4.0 * s)
    tone = cv2.medianBlur(to_uint8(tone), 5).astype(np.float32) / 255.0
    level = np.digitize(tone, [0.55, 0.82]).astype(np.int32)  # 0 shadow, 1 base, 2 paper
    n, labels = cv2.connectedComponents((level < 2).astype(np.uint8), connectivity=4)
    colours = np.concatenate([most_saturated(palette, 3), palette[:1] * 0.5 + palette[-1:] * 0.5])
    pick = colours[np.random.default_rng(seed).integers(0, len(colours), n)]
    lab = to_lab(pick[None])[0]
    lab[:, 0] = np.clip(lab[:, 0], 70, 88)
    base = from_lab(lab[None])[0]
    lab[:, 0] *= 0.8
    shadow = from_lab(lab[None])[0]
    out = np.where((level == 0)[..., None], shadow[labels], base[labels])
    out = np.where((level == 2)[..., None], palette[-1][None, None], out).astype(np.float32)
    # cel edges printed soft: a hard step would be a new edge, stronger than the drawing's own faint strokes
    return cv2.GaussianBlur(out, (0, 0), 5.0 * s)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, levels: int = 3,
           regions: int = 10, chroma: float = 1.35, tint: float = 0.35, outline: float = 1.0,
           outline_sigma: float = 1.4) -> np.ndarray:
    """Cel-shade ``rgb`` (uint8).

    Parameters
    ----------
    levels : hard tones per region (2: base and shadow, 3: plus a highlight).
    regions : number of flat colour regions.
    chroma : saturation boost of the flat colours.
    tint : pull of each region's colour towards the palette colour nearest its hue.
    outline, outline_sigma : opacity and width of the outlines.
    """
    s = side_scale(rgb.shape)
    img = to_float(rgb)
    if line_art:
        return to_uint8(sketch_cels(rgb, palette, seed))
    abstract = smooth(img, 2.0, max_side=400)
    labels = flat_regions(abstract, regions, seed)
    labels = cv2.medianBlur(labels.astype(np.uint8), max(3, int(round(3 * s)) | 1)).astype(np.int32)
    n = int(labels.max()) + 1
    count = np.maximum(np.bincount(labels.ravel(), minlength=n), 1)
    means = np.stack([np.bincount(labels.ravel(), abstract[..., c].ravel(), n) / count for c in range(3)], 1)
    means = means.astype(np.float32)
    inks = palette[1:-1] if len(palette) > 2 else palette  # the darkest and lightest are ink and paper
    index, weight = nearest_hue(means, inks)
    means = means * (1 - tint * weight[:, None]) + inks[index] * (tint * weight[:, None])
    lab_means = to_lab(means[None])[0]
    lab_means[:, 1:] *= chroma
    lab = to_lab(abstract)
    light = cv2.GaussianBlur(lab[..., 0], (0, 0), 3.0 * s)  # shading from the broad form, not the texture
    tones = cel_tones(light, lab_means[labels, 0], levels)
    lab[..., 0] = cv2.medianBlur(np.clip(tones, 0, 100).astype(np.uint8), 5).astype(np.float32)
    lab[..., 1:] = lab_means[labels, 1:]
    flat = from_lab(lab)
    lines = np.maximum(xdog(luminance(abstract), outline_sigma * s, tau=0.985, phi=80),
                       region_edges(labels, s) * 0.8)
    return to_uint8(multiply_ink(flat, lines, palette[0] * 0.25, outline))


def region_edges(labels: np.ndarray, s: float) -> np.ndarray:
    """An ink map of the borders between flat regions (the cel's outlines), about one px at 512 px."""
    edge = np.zeros(labels.shape, np.uint8)
    edge[:, 1:] |= (labels[:, 1:] != labels[:, :-1]).astype(np.uint8)
    edge[1:, :] |= (labels[1:, :] != labels[:-1, :]).astype(np.uint8)
    if s > 1.5:
        edge = cv2.dilate(edge, np.ones((2, 2), np.uint8))
    return cv2.GaussianBlur(edge.astype(np.float32), (0, 0), 0.6)
