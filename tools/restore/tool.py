"""The ``restore_face`` tool: restore every face inside its feathered outline; nothing outside a face changes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.cards import Card, CardImage, Row, number
from atelier.core.images import LoadedImage
from atelier.core.registry import ArgCue, ImageRole, PlannerHints, Rule, ToolContext, ToolOutput, ToolSpec
from atelier.tools.faces.landmarks import LANDMARK_BACKENDS

from . import RESTORE_BACKENDS, make_restorer


class RestoreArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "classical", "codeformer"] = Field("auto", description="auto = classical (CPU)")
    strength: float = Field(1.0, ge=0.0, le=2.0, description="classical: how hard to denoise and sharpen")
    fidelity: float = Field(0.7, ge=0.0, le=1.0, description="codeformer: w, 0 = most restored, 1 = most faithful")
    landmarks: Literal["auto", "mediapipe", "insightface"] = "auto"


def run(images: dict[str, LoadedImage], args: RestoreArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.tools.faces.landmarks import find_faces, landmark_backend, load_landmarker

    from .restorers import restore_face_region

    restorer = make_restorer(args.backend, ctx.settings, args.strength, args.fidelity)
    name = restorer.name
    marks = landmark_backend(args.landmarks, ctx.settings, "restore_face")
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


def present(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    m = result["metrics"]
    n = m.get("faces", 0)
    rows = [Row("Restorer", result["backend"]), Row("Faces", str(n)),
            Row("Noise", f"{number(m.get('noise_before'))} → {number(m.get('noise_after'))}")]
    images = [CardImage(inputs["image"], "before", "before")] if inputs.get("image") else []
    images.append(CardImage(result["artifacts"]["image"], "after"))
    return Card("Restored faces", f"Restored {n} face{'s' if n != 1 else ''}; nothing outside the faces changed.",
                rows, images)


FIX = (r"(restor\w*|fix|fixed|enhanc\w*|repair\w*|retouch\w*|denois\w*|de-noise|sharpen\w*|improv\w*|fix up|"
       r"clean(?:ed)? up|clean-up|touch(?:ed)? up|grainy|blurry|noisy|damaged|look better|clearer|crisper|smudg\w*|"
       r"fuzzy|clean(?: it| them)?)")
FACE = r"(faces?|portraits?|skin|headshots?|selfies?)"
EXAMPLES = ("restore the face", "enhance the face", "fix up her face, it is blurry", "clean up the face",
            "face restoration please", "make the face sharper", "improve the face quality", "denoise the face",
            "restore the old portrait", "repair the damaged face")
HINTS = PlannerHints(rules=(Rule(40, all=(rf"\b{FIX}\b.*\b{FACE}\b|\b{FACE}\b.*\b{FIX}|\bcodeformer\b",)),
                            # an old photo to repair: its faces are what this tool restores
                            Rule(40, all=(r"\b(repair|restore|fix up|bring back|rescue)\w*\b.*\bold (photo|picture|"
                                          r"print|"
                                          r"snapshot|family photo)s?\b",)),
                            # "restore it": restoring is this tool's own verb unless another tool's object is said
                            Rule(41, all=(r"\brestor(?:e|ed|ing)\b",),
                                 none=(r"\b(?:sprite|pixel\w*|grid|original|small|size|eyes?|punk|colou?rs?|backup|"
                                       r"version|runs?|results?|undo|back|style|look)\b",))),
                     args=(ArgCue(("fidelity",), r"\b(?:weight|w|fidelity)\s*(?:of|=|:|at|to)?\s*(0?\.\d+|1(?:\.0+)?|0)"
                                                 r"(?![\d.])", when=r"codeformer|fidelity"),
                           ArgCue(("fidelity",), r"\b(?:fidelity|weight)\s*(?:of|at|=|:|to)?\s*(\d+(?:\.\d+)?\s*%)",
                                  "fraction"),
                           ArgCue(("fidelity",), r"\bcodeformer\s*(?:at|with|=|:)?\s*(0?\.\d+|1\.0+)(?![\d.])"),
                           ArgCue(("fidelity",), r"(?<![\d.])(0?\.\d+|1\.0+)\s*(?:weight|fidelity)\b",
                                  when=r"codeformer|fidelity"),),
                     vocabulary=("restore", "restoring", "face", "faces", "portrait", "enhance", "repair",
                                 # other languages' words (the planner translates them before reading)
                                 "restaura=restore", "restaurar=restore", "restaure=restore", "restaurer=restore",
                                 "restaurieren=restore", "restauriere=restore", "restaurare=restore",
                                 "restaurami=restore", "cara=face", "rostro=face", "visage=face", "gesicht=face",
                                 "viso=face", "volto=face", "mejora=enhance", "ameliore=enhance",
                                 "verbessere=enhance", "migliora=enhance", "rosto=face", "rostos=faces",
                                 "rostros=faces", "caras=faces", "visages=faces", "gesichter=faces", "volti=faces",
                                 "gezicht=face", "gezichten=faces", "herstel=restore", "twarz=face", "twarze=faces",
                                 "przywroc=restore", "odnow=restore", "yuz=face", "yuzu=face", "yuzler=faces",
                                 "yuzleri=faces", "onar=restore", "ansikte=face", "ansiktet=face",
                                 "ansikten=faces", "aterstall=restore", "melhora=enhance", "verbeter=enhance",
                                 "popraw=enhance", "iyilestir=enhance", "forbattra=enhance"))

SPEC = ToolSpec(
    name="restore_face", summary="Restore the faces in a photo (denoise, contrast, detail); the rest is untouched.",
    description="Restore and clean up the faces in a photo (denoise, detail, contrast) inside a face mask.",
    args_model=RestoreArgs, images=(ImageRole("image", min_size=32, description="a photo with faces",
                                                     max_pixels=24_000_000),),
    run=run, present=present, backends=RESTORE_BACKENDS + LANDMARK_BACKENDS, examples=EXAMPLES, hints=HINTS,
    describe_run=lambda record: "restored face portrait", version="1.0",
)
