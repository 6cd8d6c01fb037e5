"""Hatching that carries the tone: seeded pencil strokes along the tangent field, crossed in the darks.

Each layer is a family of parallel strokes in one of a few quantised directions per pixel (so strokes stay
straight within a patch, as a hand draws them), broken into tapered strokes of random length with a random
pressure each. A stroke's width grows with the darkness it must carry, so the layer's mean darkness follows
the tone; the first layer runs along the form, the second crosses it once the tone is too dark for one layer,
the third only in the deepest darks. Layers combine as graphite over graphite (reflectances multiply).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

PEN_MIN_PX = 1.2  # the thinnest pen line, in pixels
HASH_MULT = (np.uint32(0x9E3779B1), np.uint32(0x85EBCA77), np.uint32(0xC2B2AE3D))


@dataclass(frozen=True)
class HatchParams:
    """How strokes look: spacing (px), mean length (in spacings), pressure range (at most 1), taper, layers.

    A stroke's ends fade over ``taper`` of its length down to ``taper_floor`` of its pressure (a pencil
    lifts, it does not vanish: ends that faded to nothing would leave white dashes that line up like rain);
    ``gap`` is the blank share of a line between one stroke and the next. ``hard`` strokes are a pen's: every
    pixel is ink or paper, of one pressure; a tone too light for the thinnest line is drawn by leaving out
    strokes, not by thinning them below a pixel (which a threshold would turn into blank paper with sudden
    blotches of ink where the tone crosses it). ``edge`` is how soft a stroke's sides are, in px (1 = a
    crisp, anti-aliased pencil line; a few px = a charcoal stick's fuzzy edge).

    ``offsets`` are the layers' directions relative to the tangent, in angle bins of ``pi / bins``;
    ``caps`` the most darkness each layer may carry (as a share of its ink); ``ink`` the darkest a single
    stroke gets (1 = black).
    """

    spacing: float = 4.0
    length: float = 12.0
    pressure: tuple[float, float] = (0.65, 1.0)
    taper: float = 0.2
    taper_floor: float = 0.45
    gap: float = 0.0
    wobble: float = 0.22
    ink: float = 0.88
    bins: int = 12
    offsets: tuple[int, ...] = (0, 4, -3)
    caps: tuple[float, ...] = (0.55, 0.8, 0.95)
    hard: bool = False
    edge: float = 1.0


def hash_uniform(a: np.ndarray, b: np.ndarray, seed: int) -> np.ndarray:
    """A seeded integer hash of two integer arrays, as float32 uniform in [0, 1).

    Examples
    --------
    >>> u = hash_uniform(np.arange(10000), np.zeros(10000, np.int32), 7)
    >>> bool(0.45 < u.mean() < 0.55), bool((hash_uniform(np.arange(3), np.arange(3), 7) == u[:3]).all())
    (True, False)
    """
    h = a.astype(np.uint32)
    h *= HASH_MULT[0]
    h ^= b.astype(np.uint32) * HASH_MULT[1]
    h += np.uint32((seed * int(HASH_MULT[2])) & 0xFFFFFFFF)
    h ^= h >> np.uint32(15)
    h *= HASH_MULT[1]
    h ^= h >> np.uint32(13)
    h >>= np.uint32(8)
    return h.astype(np.float32) * np.float32(1.0 / (1 << 24))


def mean_weight(params: HatchParams) -> float:
    """The mean ink of a drawn stroke pixel (pressure, tapered ends and gaps between strokes included)."""
    if params.hard:
        return (1.0 - params.gap) * params.ink
    lo, hi = params.pressure
    return 0.5 * (lo + hi) * (1.0 - params.gap - params.taper / 2.0 * (1.0 - params.taper_floor)) * params.ink


def split_darkness(dark: np.ndarray, caps: tuple[float, ...]) -> list[np.ndarray]:
    """Share a darkness map among layers: each takes what it can (up to its cap), the next the rest.

    Layers combine multiplicatively, so ``1 - dark = prod(1 - d_i)`` wherever the caps allow.

    Examples
    --------
    >>> d = split_darkness(np.array([0.2, 0.7], np.float32), (0.5, 0.5))
    >>> [round(float(x), 3) for x in d[0]], [round(float(x), 3) for x in d[1]]
    ([0.2, 0.5], [0.0, 0.4])
    """
    out, rest = [], dark.astype(np.float32, copy=False)
    for i, cap in enumerate(caps):
        share = np.minimum(rest, np.float32(cap))
        out.append(share)
        if i + 1 < len(caps):
            # what is left once this layer lies under the next: 1 - (1 - rest) / (1 - share)
            rest = np.float32(1.0) - (np.float32(1.0) - rest) / (np.float32(1.0) - share)
            np.maximum(rest, np.float32(0.0), out=rest)
    return out


def coverage_for(mean_cover: np.ndarray, spacing: float) -> np.ndarray:
    """The stroke width (share of the spacing) whose anti-aliased stripes cover ``mean_cover`` on average."""
    m = np.clip(mean_cover, 0.0, 1.0).astype(np.float32, copy=False)
    thin = np.float32(2.0) * np.sqrt(m * np.float32(1.0 / spacing))
    return np.where(m < 1.0 / spacing, thin, m + np.float32(1.0 / spacing))


def wobble_field(shape: tuple[int, int], cell: float, amount: float, seed: int) -> np.ndarray:
    """Smooth seeded noise (stroke units) that bends the strokes a little, as a hand does."""
    h, w = shape
    rng = np.random.default_rng(seed)
    small = rng.standard_normal((max(2, int(h / cell) + 2), max(2, int(w / cell) + 2))).astype(np.float32)
    return cv2.resize(small * np.float32(amount), (w, h), interpolation=cv2.INTER_CUBIC)


def stroke_layer(xs: np.ndarray, ys: np.ndarray, bins: np.ndarray, offset: int, params: HatchParams, seed: int,
                 wobble: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One family of strokes at the pixels ``(xs, ys)``: the across-stroke profile and the stroke's ink weight.

    All arrays are 1-D over the same pixels (``bins`` their direction indices, ``wobble`` their bend in
    stroke units). The profile is 1 on a stroke's centre line and 0 half-way to the next; the weight
    carries the stroke's pressure, its tapered ends and the small gap before the next stroke on the line.

    Examples
    --------
    >>> xs = np.arange(16, dtype=np.float32); z = np.zeros(16, np.float32)
    >>> p, w = stroke_layer(xs, z, np.zeros(16, np.uint8), 6, HatchParams(spacing=4.0), 1, z)  # vertical
    >>> [round(float(v), 2) for v in p[:5]]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    index = bins if offset == 0 else ((bins.astype(np.int16) + offset) % params.bins).astype(np.uint8)
    angles = np.arange(params.bins, dtype=np.float32) * np.float32(math.pi / params.bins)
    cos_t, sin_t = np.cos(angles)[index], np.sin(angles)[index]
    across = ys * cos_t
    across -= xs * sin_t
    across *= np.float32(1.0 / params.spacing)
    across += wobble
    line = np.floor(across)
    across -= line  # position across the stroke, 0..1
    across *= np.float32(2.0)
    across -= np.float32(1.0)
    np.abs(across, out=across)
    profile = np.subtract(np.float32(1.0), across, out=across)
    line_id = line.astype(np.int32)
    line_id *= 16
    line_id += index
    along = xs * cos_t
    along += ys * sin_t
    along *= np.float32(1.0 / (params.length * params.spacing))
    along += hash_uniform(line_id, line_id, seed ^ 0x5BD1E995)  # each line starts its strokes at random
    stroke = np.floor(along)
    along -= stroke  # position along the stroke, 0..1
    lo, hi = params.pressure
    weight = hash_uniform(line_id, stroke.astype(np.int32), seed)
    if params.hard:  # a pen: the stroke's random pick in (0, 1], 0 in the gap after it
        pick = np.subtract(np.float32(1.0), weight, out=weight)
        pick[along >= np.float32(1.0 - params.gap)] = 0.0
        return profile, pick
    weight *= np.float32(hi - lo)
    weight += np.float32(lo)
    taper = np.minimum(along, np.float32(1.0 - params.gap) - along)
    taper *= np.float32(2.0 / max(params.taper, 1e-3))
    np.clip(taper, 0.0, 1.0, out=taper)
    taper *= np.float32(1.0 - params.taper_floor)
    taper += np.float32(params.taper_floor)
    weight *= taper
    return profile, weight


def hatch(dark: np.ndarray, bins: np.ndarray, params: HatchParams = HatchParams(), seed: int = 0) -> np.ndarray:
    """Render a darkness map (float32 in [0, 1]) as hatching; returns reflectance in [0, 1], 1 = paper.

    Zero darkness gives exactly 1 (untouched paper); more darkness never gives a lighter pixel. Only the
    pixels that need graphite are computed, and each further layer only where the tone needs it.

    Examples
    --------
    >>> dark = np.zeros((32, 32), np.float32); dark[:, 16:] = 0.5
    >>> out = hatch(dark, np.zeros((32, 32), np.uint8))
    >>> bool((out[:, :16] == 1).all()), 0.3 < 1 - float(out[:, 16:].mean()) < 0.7
    (True, True)
    """
    reflectance = np.ones(dark.shape, np.float32)
    active = dark > 0
    if not active.any():
        return reflectance
    weight_mean = mean_weight(params)
    caps = tuple(c * weight_mean for c in params.caps)
    ys, xs = (a.astype(np.float32) for a in np.nonzero(active))
    wobble = wobble_field(dark.shape, 12.0 * params.spacing, params.wobble, seed)[active]
    directions = bins[active]
    shares = split_darkness(dark[active], caps[:len(params.offsets)])
    light = np.ones(xs.size, np.float32)
    for layer, (offset, share) in enumerate(zip(params.offsets, shares, strict=True)):
        sub = share > 0
        if not sub.any():
            break
        if layer == 0:
            light = _layer_light(xs, ys, directions, wobble, share, offset, params, seed, weight_mean)
        else:
            light[sub] *= _layer_light(xs[sub], ys[sub], directions[sub], wobble[sub], share[sub], offset, params,
                                       seed * 31 + layer, weight_mean)
    reflectance[active] = light
    return reflectance


def _layer_light(xs: np.ndarray, ys: np.ndarray, directions: np.ndarray, wobble: np.ndarray, share: np.ndarray,
                 offset: int, params: HatchParams, seed: int, weight_mean: float) -> np.ndarray:
    """Reflectance of one stroke layer at the given pixels, carrying ``share`` darkness on average."""
    profile, weight = stroke_layer(xs, ys, directions, offset, params, seed, wobble)
    if params.hard:
        return _pen_light(profile, weight, share * np.float32(1.0 / weight_mean), params)
    width = coverage_for(share * np.float32(1.0 / weight_mean), params.spacing)
    profile -= np.float32(1.0)
    profile += width
    profile *= np.float32(params.spacing / (2.0 * params.edge))
    if params.edge != 1.0:
        profile += np.float32(0.5 - 0.5 / params.edge)  # the soft edge is centred on the crisp one
    np.clip(profile, 0.0, 1.0, out=profile)
    profile *= weight
    profile *= np.float32(-params.ink)
    profile += np.float32(1.0)
    return profile


def _pen_light(profile: np.ndarray, pick: np.ndarray, cover: np.ndarray, params: HatchParams) -> np.ndarray:
    """Ink or paper: lines at least ``min_px`` wide, a share ``cover / width`` of the strokes drawn."""
    width = np.maximum(cover, np.float32(PEN_MIN_PX / params.spacing))
    keep = cover / width
    ink = (profile >= np.float32(1.0) - width) & (pick > np.float32(1.0) - keep)
    return np.where(ink, np.float32(1.0 - params.ink), np.float32(1.0))
