"""Quality metrics of a sketch against its input photo (design.md, Contract details: sketchify)."""

from __future__ import annotations

import cv2
import numpy as np

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


def canny_edges(gray: np.ndarray) -> np.ndarray:
    """Canny with thresholds from the median (0.66x and 1.33x), after a light blur."""
    smooth = cv2.GaussianBlur(gray, (5, 5), 0)
    median = float(np.median(smooth))
    lo, hi = max(10.0, 0.66 * median), max(30.0, min(255.0, 1.33 * median))
    return cv2.Canny(smooth, lo, hi) > 0


def stroke_mask(sketch: np.ndarray, threshold: int = 200) -> np.ndarray:
    """Clearly drawn pixels."""
    return sketch < threshold


def tolerant_f1(predicted: np.ndarray, truth: np.ndarray, tolerance: float = 2.0) -> float | None:
    """F1 of two binary maps where a pixel matches if the other map has one within ``tolerance`` px."""
    n_pred, n_true = int(predicted.sum()), int(truth.sum())
    if n_pred == 0 and n_true == 0:
        return None
    if n_pred == 0 or n_true == 0:
        return 0.0
    dist_to_truth = cv2.distanceTransform((~truth).astype(np.uint8), cv2.DIST_L2, 3)
    dist_to_pred = cv2.distanceTransform((~predicted).astype(np.uint8), cv2.DIST_L2, 3)
    precision = float((dist_to_truth[predicted] <= tolerance).mean())
    recall = float((dist_to_pred[truth] <= tolerance).mean())
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


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
