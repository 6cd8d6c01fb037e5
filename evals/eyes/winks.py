"""Unseen open-eye photos for synthetic winks, shared by the eyes evals that price a rule on winks.

Open UTKFace photos after the first ``start`` of a seeded shuffle (no model was fitted on them) are read with
their largest face; each eval shuts an eye with ``tools/faces/synth.py`` and reads what it needs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from atelier.tools.eyes.measure import eye_logits, eye_state, grey
from atelier.tools.faces.face import Face
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker


def largest_face(landmarker: MediaPipeLandmarker, rgb: np.ndarray) -> Face | None:
    """The photo's main face (widest between the eyes), or None when no face is found."""
    faces = landmarker.detect(rgb)
    return max(faces, key=lambda f: f.inter_ocular) if faces else None


def read_eyes(landmarker: MediaPipeLandmarker, rgb: np.ndarray) -> dict[str, tuple[float, tuple[float, float]]] | None:
    """Per eye of the photo's main face its landmark score and eye-patch logits (CNN, HOG), or None with no face."""
    face = largest_face(landmarker, rgb)
    if face is None:
        return None
    look = eye_logits(face, grey(rgb))
    return {s: (eye_state(face, s)["score"], look[s]) for s in ("right", "left")}


def open_photos(landmarker: MediaPipeLandmarker, open_dir: Path, start: int, count: int,
                seed: int) -> Iterator[tuple[np.ndarray, Face]]:
    """Each of ``count`` shuffled open photos after the first ``start`` that has a face, with that face."""
    opened = sorted(open_dir.iterdir())
    random.Random(seed).shuffle(opened)
    for path in opened[start:start + count]:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        face = largest_face(landmarker, rgb)
        if face is not None:
            yield rgb, face
