"""Face restoration. ``restore_faces`` is the public function other tools call (``open_eyes`` restores the
faces it opened through it); ``RESTORE_BACKENDS`` is the one table of restorers."""

from __future__ import annotations

from typing import Any

from atelier.core.backends import Backend, choose, load
from atelier.core.config import Settings

RESTORE_BACKENDS = (
    Backend("restore", "classical", "built in: non-local-means denoise, CLAHE, unsharp mask inside the face",
            setting="face_restore"),
    Backend("restore", "codeformer", "CodeFormer (weights under the S-Lab non-commercial licence)",
            loader="atelier.tools.restore.codeformer:load", models=("codeformer",), packages=("torch",),
            setting="face_restore"),
)


def make_restorer(requested: str, settings: Settings, strength: float = 1.0, fidelity: float = 0.7):
    """The restorer for ``requested`` (``auto``: the configured one, else classical), its weights loaded once."""
    backend = choose(RESTORE_BACKENDS, "restore", requested, settings, tool="restore_face")
    if backend.name == "classical":
        from .restorers import ClassicalRestorer

        return ClassicalRestorer(strength)
    from .codeformer import CodeFormerRestorer

    return CodeFormerRestorer(load(backend, settings), fidelity)


def restore_faces(image: Any, faces: list, restorer) -> tuple[Any, list[dict[str, Any]]]:
    """Every face restored inside its feathered outline; returns the image and per-face metrics."""
    from .restorers import restore_face_region

    records = []
    for face in faces:
        image, metrics = restore_face_region(image, face, restorer)
        records.append(metrics)
    return image, records
