"""Face-landmark backends behind one interface: one record each in ``LANDMARK_BACKENDS``, one file each
(``mediapipe_backend.py``, ``insightface_backend.py``) with ``load(settings, path)`` returning an object with
a ``name`` and ``detect(rgb) -> list[Face]``. Every face tool lists these records among its own backends.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from atelier.core.backends import Availability, Backend, choose, load
from atelier.core.config import Settings
from atelier.core.errors import ErrorCode, ToolError

from .face import Face


def _insightface_models(settings: Settings) -> Availability:
    from atelier.core.models import find_model

    folder = find_model(settings, "insightface")
    if folder is not None and not any(folder.glob("*106*.onnx")):
        return Availability(False, str(folder), f"{folder} has no 106-point landmark model (2d106det.onnx)")
    return Availability(True)


LANDMARK_BACKENDS = (
    Backend("landmarks", "mediapipe", "MediaPipe face mesh, 478 points (models ship in the wheel)",
            loader="atelier.tools.faces.mediapipe_backend:load", packages=("mediapipe",), setting="face_landmarks"),
    Backend("landmarks", "insightface", "InsightFace buffalo_l, 106 points",
            loader="atelier.tools.faces.insightface_backend:load", packages=("insightface",),
            models=("insightface",), probe=_insightface_models, setting="face_landmarks"),
)


class Landmarker(Protocol):
    name: str

    def detect(self, rgb: np.ndarray) -> list[Face]: ...


def landmark_backend(requested: str, settings: Settings, tool: str = "") -> str:
    """The landmark backend a call uses: the requested one, or for ``auto`` the configured or first available."""
    return choose(LANDMARK_BACKENDS, "landmarks", requested, settings, tool=tool).name


def load_landmarker(name: str, settings: Settings) -> Landmarker:
    """The named backend, built once; ``BACKEND_UNAVAILABLE`` says what to install when it cannot run."""
    backend = choose(LANDMARK_BACKENDS, "landmarks", name, settings)
    return load(backend, settings)


def find_faces(rgb: np.ndarray, landmarker: Landmarker) -> list[Face]:
    """Faces left to right (stable numbering for ``faces[i]``); ``NO_FACE`` when there is none."""
    faces = sorted(landmarker.detect(rgb), key=lambda f: (f.bbox[0], f.bbox[1]))
    if not faces:
        raise ToolError(ErrorCode.NO_FACE, f"no face found (landmarks: {landmarker.name}); the image needs a "
                        "visible face, roughly frontal, at least ~40 px across")
    return faces
