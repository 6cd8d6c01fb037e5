"""The ``restore_face`` tool: restore every face inside its feathered outline; nothing outside a face changes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.images import LoadedImage
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec


class RestoreArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "classical", "codeformer"] = Field("auto", description="auto = classical (CPU)")
    strength: float = Field(1.0, ge=0.0, le=2.0, description="classical: how hard to denoise and sharpen")
    fidelity: float = Field(0.7, ge=0.0, le=1.0, description="codeformer: w, 0 = most restored, 1 = most faithful")
    landmarks: Literal["auto", "mediapipe", "insightface"] = "auto"


def restorer_choice(requested: str, settings: Settings) -> str:
    return settings.backend_for("face_restore", "classical") if requested == "auto" else requested


def _backends(settings: Settings) -> list[BackendStatus]:
    from atelier.tools.eyes.detect import landmarks_choice
    from atelier.tools.faces.landmarks import landmark_statuses

    from . import codeformer

    default = restorer_choice("auto", settings)
    return [BackendStatus("restore_face", "restore", "classical", True, default == "classical", None,
                          "built in: non-local-means denoise, CLAHE, unsharp mask inside the face"),
            codeformer.status(settings, "restore_face", default == "codeformer"),
            *landmark_statuses(settings, "restore_face", landmarks_choice("auto", settings))]


def load_restorer(name: str, settings: Settings, strength: float = 1.0, fidelity: float = 0.7):
    from .restorers import ClassicalRestorer

    if name == "classical":
        return ClassicalRestorer(strength)
    from . import codeformer

    state = codeformer.status(settings)
    if not state.available:
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"restore backend 'codeformer' cannot run: {state.reason}")
    return codeformer.CodeFormerRestorer(settings, fidelity)


def run(images: dict[str, LoadedImage], args: RestoreArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.tools.eyes.detect import landmarks_choice
    from atelier.tools.faces.landmarks import find_faces, load_landmarker

    from .restorers import restore_face_region

    name = restorer_choice(args.backend, ctx.settings)
    restorer = load_restorer(name, ctx.settings, args.strength, args.fidelity)
    marks = landmarks_choice(args.landmarks, ctx.settings)
    image = images["image"].pixels
    with ctx.stage("landmarks"):
        faces = find_faces(image, load_landmarker(marks, ctx.settings))
    out, records = image, []
    for i, face in enumerate(faces):
        ctx.progress(i / len(faces), f"restoring face {i + 1} of {len(faces)}")
        with ctx.stage("restore"):
            out, metrics = restore_face_region(out, face, restorer)
        records.append({"index": i, "bbox": [round(v, 1) for v in face.bbox], **metrics})
    return ToolOutput(
        backend=name, backends={"restore": name, "landmarks": marks}, outputs={"faces": records},
        images={"image": out},
        metrics={"faces": len(faces), "seconds_per_face": round(ctx.timings["restore"] / len(faces), 4),
                 "noise_before": round(sum(r["noise_before"] for r in records) / len(records), 3),
                 "noise_after": round(sum(r["noise_after"] for r in records) / len(records), 3)},
    )


SPEC = ToolSpec(
    name="restore_face", summary="Restore the faces in a photo (denoise, contrast, detail); the rest is untouched.",
    args_model=RestoreArgs, images=(ImageRole("image", min_size=32, description="a photo with faces"),),
    run=run, backends=_backends, version="1.0",
)
