"""One interface for face-landmark backends, and the face record every eye and face tool works from.

A backend is one file (``mediapipe_backend.py``, ``insightface_backend.py``) with a class that has a ``name``
and ``detect(rgb) -> list[Face]``; ``load_landmarker`` builds it once per settings and caches it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.registry import BackendStatus

from .geometry import eye_centre, subject_right_first

DEFAULT_LANDMARKS = "mediapipe"


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


class Landmarker(Protocol):
    name: str

    def detect(self, rgb: np.ndarray) -> list[Face]: ...


def _backend_modules() -> dict:
    from . import insightface_backend, mediapipe_backend

    return {"mediapipe": mediapipe_backend, "insightface": insightface_backend}


def landmark_statuses(settings: Settings, tool: str, default: str) -> list[BackendStatus]:
    return [module.status(settings, tool, default == name) for name, module in _backend_modules().items()]


def load_landmarker(name: str, settings: Settings) -> Landmarker:
    """The named backend, built once; ``BACKEND_UNAVAILABLE`` says what to install when it cannot run."""
    modules = _backend_modules()
    if name not in modules:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"unknown landmark backend {name!r}; known: {', '.join(modules)}")
    state = modules[name].status(settings, "", True)
    if not state.available:
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"landmark backend {name!r} cannot run: {state.reason}")
    return _cached(name, state.path)


@functools.lru_cache(maxsize=4)
def _cached(name: str, path: str | None) -> Landmarker:
    return _backend_modules()[name].load(path)


def find_faces(rgb: np.ndarray, landmarker: Landmarker) -> list[Face]:
    """Faces left to right (stable numbering for ``faces[i]``); ``NO_FACE`` when there is none."""
    faces = sorted(landmarker.detect(rgb), key=lambda f: (f.bbox[0], f.bbox[1]))
    if not faces:
        raise ToolError(ErrorCode.NO_FACE, f"no face found (landmarks: {landmarker.name}); the image needs a "
                        "visible face, roughly frontal, at least ~40 px across")
    return faces
