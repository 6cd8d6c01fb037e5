"""MediaPipe face mesh (478 points with irises), from the models inside the ``mediapipe`` 0.10.21 wheel.

Faces are found by MediaPipe's full-range detector first and each one is meshed in its own square crop, so
small faces in group photos get landmarks too; when the detector finds nothing, the mesh runs on the image.
"""

from __future__ import annotations

import threading

import numpy as np

from atelier.core.config import Settings

from .face import Face, make_face

NAME = "mediapipe"
RIGHT_EYE = [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7]
LEFT_EYE = [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249]
FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
             176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109]
MOUTH = [61, 291, 0, 17]
MIN_SIDE = 384


def _square_crop(box: tuple[float, float, float, float], shape: tuple[int, int], grow: float = 1.8):
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * grow
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.05 * side
    left, top = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    right, bottom = int(min(shape[1], cx + side / 2)), int(min(shape[0], cy + side / 2))
    return left, top, right, bottom


def load(settings: Settings | None = None, path: str | None = None) -> MediaPipeLandmarker:
    """The landmarker (its models come from the wheel, so there is no path to read)."""
    return MediaPipeLandmarker()


class MediaPipeLandmarker:
    name = NAME

    def __init__(self, min_confidence: float = 0.5):
        import mediapipe as mp

        self._lock = threading.Lock()  # the graphs are not safe to share between threads
        self._detector = mp.solutions.face_detection.FaceDetection(model_selection=1,
                                                                   min_detection_confidence=min_confidence)
        self._single = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1,
                                                       refine_landmarks=True, min_detection_confidence=0.3)
        self._many = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=16,
                                                     refine_landmarks=True, min_detection_confidence=min_confidence)

    def _mesh(self, mesh, rgb: np.ndarray, offset: tuple[int, int] = (0, 0)) -> list[np.ndarray]:
        import cv2

        h, w = rgb.shape[:2]
        zoom = max(1.0, MIN_SIDE / min(h, w))  # the mesh reads eyelids better on a face of a few hundred px
        if zoom > 1:
            rgb = cv2.resize(rgb, (round(w * zoom), round(h * zoom)), interpolation=cv2.INTER_CUBIC)
        result = mesh.process(np.ascontiguousarray(rgb))
        return [np.array([[p.x * w + offset[0], p.y * h + offset[1]] for p in lm.landmark])
                for lm in result.multi_face_landmarks or []]

    def detect(self, rgb: np.ndarray) -> list[Face]:
        h, w = rgb.shape[:2]
        with self._lock:
            found = self._detector.process(np.ascontiguousarray(rgb)).detections or []
            meshes: list[tuple[np.ndarray, float]] = []
            for det in found:
                b = det.location_data.relative_bounding_box
                box = (b.xmin * w, b.ymin * h, (b.xmin + b.width) * w, (b.ymin + b.height) * h)
                left, top, right, bottom = _square_crop(box, (h, w))
                if right - left < 8 or bottom - top < 8:
                    continue
                meshes += [(m, float(det.score[0])) for m in self._mesh(self._single, rgb[top:bottom, left:right],
                                                                       (left, top))]
            if not meshes:
                meshes = [(m, 1.0) for m in self._mesh(self._many, rgb)]
        return _unique([make_face(m, RIGHT_EYE, LEFT_EYE, FACE_OVAL, MOUTH, NAME, c)
                        for m, c in meshes])


def _unique(faces: list[Face]) -> list[Face]:
    """Drop a face meshed twice (two detections of one face): same eyes within a quarter of their distance."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: -f.confidence):
        centre = (face.right_eye.mean(0) + face.left_eye.mean(0)) / 2
        if all(np.hypot(*(centre - (k.right_eye.mean(0) + k.left_eye.mean(0)) / 2)) > 0.25 * k.inter_ocular
               for k in kept):
            kept.append(face)
    return kept
