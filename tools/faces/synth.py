"""Known-answer faces for tests and evals: close an open eye the way a blink looks.

The eye opening (its landmark polygon, grown a little) is filled from the surrounding skin by inpainting,
and a soft dark lash line is drawn along the lower lid, so a closed eye exists whose open original is known.
"""

from __future__ import annotations

import numpy as np

from .landmarks import Face


def close_eye(rgb: np.ndarray, face: Face, side: str, lash: float = 0.55) -> np.ndarray:
    """``rgb`` with the subject's ``side`` eye shut; pixels away from that eye are unchanged."""
    import cv2

    eye = face.eye(side)
    outer, inner = face.corners(side)
    width = float(np.hypot(*(inner - outer)))
    grow = max(2, int(round(0.18 * width)))
    hole = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillPoly(hole, [np.round(eye).astype(np.int32)], 255)
    hole = cv2.dilate(hole, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    out = cv2.inpaint(rgb, hole, max(3, grow * 2), cv2.INPAINT_TELEA)
    # the closed lid's lash line: a shallow arc between the corners, a little below their midpoint
    t = np.linspace(0.0, 1.0, 24)[:, None]
    normal = np.array([-(inner - outer)[1], (inner - outer)[0]]) / max(width, 1e-6)
    if normal[1] < 0:
        normal = -normal
    arc = outer * (1 - t) + inner * t + normal * (0.12 * width * np.sin(np.pi * t))
    line = np.zeros(rgb.shape[:2], np.float32)
    cv2.polylines(line, [np.round(arc).astype(np.int32)], False, 1.0, max(1, int(round(0.05 * width))),
                  cv2.LINE_AA)
    line = cv2.GaussianBlur(line, (0, 0), max(0.6, 0.02 * width)) * lash
    dark = out.astype(np.float32) * (1 - line[..., None]) + 40.0 * line[..., None]
    return np.clip(dark + 0.5, 0, 255).astype(np.uint8)
