"""The face record every eye and face tool works from, and how a landmark backend builds one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import eye_centre, subject_right_first


@dataclass(frozen=True)
class Face:
    """One face: its box, every landmark, and each eye's outline named by the subject's own side.

    ``right_eye``/``left_eye`` are polygons, vertices in order; ``*_corners`` are (outer, inner);
    ``outline`` is the face's boundary, used for face masks.
    """

    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1
    points: np.ndarray
    right_eye: np.ndarray
    left_eye: np.ndarray
    right_corners: np.ndarray
    left_corners: np.ndarray
    outline: np.ndarray
    mouth: np.ndarray
    backend: str
    confidence: float = 1.0

    @property
    def inter_ocular(self) -> float:
        return float(np.hypot(*(eye_centre(self.left_eye) - eye_centre(self.right_eye))))

    def eye(self, side: str) -> np.ndarray:
        return self.right_eye if side == "right" else self.left_eye

    def corners(self, side: str) -> np.ndarray:
        return self.right_corners if side == "right" else self.left_corners


def eye_corners(eye: np.ndarray, other_eye: np.ndarray) -> np.ndarray:
    """(outer, inner) corners: the polygon's two farthest-apart points, the inner one nearer the other eye."""
    d = np.linalg.norm(eye[:, None] - eye[None], axis=-1)
    i, j = np.unravel_index(int(np.argmax(d)), d.shape)
    centre = other_eye.mean(axis=0)
    a, b = eye[i], eye[j]
    return np.array([a, b] if np.hypot(*(a - centre)) > np.hypot(*(b - centre)) else [b, a])


def make_face(points: np.ndarray, eye_a: list[int], eye_b: list[int], outline: list[int], mouth: list[int],
              backend: str, confidence: float = 1.0) -> Face:
    """A ``Face`` from a backend's landmark indices; which eye is the subject's right is decided geometrically."""
    pts = np.asarray(points, float)
    a, b = pts[eye_a], pts[eye_b]
    if not subject_right_first(eye_centre(a), eye_centre(b), pts[mouth].mean(axis=0)):
        a, b = b, a
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return Face(bbox=(float(x0), float(y0), float(x1), float(y1)), points=pts, right_eye=a, left_eye=b,
                right_corners=eye_corners(a, b), left_corners=eye_corners(b, a), outline=pts[outline],
                mouth=pts[mouth], backend=backend, confidence=confidence)
