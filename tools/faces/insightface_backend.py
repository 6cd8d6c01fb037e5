"""InsightFace ``buffalo_l``: SCRFD detection + 106-point landmarks, from ``ATELIER_MODELS/insightface``.

Eye polygons are the seed project's indices (``[39, 33, 36, 41, 40, 42]`` and ``[89, 90, 91, 96, 94, 95]``);
which is the subject's right is decided from the face's geometry, as for every backend.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from atelier.tools.core.config import Settings
from atelier.tools.core.models import find_model, missing_reason
from atelier.tools.core.registry import BackendStatus

from .landmarks import Face, make_face

NAME = "insightface"
EYE_A = [39, 33, 36, 41, 40, 42]
EYE_B = [89, 90, 91, 96, 94, 95]
OUTLINE = list(range(0, 33))
MOUTH = list(range(52, 72))


def status(settings: Settings, tool: str, default: bool) -> BackendStatus:
    import importlib.util

    folder = find_model(settings, "insightface")
    if importlib.util.find_spec("insightface") is None:
        return BackendStatus(tool, "landmarks", NAME, False, default, None, "the insightface package is not installed")
    if folder is None:
        return BackendStatus(tool, "landmarks", NAME, False, default, None, missing_reason(settings, "insightface"))
    if not any(folder.glob("*106*.onnx")):
        return BackendStatus(tool, "landmarks", NAME, False, default, str(folder),
                             f"{folder} has no 106-point landmark model (2d106det.onnx)")
    return BackendStatus(tool, "landmarks", NAME, True, default, str(folder), "InsightFace buffalo_l, 106 points")


def load(path: str | None) -> InsightFaceLandmarker:
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
