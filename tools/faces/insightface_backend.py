"""InsightFace ``buffalo_l``: SCRFD detection + 106-point landmarks, from ``ATELIER_MODELS/insightface``.

Eye polygons are the seed project's indices (``[39, 33, 36, 41, 40, 42]`` and ``[89, 90, 91, 96, 94, 95]``);
which is the subject's right is decided from the face's geometry, as for every backend.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from atelier.core.config import Settings

from .face import Face, make_face

NAME = "insightface"
EYE_A = [39, 33, 36, 41, 40, 42]
EYE_B = [89, 90, 91, 96, 94, 95]
OUTLINE = list(range(0, 33))
MOUTH = list(range(52, 72))


def load(settings: Settings, path: str | None) -> InsightFaceLandmarker:
    """The landmarker for the buffalo_l folder at ``path``."""
    return InsightFaceLandmarker(path)


class InsightFaceLandmarker:
    name = NAME

    def __init__(self, folder: str | None, det_size: int = 640):
        from insightface.app import FaceAnalysis

        self._lock = threading.Lock()
        # a folder path as the name: insightface reads it as is and never tries to download
        self._app = FaceAnalysis(name=str(Path(str(folder)).resolve()), providers=["CPUExecutionProvider"],
                                 allowed_modules=["detection", "landmark_2d_106"])
        self._app.prepare(ctx_id=-1, det_size=(det_size, det_size))

    def detect(self, rgb: np.ndarray) -> list[Face]:
        bgr = np.ascontiguousarray(rgb[..., ::-1])
        with self._lock:
            found = self._app.get(bgr)
        return [make_face(f.landmark_2d_106, EYE_A, EYE_B, OUTLINE, MOUTH, NAME, float(f.det_score))
                for f in found if getattr(f, "landmark_2d_106", None) is not None]
