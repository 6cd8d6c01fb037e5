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


def flat_regions(img: np.ndarray, k: int, seed: int, side: int = 160, light_weight: float = 1.0) -> np.ndarray:
    """Label every pixel with one of ``k`` colour clusters (k-means in Lab on a ``side``-px copy; lightness
    scaled by ``light_weight``, so below 1 the clusters follow hue and chroma: materials, not lighting)."""
    h, w = img.shape[:2]
    scale = min(1.0, side / max(h, w))
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    weights = np.array([light_weight, 1.0, 1.0], np.float32)
    lab_small = to_lab(small).reshape(-1, 3) * weights
    k = int(max(1, min(k, len(np.unique(lab_small.round(1), axis=0)))))
    cv2.setRNGSeed(int(seed) % 2**31)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, _, centres = cv2.kmeans(lab_small, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    lab = to_lab(img).reshape(-1, 3) * weights
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


def majority(labels: np.ndarray, n: int, size: int) -> np.ndarray:
    """Each pixel takes the label most common in its ``size``-px box: specks and ragged borders go, the
    large regions keep their shapes (a median of label numbers would mix unrelated labels)."""
    votes = np.stack([cv2.boxFilter((labels == i).astype(np.float32), -1, (size, size)) for i in range(n)])
    return votes.argmax(0).astype(np.int32)


def absorb_specks(labels: np.ndarray, n: int, min_area: int, size: int) -> np.ndarray:
    """Pieces of a region smaller than ``min_area`` px take the label around them (a majority over a
    ``size``-px box): fur and grain leave no islands, while every large region keeps its exact border."""
    small = np.zeros(labels.shape, bool)
    for i in range(n):
        count, pieces, stats, _ = cv2.connectedComponentsWithStats((labels == i).astype(np.uint8), connectivity=4)
        tiny = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < min_area)
        small |= np.isin(pieces, tiny[tiny > 0])
    if not small.any():
        return labels
    return np.where(small, majority(np.where(small, n, labels), n + 1, size).clip(max=n - 1), labels)


def same_materials(lab_means: np.ndarray, chroma_gap: float = 9.0, light_gap: float = 25.0) -> np.ndarray:
    """A new label for each colour cluster: clusters of nearly one hue and chroma (``chroma_gap`` apart in
    Lab's a-b plane) and of neighbouring lightness (``light_gap``), chained, are one material. A lit ball is
    one region whose light becomes its shading tones, not a contour map of bands each with its outline.

    >>> same_materials(np.array([[20, 30, 40], [40, 33, 44], [60, 30, 42], [50, -20, -30]], np.float32)).tolist()
    [0, 0, 0, 1]
    """
    n = len(lab_means)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if (np.hypot(*(lab_means[i, 1:] - lab_means[j, 1:])) < chroma_gap
                    and abs(lab_means[i, 0] - lab_means[j, 0]) < light_gap):
                parent[root(j)] = root(i)
    roots = [root(i) for i in range(n)]
    return np.unique(roots, return_inverse=True)[1].astype(np.int32)


def region_colours(img: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """The mean colour of each region (n x 3)."""
    count = np.maximum(np.bincount(labels.ravel(), minlength=n), 1)
    return np.stack([np.bincount(labels.ravel(), img[..., c].ravel(), n) / count for c in range(3)],
                    1).astype(np.float32)


def anime_grade(lab: np.ndarray, chroma: float, lift: float) -> np.ndarray:
    """An animation colourist's grade of flat colours (Lab rows): saturated, and lifted towards the light
    (painted cels are bright; only the shadow tone is dark)."""
    out = lab.copy()
    out[:, 1:] *= chroma
    out[:, 0] = out[:, 0] + lift * (100.0 - out[:, 0]) * (out[:, 0] > 18)
    return out


def shade_tones(light: np.ndarray, base: np.ndarray, levels: int) -> np.ndarray:
    """0 shadow, 1 base, 2 highlight per pixel: the broad form's light against its region's own mean, with
    hard steps (a cel has two or three tones, never a gradient)."""
    tone = np.where(light < base - 8, 0, 1)
    if levels >= 3:
        tone = np.where(light > base + 12, 2, tone)
    return tone.astype(np.int32)


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, levels: int = 3,
           regions: int = 14, chroma: float = 1.45, tint: float = 0.35, outline: float = 1.0,
           outline_sigma: float = 1.2, lift: float = 0.35) -> np.ndarray:
    """Cel-shade ``rgb`` (uint8).

    Parameters
    ----------
    levels : hard tones per region (2: base and shadow, 3: plus a highlight).
    regions : number of flat colour regions.
    chroma : saturation boost of the flat colours.
    tint : pull of each region's colour towards the palette colour nearest its hue.
    outline, outline_sigma : opacity and width of the outlines.
    lift : how far the base tones are lifted towards white.
    """
    s = side_scale(rgb.shape)
    img = to_float(rgb)
    if line_art:
        return to_uint8(sketch_cels(rgb, palette, seed))
    detail = smooth(img, 1.0)
    abstract = smooth(smooth(img, 2.5, max_side=400), 2.5, max_side=400)
    labels = flat_regions(abstract, regions, seed, light_weight=0.5)
    n = int(labels.max()) + 1
    labels = same_materials(region_colours(to_lab(abstract), labels, n))[labels]
    n = int(labels.max()) + 1
    labels = majority(labels, n, max(5, int(round(9 * s)) | 1))
    labels = absorb_specks(labels, n, int(0.004 * labels.size), max(9, int(round(25 * s)) | 1))
    means = region_colours(abstract, labels, n)
    inks = palette[1:-1] if len(palette) > 2 else palette  # the darkest and lightest are ink and paper
    index, weight = nearest_hue(means, inks)
    means = means * (1 - tint * weight[:, None]) + inks[index] * (tint * weight[:, None])
    base = anime_grade(to_lab(means[None])[0], chroma, lift)
    light = cv2.GaussianBlur(to_lab(abstract)[..., 0], (0, 0), 4.0 * s)  # the broad form, not the texture
    tone = shade_tones(light, to_lab(means[None])[0][labels, 0], levels)
    tone = majority(tone, levels, max(5, int(round(7 * s)) | 1))
    shadow, high = base.copy(), base.copy()
    shadow[:, 0] *= 0.72
    shadow[:, 2] -= 6.0  # shadows lean cool, towards blue-violet
    high[:, 0] = np.minimum(high[:, 0] + 12.0, 98.0)
    high[:, 1:] *= 0.8
    lab = np.stack([shadow, base, high])[tone, labels]
    flat = from_lab(lab.astype(np.float32))
    edges = region_edges(labels, s)
    shade_lines = region_edges(tone + levels * labels, s) * 0.35  # the tone steps faintly drawn
    lines = np.maximum.reduce([xdog(luminance(detail), outline_sigma * s, tau=0.98, phi=90), edges,
                               shade_lines])
    return to_uint8(multiply_ink(flat, lines, palette[0] * 0.3, outline))


def region_edges(labels: np.ndarray, s: float) -> np.ndarray:
    """An ink map of the borders between flat regions (the cel's outlines), about one px at 512 px."""
    edge = np.zeros(labels.shape, np.uint8)
    edge[:, 1:] |= (labels[:, 1:] != labels[:, :-1]).astype(np.uint8)
    edge[1:, :] |= (labels[1:, :] != labels[:-1, :]).astype(np.uint8)
    if s > 1.5:
        edge = cv2.dilate(edge, np.ones((2, 2), np.uint8))
    return cv2.GaussianBlur(edge.astype(np.float32), (0, 0), 0.6)
