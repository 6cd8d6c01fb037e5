"""Renderer families: one module per family, each a pure ``render(rgb, palette, seed, line_art, **params)``.

A style card names its family and parameters; the retrieved reference supplies the palette. ``apply``
looks the family up, keeps only the parameters it takes (so a card cannot pass nonsense through) and
blends the result with the input by ``strength``. On line art, line-preserving families get the input's
strokes laid back on top (``common.relay_strokes``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .common import blend, is_clean_line_art, relay_strokes

FAMILIES = ("painterly", "watercolour", "ink_wash", "comic", "pointillism", "woodblock", "stained_glass",
            "low_poly", "pixel_art", "neon", "cel", "grade", "drawing", "transfer")

LINE_PRESERVING = frozenset({"painterly", "watercolour", "ink_wash", "comic", "woodblock", "neon", "cel", "grade",
                             "drawing", "transfer"})


def renderer(family: str) -> Callable[..., np.ndarray]:
    """The ``render`` function of a family; ``ValueError`` for an unknown one."""
    if family not in FAMILIES:
        raise ValueError(f"unknown renderer family {family!r}; known: {', '.join(FAMILIES)}")
    return importlib.import_module(f"{__name__}.{family}").render


def accepted(family: str, params: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Split ``params`` into those the family's renderer takes and the names it does not know."""
    names = set(inspect.signature(renderer(family)).parameters) - {"rgb", "palette", "seed", "line_art"}
    return {k: v for k, v in params.items() if k in names}, sorted(set(params) - names)


def keep_strokes(out: np.ndarray, rgb: np.ndarray, gamma: float = 1.0) -> np.ndarray:
    """A line-preserving family's render of line art with the drawing's strokes laid back on top.

    Sketches (paper with grain, shading) always get the relay. Clean line art (flat paper), which the
    families ink themselves, keeps the family's own render unless the relay keeps the drawing's edges better
    (``structure_f1``), so the relay never costs a clean drawing a line. ``gamma`` > 1 lays the strokes
    back darker than drawn (a family's bolder key lines; the module's ``RELAY_GAMMA``).
    """
    relayed = relay_strokes(out, rgb, gamma=gamma)
    if not is_clean_line_art(rgb):
        return relayed
    from ..palette import structure_f1

    return relayed if (structure_f1(relayed, rgb) or 0.0) >= (structure_f1(out, rgb) or 0.0) else out


def apply(family: str, rgb: np.ndarray, palette: np.ndarray, params: Mapping[str, Any] | None = None,
          seed: int = 0, line_art: bool = False, strength: float = 1.0) -> np.ndarray:
    """Render ``rgb`` (uint8 RGB) with a family and blend by ``strength`` (0 = the input, 1 = all style).

    Examples
    --------
    >>> from .common import hex_palette
    >>> img = np.full((24, 24, 3), 200, np.uint8)
    >>> apply("grade", img, hex_palette(["#000000", "#ffffff"]), strength=0.0).tolist() == img.tolist()
    True
    """
    kwargs, _ = accepted(family, params or {})
    out = renderer(family)(rgb, palette, seed=seed, line_art=line_art, **kwargs)
    if line_art and family in LINE_PRESERVING:
        gamma = float(getattr(importlib.import_module(f"{__name__}.{family}"), "RELAY_GAMMA", 1.0))
        out = keep_strokes(out, rgb, gamma)
    return blend(out, rgb, strength)
