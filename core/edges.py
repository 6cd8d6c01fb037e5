"""Edge maps and their comparison, shared by every tool that promises to keep structure."""

from __future__ import annotations

import cv2
import numpy as np


def canny_edges(gray: np.ndarray, relative: bool = False, percentile: float = 90.0) -> np.ndarray:
    """Canny after a light blur.

    Thresholds: by default from the median brightness (0.66x and 1.33x). With ``relative=True``, from the
    image's own gradient strengths (the ``percentile``-th gradient magnitude and half of it), so that a
    change of tone or contrast that keeps the structure finds the same edges — what comparing an image with
    its restyled version needs.
    """
    smooth = cv2.GaussianBlur(gray, (5, 5), 0)
    if relative:
        gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
        mag = np.abs(gx) + np.abs(gy)
        strong = mag[mag > 0]
        hi = float(np.percentile(strong, percentile)) if strong.size else 255.0
        return cv2.Canny(smooth, max(1.0, 0.5 * hi), max(2.0, hi)) > 0
    median = float(np.median(smooth))
    lo, hi = max(10.0, 0.66 * median), max(30.0, min(255.0, 1.33 * median))
    return cv2.Canny(smooth, lo, hi) > 0


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
