"""The whole sketch, top to bottom: tone, stroke directions, hatching (+ smudge), lines on top, grain.

Following Lu, Xu and Jia (2012) a drawing is a stroke layer times a tone layer: the tone is the photo's
luminance mapped onto a pencil-tone histogram (``tone``), rendered as hatching that follows the form
(``orientation``, ``hatching``); the lines (colour dodge or XDoG) are multiplied on top. ``shading`` sets how
much of the tone's darkness is drawn (``tone.shading_response``): 0 is the lines alone, 1 the full tone.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .backends import ShadingBackend
from .grain import graphite_grain
from .hatching import hatch
from .lines import line_art, to_gray, xdog
from .media import MEDIA, Medium, stroke_spacing
from .orientation import angle_bins, tangent_field
from .paper import paper_gate
from .tone import darkness, shading_response

StageTimer = Callable[[str], AbstractContextManager]
ORIENTATION_SIDE = 320  # stroke directions are found on a copy this big on its shorter side
ORIENTATION_RHO = 1.0 / 48.0  # structure-tensor smoothing, as a share of that copy's shorter side


@dataclass(frozen=True)
class SketchParams:
    """What the caller controls: how much tone, which medium, grain (None = the medium's), seed, lines."""

    shading: float = 0.35
    medium: str = "graphite"
    grain: float | None = None
    seed: int = 0
    lines: str | None = None


def _no_timer(_: str) -> AbstractContextManager:
    return nullcontext()


def line_layer(gray: np.ndarray, medium: Medium, method: str | None = None) -> np.ndarray:
    """The lines as reflectance in [0, 1] (1 = paper), silent where the photo is flat.

    Examples
    --------
    >>> g = np.full((64, 64), 200, np.uint8); g[:, 32:] = 30
    >>> lines = line_layer(g, MEDIA["graphite"])
    >>> float(lines[:, :20].min()), bool(lines[:, 30:34].min() < 0.8)
    (1.0, True)
    """
    method = method or medium.lines
    short = min(gray.shape[:2])
    if method == "xdog":
        art = xdog(gray, sigma=max(0.7, short / 640.0), phi=200.0 if medium.binary else 40.0)
    elif method == "dodge":
        art = line_art(gray)
    else:
        raise ValueError(f"unknown line method {method!r}; known: dodge, xdog")
    if medium.line_soften > 0:
        art = cv2.GaussianBlur(art, (0, 0), medium.line_soften * max(1.0, short / 512.0))
    ink = (np.float32(1.0) - art * np.float32(1.0 / 255.0)) * paper_gate(gray) * np.float32(medium.line_weight)
    return np.float32(1.0) - ink


def stroke_bins(gray: np.ndarray, bins: int, seed: int) -> np.ndarray:
    """Per-pixel stroke direction (index of ``k * pi / bins``) along the photo's edge tangents.

    The field is found and quantised on a small copy and resized; a little seeded noise moves the borders
    between direction patches so they wander like a hand's, not along contour lines.
    """
    h, w = gray.shape[:2]
    factor = min(1.0, ORIENTATION_SIDE / min(h, w))
    small = gray if factor == 1.0 else cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))),
                                                  interpolation=cv2.INTER_AREA)
    cos2, sin2 = tangent_field(small, max(1.5, ORIENTATION_RHO * min(small.shape[:2])))
    rng = np.random.default_rng(seed + 1)
    jitter = cv2.GaussianBlur(rng.standard_normal(small.shape).astype(np.float32), (0, 0), 2.0)
    angle = np.float32(0.5) * np.arctan2(sin2, cos2) + jitter * np.float32(0.9 * np.pi / bins)
    bins_small = angle_bins(np.cos(2 * angle), np.sin(2 * angle), bins)
    if factor == 1.0:
        return bins_small
    return cv2.resize(bins_small, (w, h), interpolation=cv2.INTER_NEAREST)


