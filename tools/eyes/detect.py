"""The ``detect_closed_eyes`` tool: every face, each eye open or closed with a scale-free score."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.images import LoadedImage
from atelier.core.registry import ImageRole, ToolContext, ToolOutput, ToolSpec
from atelier.tools.faces.landmarks import LANDMARK_BACKENDS

from .measure import CLOSED_BELOW
from .planning import DETECT_EXAMPLES, DETECT_HINTS, present_detection
from .video import VideoInput, detect_clip, read_video_input


class DetectArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    landmarks: Literal["auto", "mediapipe", "insightface"] = Field("auto", description="auto = mediapipe")
    threshold: float = Field(CLOSED_BELOW, gt=0.0, lt=0.5,
                             description="the landmark score's bar (area / inter-ocular² × lid opening): a lower "
                             "one calls fewer eyes closed; the eye-patch CNN is weighed beside it")


def run(images: dict[str, LoadedImage], args: DetectArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.tools.faces.landmarks import find_faces, landmark_backend, load_landmarker

    from .measure import draw_eye_boxes, face_record

    backend = landmark_backend(args.landmarks, ctx.settings, "detect_closed_eyes")
    if isinstance(images["image"], VideoInput):
        return detect_clip(images["image"], load_landmarker(backend, ctx.settings), args.threshold, ctx)
    with ctx.stage("landmarks"):
        faces = find_faces(images["image"].pixels, load_landmarker(backend, ctx.settings))
    records = [face_record(face, i, args.threshold, images["image"].pixels) for i, face in enumerate(faces)]
    closed_eyes = sum(len(r["closed_eyes"]) for r in records)
    return ToolOutput(
        backend=backend, backends={"landmarks": backend},
        outputs={"faces": records, "closed_count": sum(1 for r in records if r["closed_eyes"]),
                 "closed_eyes": closed_eyes, "threshold": args.threshold},
        images={"overlay": draw_eye_boxes(images["image"].pixels, records)},
        metrics={"faces": len(records), "closed_eyes": closed_eyes, "eyes": 2 * len(records),
                 "seconds_per_face": round(ctx.timings["landmarks"] / len(records), 4)},
    )


SPEC = ToolSpec(
    name="detect_closed_eyes",
    summary="Find every face and say, per eye (the person's own left/right), whether it is closed.",
    description="Find the faces in a photo and say for each eye whether it is closed.",
    args_model=DetectArgs, images=(ImageRole("image", min_size=32, description="a photo with faces, or a short video",
                                                   max_pixels=24_000_000, downscale=True, reader=read_video_input),),
    run=run, present=present_detection, backends=LANDMARK_BACKENDS, produces_image=False,
    examples=DETECT_EXAMPLES, hints=DETECT_HINTS, describe_run=lambda record: "closed eyes check faces",
    version="1.0",
)
