"""Blending and layered synthesis: lines and shading in, one sketch tone image out (float32, 255 = paper)."""

from __future__ import annotations

import numpy as np


def blend(shading: np.ndarray, lines: np.ndarray, ai_strength: float) -> np.ndarray:
    """``ai_strength * shading + (1 - ai_strength) * lines``; 0 is the line path alone, exactly."""
    if not 0.0 <= ai_strength <= 1.0:
        raise ValueError(f"ai_strength must be in [0, 1], got {ai_strength}")
    if ai_strength == 0.0:
        return lines.astype(np.float32, copy=True)
    out = shading.astype(np.float32) * np.float32(ai_strength)
    out += lines.astype(np.float32) * np.float32(1.0 - ai_strength)
    return out


def contrast(img: np.ndarray, factor: float = 1.05, pivot: float = 128.0) -> np.ndarray:
    """Linear contrast about ``pivot``: darks get darker, lights lighter; clipped to [0, 255]."""
    out = (img.astype(np.float32) - pivot) * np.float32(factor) + np.float32(pivot)
    return np.clip(out, 0.0, 255.0, out=out)


def smoothstep(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def structure_layer(tone: np.ndarray, threshold: float = 120.0, softness: float = 24.0,
                    ink: float = 30.0) -> np.ndarray:
    """Confident lines only: a (softly edged) binarisation at a strict, dark threshold.

    Pixels darker than ``threshold - softness`` become solid ``ink``; lighter than ``threshold`` stay paper.
    """
    t = smoothstep(tone.astype(np.float32), threshold - softness, threshold)
    return np.float32(ink) + np.float32(255.0 - ink) * t


def detail_layer(tone: np.ndarray, paper: float = 236.0, gamma: float = 1.2) -> np.ndarray:
    """Everything lighter than ``paper`` becomes paper; the rest keeps its tone through a gamma curve.

    ``gamma`` > 1 deepens mid-tones so faint detail still reads once the structure layer is merged in.
    """
    x = np.clip(tone.astype(np.float32) / np.float32(paper), 0.0, 1.0)
    return np.float32(255.0) * np.power(x, np.float32(gamma))


def merge_layers(structure: np.ndarray, detail: np.ndarray) -> np.ndarray:
    """Darkest wins, as graphite over graphite."""
    return np.minimum(structure, detail)