def rubbed_tone(dark: np.ndarray, sigma: float) -> np.ndarray:
    """The darkness blurred over ``sigma`` px, as rubbed graphite; blurred on a quarter-size copy (it is smooth).

    Examples
    --------
    >>> d = np.zeros((64, 64), np.float32); d[:, 32:] = 1
    >>> r = rubbed_tone(d, 4.0)
    >>> bool(r[0, 0] < 0.05 and r[0, 63] > 0.95 and 0.2 < r[0, 32] < 0.8)
    True
    """
    h, w = dark.shape
    factor = 4 if min(h, w) >= 64 and sigma >= 4 else 1
    small = dark if factor == 1 else cv2.resize(dark, (w // factor, h // factor), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor, borderType=cv2.BORDER_REFLECT)
    return small if factor == 1 else cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def deep_share(dark: np.ndarray, deep: float, start: float) -> np.ndarray:
    """Extra rubbed share in the deepest darks: 0 up to darkness ``start``, rising smoothly to ``deep`` at 1.

    Examples
    --------
    >>> [round(float(v), 3) for v in deep_share(np.array([0.3, 0.775, 1.0], np.float32), 0.4, 0.55)]
    [0.0, 0.2, 0.4]
    """
    t = np.clip((dark - np.float32(start)) * np.float32(1.0 / max(1e-6, 1.0 - start)), 0.0, 1.0)
    return t * t * (np.float32(3.0) - np.float32(2.0) * t) * np.float32(deep)


def tone_layer(dark: np.ndarray, bins: np.ndarray, medium: Medium, spacing: float, seed: int) -> np.ndarray:
    """Darkness rendered in graphite: a smooth rubbed share and hatching for the rest.

    The rubbed share is ``medium.smudge`` of the tone everywhere plus, in the deepest darks, up to
    ``medium.deep`` more (``deep_share``), so the darkest cross-hatching reads near-solid.
    """
    smudge = np.zeros_like(dark)
    if medium.smudge > 0 or medium.deep > 0:
        rubbed = rubbed_tone(dark, medium.smudge_blur * spacing)
        smudge = rubbed * (np.float32(medium.smudge) + deep_share(rubbed, medium.deep, medium.deep_from))
        np.minimum(smudge, dark, out=smudge)
    rest = np.float32(1.0) - (np.float32(1.0) - dark) / (np.float32(1.0) - smudge)
    strokes = hatch(np.maximum(rest, 0.0), bins, replace(medium.hatch, spacing=spacing), seed)
    return strokes * (np.float32(1.0) - smudge)


def sketch(
    rgb: np.ndarray, tone_backend: ShadingBackend | None, params: SketchParams = SketchParams(),
    stage: StageTimer = _no_timer,
) -> np.ndarray:
    """Pencil drawing of an RGB (or grayscale) uint8 image: uint8 grayscale of the same size, 255 = paper.

    Stages: grayscale; lines; pencil tone (the backend); stroke directions; hatching; grain. The backend is
    not called when ``params.shading`` is 0 (the lines alone). Same input, parameters and seed give the
    same bytes.
    """
    if not 0.0 <= params.shading <= 1.0:
        raise ValueError(f"shading must be in [0, 1], got {params.shading}")
    medium = MEDIA[params.medium]
    gray = to_gray(rgb)
    with stage("lines"):
        drawing = line_layer(gray, medium, params.lines)
    if params.shading > 0:
        if tone_backend is None:
            raise ValueError("shading > 0 needs a tone backend")
        with stage("tone"):
            tone = tone_backend.shade(gray) * np.float32(1.0 / 255.0)
            dark = shading_response(darkness(tone), params.shading)
            if medium.darken != 1.0:
                dark = np.float32(1.0) - (np.float32(1.0) - dark) ** np.float32(medium.darken)
        with stage("directions"):
            bins = stroke_bins(gray, medium.hatch.bins, params.seed)
        with stage("hatching"):
            spacing = stroke_spacing(medium, *gray.shape[:2])
            drawing *= tone_layer(dark, bins, medium, spacing, params.seed)
    with stage("grain"):
        if medium.binary:
            return np.where(drawing < 0.5, 0, 255).astype(np.uint8)
        grain = medium.grain if params.grain is None else params.grain
        scale = medium.grain_scale * max(1.0, min(gray.shape[:2]) / 512.0)
        return graphite_grain(drawing * np.float32(255.0), params.seed, grain, scale=scale)
