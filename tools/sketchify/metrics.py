"""Quality metrics of a sketch against its input photo (design.md, Contract details: sketchify)."""

from __future__ import annotations

import numpy as np

from atelier.tools.core.edges import canny_edges, tolerant_f1

from .paper import paper_mask

WHITE = 250  # a paper pixel counts as pure white above this


def background_purity(sketch: np.ndarray, gray_input: np.ndarray) -> float | None:
    """% of paper pixels the sketch leaves whiter than 250; None when the input has no paper."""
    mask = paper_mask(gray_input)
    n = int(mask.sum())
    if n == 0:
        return None
    return 100.0 * float((sketch[mask] > WHITE).sum()) / n


def tonal_range(sketch: np.ndarray) -> float:
    """% of the 256 gray levels the sketch uses."""
    counts = np.bincount(sketch.ravel(), minlength=256)
    return 100.0 * float((counts > 0).sum()) / 256.0


def stroke_mask(sketch: np.ndarray, threshold: int = 200) -> np.ndarray:
    """Clearly drawn pixels."""
    return sketch < threshold


def edge_fidelity(sketch: np.ndarray, gray_input: np.ndarray, tolerance: float = 2.0) -> float | None:
    """F1 of the sketch's strokes against Canny edges of the input, with a 2-px tolerance."""
    return tolerant_f1(stroke_mask(sketch), canny_edges(gray_input), tolerance)


def sketch_metrics(sketch: np.ndarray, gray_input: np.ndarray) -> dict[str, float | None]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 4)

    return {
        "background_purity": r(background_purity(sketch, gray_input)),
        "tonal_range": r(tonal_range(sketch)),
        "edge_fidelity": r(edge_fidelity(sketch, gray_input)),
    }
