"""Shared building blocks of the renderer families: colour spaces, palettes, lines, textures and finishing.

Every function is pure: arrays in, arrays out, no I/O. Images are float32 RGB in [0, 1] inside the
families and uint8 RGB at their boundaries; a palette is a ``(k, 3)`` float32 RGB array sorted dark to light.
"""

from __future__ import annotations

import cv2
import numpy as np


def to_float(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB -> float32 RGB in [0, 1]."""
    return rgb.astype(np.float32) / 255.0


def to_uint8(img: np.ndarray) -> np.ndarray:
    """float RGB in [0, 1] -> uint8, rounded and clipped."""
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def luminance(img: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of a float RGB image, (H, W) in [0, 1]."""
    return (img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114).astype(np.float32)


def to_lab(img: np.ndarray) -> np.ndarray:
    """float RGB in [0, 1] -> Lab (L in [0, 100])."""
    return cv2.cvtColor(np.ascontiguousarray(img, np.float32), cv2.COLOR_RGB2LAB)


def from_lab(lab: np.ndarray) -> np.ndarray:
    """Lab -> float RGB clipped to [0, 1]."""
    return np.clip(cv2.cvtColor(np.ascontiguousarray(lab, np.float32), cv2.COLOR_LAB2RGB), 0, 1)


def hex_palette(colours: list[str] | tuple[str, ...]) -> np.ndarray:
    """``["#rrggbb", ...]`` -> a palette sorted dark to light.

    Examples
    --------
    >>> hex_palette(["#ffffff", "#000000"])[0].tolist()
    [0.0, 0.0, 0.0]
    """
    rows = [[int(c.lstrip("#")[i:i + 2], 16) / 255.0 for i in (0, 2, 4)] for c in colours]
    return sort_palette(np.array(rows, np.float32))


def sort_palette(palette: np.ndarray) -> np.ndarray:
    """Order palette rows dark to light by luma."""
    return palette[np.argsort(luminance(palette[None])[0], kind="stable")].astype(np.float32)


def palette_from_image(rgb: np.ndarray, k: int = 6, seed: int = 0) -> np.ndarray:
    """The ``k`` dominant colours of a uint8 image (k-means in Lab on a 96-px copy), dark to light."""
    small = cv2.resize(rgb, (96, 96), interpolation=cv2.INTER_AREA)
    lab = to_lab(to_float(small)).reshape(-1, 3)
    k = int(max(1, min(k, len(np.unique(lab.round(1), axis=0)))))
    if k == 1:
        return sort_palette(from_lab(lab[:1][None])[0])
    cv2.setRNGSeed(int(seed) % 2**31)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.2)
    _, _, centres = cv2.kmeans(lab, k, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
    return sort_palette(from_lab(centres[None])[0])


def most_saturated(palette: np.ndarray, n: int = 2) -> np.ndarray:
    """The ``n`` most chromatic palette colours (for glows, dots and accents), most chromatic first."""
    chroma = palette.max(axis=1) - palette.min(axis=1)
    return palette[np.argsort(-chroma, kind="stable")[:n]]


def gradient_map(lum: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Map luma in [0, 1] along the dark-to-light palette with linear interpolation, (H, W, 3)."""
    t = np.clip(lum, 0, 1) * (len(palette) - 1)
    i = np.minimum(t.astype(np.int32), len(palette) - 2)
    f = (t - i)[..., None]
    return (palette[i] * (1 - f) + palette[i + 1] * f).astype(np.float32)


def nearest_colour(img: np.ndarray, palette: np.ndarray, light_weight: float = 1.0) -> np.ndarray:
    """Index of the nearest palette colour of each pixel (Lab distance, lightness weighted)."""
    lab = to_lab(img).reshape(-1, 3)
    pal = to_lab(palette[None])[0]
    w = np.array([light_weight, 1.0, 1.0], np.float32)
    d = (((lab[:, None, :] - pal[None]) * w) ** 2).sum(-1)
    return d.argmin(1).reshape(img.shape[:2])


def stretch(lum: np.ndarray, low: float = 1.0, high: float = 99.0) -> np.ndarray:
    """Rescale luma so its ``low``/``high`` percentiles span [0, 1]."""
    lo, hi = np.percentile(lum, [low, high])
    return np.clip((lum - lo) / max(float(hi - lo), 1e-3), 0, 1).astype(np.float32)


def saturate(img: np.ndarray, amount: float) -> np.ndarray:
    """Scale chroma about the pixel's own grey (1 = unchanged, 0 = grey)."""
    grey = luminance(img)[..., None]
    return np.clip(grey + (img - grey) * amount, 0, 1).astype(np.float32)


def smooth(img: np.ndarray, strength: float = 1.0, max_side: int = 640) -> np.ndarray:
    """Edge-preserving abstraction: bilateral filtering on a copy at most ``max_side`` px, sharpened back
    to full size by a joint upsample (the full-size image picks the flattened colours)."""
    h, w = img.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    d = max(3, int(round(5 * strength)))
    for _ in range(2):
        small = cv2.bilateralFilter(small, d, 0.12 * strength + 0.03, 3.0 * strength + 1.0)
    if scale == 1.0:
        return small
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def xdog(lum: np.ndarray, sigma: float = 1.0, k: float = 1.6, tau: float = 0.98, phi: float = 60.0,
         eps: float = 0.0) -> np.ndarray:
    """Extended difference of Gaussians (Winnemöller 2012) as an ink map: 1 = ink, 0 = paper.

    Parameters
    ----------
    lum : luma in [0, 1].
    sigma : scale of the lines in px; thicker lines for larger values.
    k : ratio of the two Gaussians.
    tau : weight of the wider Gaussian; below 1 keeps only the stronger edges.
    phi : steepness of the soft threshold.
    eps : threshold; higher values ink more of the dark side.
    """
    g1 = cv2.GaussianBlur(lum, (0, 0), sigma)
    g2 = cv2.GaussianBlur(lum, (0, 0), sigma * k)
    d = g1 - tau * g2
    u = np.where(d >= eps, 1.0, 1.0 + np.tanh(phi * (d - eps)))
    return np.clip(1.0 - u, 0, 1).astype(np.float32)


def strokes(rgb: np.ndarray) -> np.ndarray:
    """The strokes of a line drawing or sketch as an ink map (1 = the darkest stroke, 0 = paper)."""
    lum = luminance(to_float(rgb))
    paper = float(np.percentile(lum, 90))
    return np.clip((paper - lum) / max(paper - float(lum.min()), 1e-3), 0, 1).astype(np.float32)


def fbm(shape: tuple[int, int], seed: int, scale: float, octaves: int = 4) -> np.ndarray:
    """Fractal value noise in [0, 1]: ``octaves`` smooth random layers, the coarsest about ``scale`` px."""
    h, w = shape
    rng = np.random.default_rng(seed)
    out = np.zeros((h, w), np.float32)
    total = 0.0
    for o in range(octaves):
        cell = max(1.0, scale / 2 ** o)
        gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
        layer = cv2.resize(rng.random((gh, gw), dtype=np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        out += layer * 0.5 ** o
        total += 0.5 ** o
    out /= total
    return stretch(out, 0.5, 99.5)


def wide_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of ``sigma`` px; wide ones run on a copy shrunk so the blur there is ~2 px and come
    back by bilinear upsampling (a wide blur has no detail a smaller copy would lose), which is what keeps
    glows and halos fast at 1 Mpx."""
    h, w = img.shape[:2]
    f = int(sigma // 2.5)
    if f < 2:
        return cv2.GaussianBlur(img, (0, 0), sigma)
    small = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(0.5, float(np.sqrt(max(sigma ** 2 - f ** 2 / 4, 0.25))) / f))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def paper_texture(shape: tuple[int, int], seed: int, scale: float = 3.0) -> np.ndarray:
    """Fine paper grain around 0 (about -1..1): fibres plus tooth, for multiplying in small amounts."""
    h, w = shape
    rng = np.random.default_rng(seed + 7)
    tooth = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), max(0.6, scale / 3))
    fibres = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigmaX=scale * 3,
                              sigmaY=max(0.5, scale / 3))
    out = tooth / (tooth.std() + 1e-6) * 0.7 + fibres / (fibres.std() + 1e-6) * 0.3
    return np.clip(out / 2.5, -1, 1).astype(np.float32)


def vignette(shape: tuple[int, int], amount: float) -> np.ndarray:
    """Multiplicative darkening towards the corners: 1 at the centre, ``1 - amount`` in the corners."""
    h, w = shape
    y, x = np.ogrid[-1:1:h * 1j, -1:1:w * 1j]
    r = np.sqrt(x ** 2 + y ** 2) / np.sqrt(2)
    return (1.0 - amount * np.clip(r, 0, 1) ** 2.2).astype(np.float32)


def grain(shape: tuple[int, int], seed: int, amount: float) -> np.ndarray:
    """Additive film grain (slightly soft gaussian noise) with standard deviation ``amount``."""
    rng = np.random.default_rng(seed + 11)
    noise = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), 0.7)
    return (noise / (noise.std() + 1e-6) * amount).astype(np.float32)


def screen(base: np.ndarray, light: np.ndarray) -> np.ndarray:
    """Screen blend: adds light without clipping to flat white."""
    return 1.0 - (1.0 - base) * (1.0 - np.clip(light, 0, 1))


def multiply_ink(img: np.ndarray, ink: np.ndarray, colour: np.ndarray, opacity: float = 1.0) -> np.ndarray:
    """Lay an ink map (1 = full ink) of ``colour`` over the image."""
    a = np.clip(ink * opacity, 0, 1)[..., None]
    return (img * (1 - a) + colour[None, None, :] * a).astype(np.float32)


def side_scale(shape: tuple[int, ...], reference: int = 512) -> float:
    """How much bigger than a ``reference``-px image this one is (for scaling brush sizes, dot cells...)."""
    return max(shape[0], shape[1]) / reference


def blend(out: np.ndarray, rgb: np.ndarray, strength: float) -> np.ndarray:
    """Mix the stylised ``out`` with the input ``rgb`` (uint8 both): 1 = all style, 0 = the input."""
    if strength >= 1.0:
        return out
    return cv2.addWeighted(out, float(strength), rgb, float(1.0 - strength), 0.0)


def regions(rgb: np.ndarray, min_share: float = 0.002, close_px: int = 2) -> tuple[np.ndarray, int]:
    """The enclosed paper regions of a line drawing: (label map, index of the largest region).

    Strokes are closed by ``close_px`` px so small gaps do not merge regions; regions smaller than
    ``min_share`` of the image and the strokes themselves get label 0.
    """
    ink = strokes(rgb) > 0.3
    ink = cv2.dilate(ink.astype(np.uint8), np.ones((2 * close_px + 1,) * 2, np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats((1 - ink).astype(np.uint8), connectivity=4)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.int64)
    area[0] = 0 if ink[labels == 0].all() else area[0]
    small = area < min_share * labels.size
    keep = np.where(small, 0, np.arange(n))
    keep[0] = 0 if ink[labels == 0].all() else keep[0]
    labels = keep[labels]
    largest = int(np.argmax(np.where(small, 0, area))) if n > 1 else 0
    return labels.astype(np.int32), largest


def fill_regions(rgb: np.ndarray, colours: np.ndarray, background: np.ndarray, seed: int) -> np.ndarray:
    """Colour a line drawing's enclosed regions flat: each region a colour from ``colours`` (seeded), the
    largest region and the unenclosed paper ``background``; strokes are left to be inked on top."""
    labels, largest = regions(rgb)
    rng = np.random.default_rng(seed)
    table = colours[rng.integers(0, len(colours), labels.max() + 1)].astype(np.float32)
    table[0] = background
    table[largest] = background
    return table[labels]


def is_clean_line_art(rgb: np.ndarray) -> bool:
    """Mostly perfectly flat paper (vector line art, a scan cleaned to white), as opposed to a pencil sketch
    whose paper has grain: local variance under a quarter grey level over half the image."""
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    var = cv2.blur(g * g, (5, 5)) - cv2.blur(g, (5, 5)) ** 2
    return float((var < 0.25).mean()) > 0.5


def relay_strokes(out: np.ndarray, rgb: np.ndarray, soften: float = 2.2, gamma: float = 1.0) -> np.ndarray:
    """Lay a line drawing's own strokes back over its restyled version (uint8 both), the way a colourist
    puts the line layer over the colour layer.

    The render's own marks are first taken out of the colour layer (a morphological closing removes thin dark
    strokes on light paper, an opening thin bright ones on dark paper) and its fine texture softened
    (``soften`` px at 512 px; clean line art gets one flat colour per enclosed region instead). Then the input's
    strokes go back at their own relative strength: on light paper the layer is multiplied by the input's
    luma over its paper luma; on dark paper (neon) the strokes light up in the render's own stroke colours.
    On light paper that is a multiply blend of the drawing over the colour layer (on clean line art the
    strokes take the render's median stroke colour); on dark paper the strokes
    take the render's brightest colour nearby (its tubes). Every edge of the input comes back in place, with
    its contrast ratio, so ``structure_f1`` holds. ``gamma`` > 1 darkens the strokes (``rel ** gamma``,
    still monotone: the paper stays paper and every stroke stays where it was).
    """
    o = to_float(out)
    s = side_scale(rgb.shape)
    lum = luminance(to_float(rgb))
    rel = np.clip(lum / max(float(np.percentile(lum, 90)), 1e-3), 0, 1) ** gamma
    ink = 1.0 - rel
    k = 2 * max(2, int(round(3 * s))) + 1
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    paper = ink < 0.08
    dark = bool(paper.any() and float(np.median(luminance(o)[paper])) < 0.4)
    layer = cv2.morphologyEx(o, cv2.MORPH_OPEN if dark else cv2.MORPH_CLOSE, disk)
    bare = (cv2.dilate((ink > 0.04).astype(np.uint8), disk) == 0).astype(np.float32)
    bare = cv2.GaussianBlur(bare, (0, 0), 2.0)[..., None]
    layer = layer * (1 - bare) + cv2.GaussianBlur(layer, (0, 0), max(2.5, 2.5 * s)) * bare
    clean = is_clean_line_art(rgb)
    if clean:
        labels, _ = regions(rgb, min_share=0.0005, close_px=1)
        n = int(labels.max()) + 1
        count = np.maximum(np.bincount(labels.ravel(), minlength=n), 1)
        means = np.stack([np.bincount(labels.ravel(), layer[..., c].ravel(), n) / count for c in range(3)], 1)
        layer = np.where((labels > 0)[..., None], means[labels].astype(np.float32), layer)
    elif soften > 0:
        layer = cv2.GaussianBlur(layer, (0, 0), soften * max(1.0, s))
    if dark:
        lit = np.clip(cv2.dilate(o, disk) * 1.2, 0, 1)
        # one brightness for every tube colour (magenta is darker than cyan): the strokes' contrast must come
        # from the drawing, not from where the colour field turns
        y = luminance(lit)[..., None]
        lit = np.clip(lit * (float(np.percentile(y, 90)) / np.maximum(y, 0.05)), 0, 1)
        return to_uint8(layer * rel[..., None] + lit * ink[..., None])
    on = ink > 0.5
    if clean and on.any():  # flat colour regions: the strokes can take the render's own ink colour
        return to_uint8(layer * rel[..., None] + np.median(o[on], axis=0) * ink[..., None])
    return to_uint8(layer * rel[..., None])


def hue_order(ab: np.ndarray) -> np.ndarray:
    """Hue angle of Lab (a, b) pairs, unrolled so the circle is cut in its widest empty gap: sorting by it
    puts neighbouring hues together without splitting one hue family across 0/360 degrees."""
    ang = np.arctan2(ab[..., 1], ab[..., 0]).astype(np.float32)
    flat = np.sort(ang.ravel())
    if flat.size < 2:
        return ang
    gaps = np.diff(np.concatenate([flat, flat[:1] + 2 * np.pi]))
    cut = flat[(int(np.argmax(gaps)) + 1) % flat.size]
    return ((ang - cut) % (2 * np.pi)).astype(np.float32)


def hue_ranks(img: np.ndarray, palette: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Index into ``palette`` for each pixel of ``img`` (float RGB, any leading shape) by hue rank: the
    pixels sorted by hue are cut into ``len(palette)`` runs of equal share (``weights``, e.g. pane areas),
    matched to the palette colours sorted by hue.

    This is histogram matching on the hue circle: the input's hue order is kept (a warm area stays the
    warmest glass) and every palette colour is used, so one colour cannot flood a photo whose hues all
    happen to be nearest to it (a brown coffee cup and crimson glass).
    """
    lead = img.shape[:-1]
    lab = to_lab(img.reshape(-1, 1, 3)).reshape(-1, 3)
    ang = hue_order(lab[:, 1:]).ravel()
    pal_ang = hue_order(to_lab(palette[None])[0][:, 1:])
    w = np.ones(ang.size, np.float64) if weights is None else np.asarray(weights, np.float64).ravel()
    # Equal hues (every grey has the same one) are ranked by lightness, and pixels equal in both share one
    # rank (their group's middle): a grey sky or a pencil sketch takes the palette as tones, and a flat area
    # one colour, never bands in the order the pixels happen to sit in the image.
    keys, group = np.unique(np.stack([np.round(ang, 4), np.round(lab[:, 0], 1)], axis=1), axis=0,
                            return_inverse=True)
    group = group.ravel()
    mass = np.bincount(group, weights=w, minlength=len(keys))  # np.unique sorts by hue, then lightness
    cum = ((np.cumsum(mass) - 0.5 * mass) / max(float(w.sum()), 1e-9))[group]
    slot = np.minimum((cum * len(palette)).astype(np.int64), len(palette) - 1)
    return np.argsort(pal_ang, kind="stable")[slot].reshape(lead)


def palette_tint(img: np.ndarray, palette: np.ndarray, amount: float, side: int = 192) -> np.ndarray:
    """Pull ``img`` (float RGB) by ``amount`` towards the palette while keeping its tones and hue order:
    each pixel moves to the palette colour at its hue rank (``hue_ranks``, on a ``side``-px copy) but keeps
    its own Lab lightness, so a dark area stays dark and a red suit takes the palette's warmest colour
    instead of whichever colour has the suit's brightness."""
    if amount <= 0:
        return img
    h, w = img.shape[:2]
    scale = min(1.0, side / max(h, w))
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    target = palette[hue_ranks(small, palette)]
    target = cv2.resize(target.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    lab_t = to_lab(target)
    lab_t[..., 0] = to_lab(img)[..., 0]
    return (img * (1 - amount) + from_lab(lab_t) * amount).astype(np.float32)
