"""The whole sketch, top to bottom: lines, shading, blend, contrast, layered synthesis, grain."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np

from .backends import ShadingBackend
from .grain import graphite_grain
from .layers import blend, contrast, detail_layer, merge_layers, structure_layer
from .lines import dodge_kernel_size, line_art, to_gray
from .paper import apply_paper, paper_gate

StageTimer = Callable[[str], AbstractContextManager]


@dataclass(frozen=True)
class SketchParams:
    ai_strength: float = 0.35  # 35 % shading, 65 % lines
    grain: float = 0.25
    seed: int = 0
    contrast: float = 1.05
    structure_threshold: float = 120.0
    detail_paper: float = 236.0
    detail_gamma: float = 1.2


def _no_timer(_: str) -> AbstractContextManager:
    return nullcontext()


def sketch(
    rgb: np.ndarray, shading: ShadingBackend | None, params: SketchParams = SketchParams(),
    stage: StageTimer = _no_timer,
) -> np.ndarray:
    """Pencil sketch of an RGB (or grayscale) uint8 image: uint8 grayscale of the same size, 255 = paper.

    Stages: grayscale; line art (equalise, dodge, sharpen); shading; blend and contrast; layered synthesis
    (structure + detail, darkest wins); paper (textureless regions stay blank); graphite grain in strokes.

    ``shading`` is not called when ``params.ai_strength`` is 0 (the line path alone).
    """
    with stage("gray"):
        gray = to_gray(rgb)
    with stage("lines"):
        lines = line_art(gray, dodge_kernel_size(*gray.shape[:2]))
    if params.ai_strength > 0:
        if shading is None:
            raise ValueError("ai_strength > 0 needs a shading backend")
        with stage("shading"):
            shade = shading.shade(gray)
    else:
        shade = lines
    with stage("blend"):
        tone = contrast(blend(shade, lines, params.ai_strength), params.contrast)
    with stage("layers"):
        tone = merge_layers(
            structure_layer(tone, params.structure_threshold),
            detail_layer(tone, params.detail_paper, params.detail_gamma),
        )
    with stage("paper"):
        tone = apply_paper(tone, paper_gate(gray))
    with stage("grain"):
        return graphite_grain(tone, params.seed, params.grain)
