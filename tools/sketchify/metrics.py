"""Quality metrics of a sketch against its input photo (design.md, Contract details: sketchify)."""

from __future__ import annotations

import cv2
import numpy as np

from atelier.core.edges import canny_edges, tolerant_f1

from .paper import paper_mask

WHITE = 250  # a paper pixel counts as pure white above this
GRAPHITE = 235  # a locally averaged sketch darker than this is covered with graphite


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img.astype(np.float32), (0, 0), sigma, borderType=cv2.BORDER_REFLECT)


def tone_fidelity(sketch: np.ndarray, gray_input: np.ndarray) -> float | None:
    """Correlation of the blurred input luminance with the blurred sketch (sigma = long side / 64).

    1 means the drawing's light and dark follow the photo's; None when either image is flat.

    Examples
    --------
    >>> ramp = np.tile(np.arange(0, 256, 2, dtype=np.uint8), (64, 1))
    >>> round(tone_fidelity(ramp, ramp), 3)
    1.0
    """
    sigma = max(sketch.shape[:2]) / 64.0
    a, b = _blur(gray_input, sigma).ravel(), _blur(sketch, sigma).ravel()
    a, b = a - a.mean(), b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return None if denom < 1e-6 else float((a * b).sum()) / denom


def dark_mask(gray_input: np.ndarray) -> np.ndarray:
    """The photo's darkest quartile: pixels at or below the 25th percentile, never its lightest level."""
    q = np.percentile(gray_input, 25)
    return (gray_input <= q) & (gray_input < gray_input.max())


def dark_coverage(sketch: np.ndarray, gray_input: np.ndarray) -> float | None:
    """Share of the photo's darkest quartile that the sketch covers with graphite; None if it has none.

    Covered means the sketch, averaged over about a stroke's spacing (sigma = long side / 256), is darker
    than 235: hatching with white between its strokes still counts, blank paper does not.

    Examples
    --------
    >>> photo = np.full((64, 64), 255, np.uint8); photo[16:48, 16:48] = 0
    >>> blank = np.full((64, 64), 255, np.uint8)
    >>> dark_coverage(blank, photo), dark_coverage(photo, photo)
    (0.0, 1.0)
    """
    mask = dark_mask(gray_input)
    if not mask.any():
        return None
    local = _blur(sketch, max(1.0, max(sketch.shape[:2]) / 256.0))
    return float((local[mask] < GRAPHITE).mean())


def background_purity(sketch: np.ndarray, gray_input: np.ndarray, tone: np.ndarray | None = None) -> float | None:
    """% of paper pixels (light and flat, see ``paper_mask``) the sketch leaves whiter than 250.

    None when the input has no paper.
    """
    mask = paper_mask(gray_input, tone)
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


def drawn_edges(sketch: np.ndarray) -> np.ndarray:
    """The edges a viewer sees in a drawing: Canny on the sketch smoothed over about a stroke spacing.

    Smoothing merges hatching into the tone it carries, so what remains are the lines and the borders
    between tones; thresholds follow the sketch's own gradients.
    """
    sigma = max(1.0, min(sketch.shape[:2]) / 150.0)
    smooth = cv2.GaussianBlur(sketch, (0, 0), sigma)
    return canny_edges(smooth, relative=True)


def edge_fidelity(sketch: np.ndarray, gray_input: np.ndarray, tolerance: float = 2.0) -> float | None:
    """F1 of the drawing's edges (``drawn_edges``) against Canny edges of the input, 2-px tolerance.

    Examples
    --------
    >>> photo = np.full((96, 96), 230, np.uint8); photo[24:72, 24:72] = 20
    >>> bool(edge_fidelity(photo, photo) > 0.9)
    True
    """
    return tolerant_f1(drawn_edges(sketch), canny_edges(gray_input), tolerance)


def stroke_f1(sketch: np.ndarray, gray_input: np.ndarray, tolerance: float = 2.0) -> float | None:
    """The line-art measure used before tone: F1 of every stroke pixel (< 200) against the input's edges.

    It counts hatching as false edges, so it falls as shading rises; the benchmark reports it beside
    ``edge_fidelity`` for comparison with earlier reports.
    """
    return tolerant_f1(stroke_mask(sketch), canny_edges(gray_input), tolerance)


def sketch_metrics(sketch: np.ndarray, gray_input: np.ndarray,
                   tone: np.ndarray | None = None) -> dict[str, float | None]:
    """All sketch metrics, rounded to 4 decimals; ``tone`` is the pencil tone in [0, 1] when known."""
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 4)

    return {
        "tone_fidelity": r(tone_fidelity(sketch, gray_input)),
        "dark_coverage": r(dark_coverage(sketch, gray_input)),
        "background_purity": r(background_purity(sketch, gray_input, tone)),
        "tonal_range": r(tonal_range(sketch)),
        "edge_fidelity": r(edge_fidelity(sketch, gray_input)),
    }
