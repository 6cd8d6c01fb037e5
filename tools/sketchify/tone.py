"""Pencil tone: the photo's luminance mapped onto a pencil-tone histogram (after Lu, Xu and Jia, NPAR 2012).

A pencil drawing's tones are not a photo's: most of the sheet is bright paper, there is a broad band of
mid-tone graphite, and a small dark mode (graphite never reaches the black of a photo). ``pencil_histogram``
is that target distribution; ``tone_curve`` sends each input gray level to the pencil tone at (a blend of)
its rank in the photo and its absolute brightness. The absolute brightness leads (``rank_share`` is small):
dark things are drawn dark whatever the rest of the photo does, so a mostly dark photo (a night sky) stays
dark instead of being equalised light; the rank adds a little contrast to a flat, grey photo. A flat white
wall is paper, a flat black coat is graphite.

``shading_response`` is the one control: how much of that darkness is drawn. It is not a plain scale: the
darkest tones are drawn nearly in full already at low shading, the mid tones come in as shading rises, so
35 % shading is mostly lines with dark things still clearly graphite.

Tones are reflectances in [0, 1] (1 = paper). ``darkness`` turns them into how much graphite a pixel needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LEVELS = np.arange(256, dtype=np.float64) / 255.0


@dataclass(frozen=True)
class ToneParams:
    """The target pencil-tone distribution and how the photo is mapped onto it.

    ``bright``, ``mid`` and ``dark`` weigh the paper peak (a Laplacian of width ``bright_width`` at 1), the
    uniform mid-tone band ``[mid_lo, mid_hi]`` and the dark Gaussian mode at ``dark_mean``. ``rank_share`` is
    how much of the mapping follows the photo's own histogram (1 = Lu's pure histogram matching, 0 = the
    absolute gray level). Tones at or above ``paper`` become blank paper.
    """

    bright: float = 0.44
    mid: float = 0.38
    dark: float = 0.18
    bright_width: float = 0.04
    mid_lo: float = 0.30
    mid_hi: float = 0.86
    dark_mean: float = 0.12
    dark_width: float = 0.07
    rank_share: float = 0.2
    paper: float = 0.9
    smooth_sigma: float = 1.0
    work_side: int = 1024


def pencil_histogram(params: ToneParams = ToneParams()) -> np.ndarray:
    """The target pencil-tone distribution over the 256 tone levels; sums to 1.

    Examples
    --------
    >>> h = pencil_histogram()
    >>> round(float(h.sum()), 6), int(h.argmax())
    (1.0, 255)
    """
    v = LEVELS
    bright = np.exp(-(1.0 - v) / params.bright_width)
    mid = ((v >= params.mid_lo) & (v <= params.mid_hi)).astype(np.float64)
    dark = np.exp(-0.5 * ((v - params.dark_mean) / params.dark_width) ** 2)
    parts = [(params.bright, bright), (params.mid, mid), (params.dark, dark)]
    hist = sum(w * p / p.sum() for w, p in parts if p.sum() > 0)
    return hist / hist.sum()


def rank_of_levels(gray: np.ndarray) -> np.ndarray:
    """Mid-rank of each gray level in the image, in [0, 1] (ties share the middle of their run).

    Examples
    --------
    >>> r = rank_of_levels(np.array([[0, 0, 255, 255]], np.uint8))
    >>> float(r[0]), float(r[255])
    (0.25, 0.75)
    """
    counts = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    cdf = np.cumsum(counts) / max(1.0, counts.sum())
    return cdf - counts / max(1.0, counts.sum()) / 2.0


def tone_curve(gray: np.ndarray, params: ToneParams = ToneParams()) -> np.ndarray:
    """A 256-entry look-up table from input gray level to pencil tone in [0, 1], nondecreasing.

    Each level goes to the target quantile ``rank_share * rank + (1 - rank_share) * level / 255``.

    Examples
    --------
    >>> lut = tone_curve(np.full((8, 8), 255, np.uint8))
    >>> float(lut[255]) >= ToneParams().paper, bool(np.all(np.diff(lut) >= 0))
    (True, True)
    """
    quantile = params.rank_share * rank_of_levels(gray) + (1.0 - params.rank_share) * LEVELS
    target_cdf = np.cumsum(pencil_histogram(params))
    target_cdf = np.concatenate([[0.0], target_cdf])
    tones = np.concatenate([[0.0], LEVELS])
    lut = np.interp(quantile, target_cdf, tones)
    return np.maximum.accumulate(lut).astype(np.float32)


def _work_copy(gray: np.ndarray, side: int) -> np.ndarray:
    h, w = gray.shape[:2]
    factor = min(1.0, side / max(h, w))
    if factor == 1.0:
        return gray
    return cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)


def tone_map(gray: np.ndarray, params: ToneParams = ToneParams()) -> np.ndarray:
    """Pencil tone of an 8-bit grayscale image: float32 in [0, 1] of the same size, 1 = paper.

    The mapping is computed on a lightly smoothed copy at most ``params.work_side`` on its long side (tone is
    low-frequency; the lines carry the detail) and resized back.

    Examples
    --------
    >>> t = tone_map(np.full((32, 32), 255, np.uint8))
    >>> bool((t >= ToneParams().paper).all())
    True
    """
    small = _work_copy(gray, params.work_side)
    if params.smooth_sigma > 0:
        small = cv2.GaussianBlur(small, (0, 0), params.smooth_sigma)
    tone = cv2.LUT(small, tone_curve(small, params))
    if tone.shape != gray.shape:
        tone = cv2.resize(tone, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return tone


def darkness(tone: np.ndarray, paper: float = ToneParams().paper, soft: float = 0.08) -> np.ndarray:
    """How much graphite each pixel needs, in [0, 1]: ``1 - tone``, fading to exactly 0 at ``paper``.

    Examples
    --------
    >>> d = darkness(np.array([0.2, 0.85, 0.95], np.float32))
    >>> round(float(d[0]), 3), bool(0 < d[1] < 0.15), float(d[2])
    (0.8, True, 0.0)
    """
    tone = tone.astype(np.float32, copy=False)
    fade = np.clip((np.float32(paper) - tone) / np.float32(soft), 0.0, 1.0)
    return (np.float32(1.0) - tone) * fade


SHADING_FLOOR = 0.15  # exponent of the shading in the darkest tones (small: drawn nearly in full early)
SHADING_SLOPE = 1.6  # how much later the lighter tones come in


def shading_response(dark: np.ndarray, shading: float, floor: float = SHADING_FLOOR,
                     slope: float = SHADING_SLOPE) -> np.ndarray:
    """The darkness drawn at a ``shading`` in [0, 1]: ``dark * shading ** (floor + slope * (1 - dark))``.

    0 draws nothing, 1 the full tone. The exponent is small for the darkest tones, so they are drawn early
    (a black coat is dark graphite at 35 %) and larger for light tones (which stay near paper until the
    shading is high). Nondecreasing in both ``dark`` and ``shading``: more shading is never lighter.

    Examples
    --------
    >>> d = np.array([0.9, 0.5, 0.2], np.float32)
    >>> [round(float(v), 2) for v in shading_response(d, 0.35)]
    [0.65, 0.18, 0.04]
    >>> bool((shading_response(d, 1.0) == d).all()), bool((shading_response(d, 0.0) == 0).all())
    (True, True)
    """
    dark = dark.astype(np.float32, copy=False)
    if shading <= 0:
        return np.zeros_like(dark)
    if shading >= 1:
        return dark.copy()
    log_s = np.float32(np.log(shading))
    exponent = np.float32(floor + slope) - np.float32(slope) * dark
    return dark * np.exp(exponent * log_s)
