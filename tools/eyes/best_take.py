"""The ``best_take`` tool: from 2–10 photos of the same group taken moments apart, one photo where every
eye is open. The first photo is the base; the others are aligned to it (feature homography), faces are
matched across frames by position, and each face closed in the base takes its eyes from the frame where
that person's eyes are most open, through the colour-true transplant; then every face is checked again."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from atelier.core.cards import Card, CardImage, Row, Table
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import ImageRole, PlannerHints, Rule, ToolContext, ToolOutput, ToolSpec
from atelier.tools.faces.landmarks import LANDMARK_BACKENDS

from .measure import CLOSED_BELOW
from .planning import EYES, eye_box

MAX_FRAMES = 10
FRAME_ROLES = tuple(f"frame_{k}" for k in range(1, MAX_FRAMES))


class BestTakeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    landmarks: Literal["auto", "mediapipe", "insightface"] = "auto"
    threshold: float = Field(CLOSED_BELOW, gt=0.0, lt=0.5, description="eye score below which an eye is closed")
    feather: float = Field(25.0, ge=0.0, le=200.0, description="blend feather in px of the working frame")
    align: bool = Field(True, description="align the frames to the base by a feature homography")


def combine(base: np.ndarray, frames: list[np.ndarray], landmarker, args: BestTakeArgs, ctx: ToolContext | None = None
            ) -> tuple[np.ndarray, list[dict[str, Any]], list[dict[str, Any]]]:
    """The base with every closed face's eyes taken from its most-open frame; (image, faces, frames).

    ``frames[0]`` is the base itself; faces are numbered left to right in the base. A face closed in the base
    (global threshold) is opened from its most open take, and checked against what open is for that person
    in this burst (``person_threshold``, recorded as ``open_threshold``)."""
    from atelier.tools.faces.blend import paste
    from atelier.tools.faces.geometry import align_eyes, eye_centre, warp_to_frame
    from atelier.tools.faces.landmarks import find_faces

    from .backends import EyeJob, transplant_eye
    from .burst import align_to_base, best_frame, match_face, openness, person_threshold, warp_frame
    from .measure import face_record
    from .open import verify_faces

    faces = find_faces(base, landmarker)
    aligned, frame_info = [base], [{"frame": 1, "role": "image", "matches": None, "inliers": None, "shift_px": 0.0}]
    for k, frame in enumerate(frames[1:], start=2):
        fa = align_to_base(base, frame) if args.align else None
        aligned.append(warp_frame(frame, fa, base.shape[:2]) if fa is not None else frame)
        frame_info.append({"frame": k, "role": FRAME_ROLES[k - 2], "matches": fa.matches if fa else None,
                           "inliers": fa.inliers if fa else None, "shift_px": round(fa.shift_px, 1) if fa else 0.0})
    found = [faces] + [landmarker.detect(img) for img in aligned[1:]]
    out = base.copy()
    records, bars = [], {}
    for i, face in enumerate(faces):
        record = face_record(face, i, args.threshold)
        takes = [face] + [match_face(face, found[k]) for k in range(1, len(aligned))]
        scores = [None if t is None else openness(t, args.threshold)[1] for t in takes]
        bars[i] = person_threshold(scores, args.threshold)
        record.update(frame_scores=[None if s is None else round(s, 5) for s in scores],
                      open_threshold=round(bars[i], 5), from_frame=1, opened=[], error=None)
        # a blink shuts both eyes, and one may still read open by a hair: both come from the same take
        sides = ["right", "left"] if record["closed_eyes"] else []
        if sides:
            if ctx is not None:
                ctx.progress(i / len(faces), f"face {i + 1} of {len(faces)}: finding its best frame")
            k = best_frame([None, *scores[1:]], bars[i])
            if k is None:
                record["error"] = {"code": str(ErrorCode.NEEDS_REFERENCE),
                                   "message": "no frame shows this person with both eyes open"}
            else:
                alignment = align_eyes(eye_centre(face.right_eye), eye_centre(face.left_eye))
                job = EyeJob(warp_to_frame(base, alignment), alignment, face, sides, args.feather)
                patch = job.frame.copy()
                for side in sides:
                    transplant_eye(aligned[k], takes[k], job, side, patch, target_closed=True, seed=i)
                out = paste(out, patch, job.alpha, alignment)
                record.update(from_frame=k + 1, opened=sides, transplant=job.report)
        records.append(record)
    for index, answer in verify_faces(out, records, landmarker, args.threshold, bars).items():
        records[index].update(answer)
    return out, records, frame_info


def run(images: dict[str, LoadedImage], args: BestTakeArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.tools.faces.landmarks import landmark_backend, load_landmarker

    frames = [images["image"].pixels] + [images[r].pixels for r in FRAME_ROLES if r in images]
    if len(frames) < 2:
        raise ToolError(ErrorCode.BAD_ARGUMENT, "best_take needs 2 to 10 photos of the same group: the base photo "
                        "as image and the others as frame_1, frame_2, ...")
    if any(f.shape[:2] != frames[0].shape[:2] for f in frames[1:]):
        shapes = ", ".join(f"{f.shape[1]}×{f.shape[0]}" for f in frames)
        ctx_warn = f"the photos differ in size ({shapes}); each is aligned onto the base"
    else:
        ctx_warn = ""
    marks = landmark_backend(args.landmarks, ctx.settings, "best_take")
    landmarker = load_landmarker(marks, ctx.settings)
    with ctx.stage("combine"):
        out, records, frame_info = combine(frames[0], frames, landmarker, args, ctx)
    opened = [r for r in records if r["opened"]]
    unverified = [r for r in opened if not r.get("verified_open")]
    stuck = [r for r in records if r["error"]]
    warnings = [ctx_warn] if ctx_warn else []
    warnings += [f"face {r['index'] + 1}: {r['error']['message']}" for r in stuck]
    warnings += [f"face {r['index'] + 1} still reads as closed after taking frame {r['from_frame']}"
                 for r in unverified]
    if not any(r["closed_eyes"] for r in records):
        warnings.append("no closed eyes in the base photo, so it is returned unchanged")
    return ToolOutput(
        backend="reference", backends={"landmarks": marks, "inpaint": "reference"},
        outputs={"faces": records, "frames": frame_info, "changed": bool(opened),
                 "from_frames": [r["from_frame"] for r in records]},
        images={"image": out},
        metrics={"faces": len(records), "frames": len(frames), "faces_opened": len(opened),
                 "faces_verified_open": sum(1 for r in opened if r.get("verified_open")),
                 "faces_without_open_frame": len(stuck),
                 "seconds_per_face": round(ctx.timings.get("combine", 0.0) / max(1, len(records)), 4)},
        warnings=warnings,
    )


def present(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out, m = result["outputs"], result["metrics"]
    faces = out.get("faces", [])
    if not out.get("changed"):
        sentence = "No closed eyes in the first photo, so it is returned as it was."
    else:
        sentence = (f"One photo from {m.get('frames')}: {m.get('faces_opened')} face"
                    f"{'s' if m.get('faces_opened') != 1 else ''} took their eyes from another frame.")
        bad = [f for f in faces if f.get("opened") and not f.get("verified_open")]
        if bad:
            sentence += " Not verified: " + ", ".join(f"face {f['index'] + 1}" for f in bad) + " still read as closed."
    stuck = [f for f in faces if f.get("error")]
    if stuck:
        sentence += " No open frame for " + ", ".join(f"face {f['index'] + 1}" for f in stuck) + "."
    rows = []
    for f in faces:
        if f.get("opened"):
            done = f"eyes from photo {f['from_frame']}" + ("" if f.get("verified_open") else "; still reads closed")
        elif f.get("error"):
            done = f"left closed: {f['error']['message']}"
        else:
            done = "open in the first photo"
        rows.append((f"face {f['index'] + 1}", done))
    images = [CardImage(inputs["image"], "first photo", "before")] if inputs.get("image") else []
    images.append(CardImage(result["artifacts"]["image"], "best take"))
    for f in faces:
        if f.get("opened") and inputs.get("image"):
            box = eye_box(f)
            images += [CardImage(inputs["image"], f"face {f['index'] + 1}: before", "detail", crop=box),
                       CardImage(result["artifacts"]["image"], f"face {f['index'] + 1}: after", "detail", crop=box)]
    return Card("Best take", sentence, [Row("Landmarks", result.get("backends", {}).get("landmarks", ""))], images,
                [Table("Faces", ("face", "eyes"), tuple(rows))])


EXAMPLES = (
    "make one photo where everyone's eyes are open", "combine these shots so nobody is blinking",
    "best take from this burst", "merge the burst so all eyes are open", "pick the best eyes from these photos",
    "someone blinks in every shot, make one good group photo",
)
# several shots of one group, asked for as one result: read over the whole request, because the eye words and
# the "make one good one" are often in different sentences ("in each one someone blinked. merge them")
EYES_SAID = r"\b(eyes?|blink\w*|blinkers?|awake|eyelids?|shut|closed)\b"
ONE_RESULT = (r"\b(merge|combine|composite|into one|a single|one (good |final |nice )?(group )?"
              r"(photo|picture|shot|image|version|frame)|a (good |final )?(version|group shot|group photo)|"
              r"into a good one|"
              r"the base|take the good|"
              r"the best (eyes|faces)|best faces|across (these|the|all)|"
              r"(make|give me|create|build) (me )?one (where|in which|with)|"
              r"one where)\b")
GROUP = (r"\b(everyone|everybody|nobody|no one|somebody|someone|all eyes|every eye|we all|all of us|group|team|"
         r"family|burst|in a row|apart|the others|the other (two|three|four|ones))\b")
EACH_ONE = (r"\b(?:open|fix|unblink|correct)\b[^.;]*\b(?:in|on|for|to) (?:each|every|all)\b(?: (?:single )?one)?"
            r"(?: of)?(?: (?:these|those|them|the|my|two|three|four|five))?"
            r"(?: (?:photos?|pictures?|images?|shots?|pics?))?")
NAMED_REF = (r"\b(reference|ref|as a guide|(photo|picture|image|pic|shot|one|first|second|third|last|"
             r"other)( [a-d\d])?'s eyes|"
             r"eyes (from|of|in) (the |picture |photo |image )?(first|second|third|"
             r"last|other|[a-d]\b|\d))\b|\b(photo|picture|image|pic|shot) [a-d]\b")
HINTS = PlannerHints(
    rules=(Rule(27, all=(r"\bbest[- ]take\b",)),
           Rule(27, all=(rf"{EYES_SAID}|{ONE_RESULT}|\bfix\b",), request_all=(EYES_SAID, ONE_RESULT),
                request_none=(NAMED_REF,)),
           Rule(27, all=(rf"{EYES_SAID}|\bfix\b",), request_all=(EYES_SAID, GROUP), request_none=(NAMED_REF, EACH_ONE)),
           Rule(27, all=(r"\b(merge|combine|composite)\b.*\b(them|these|those|the (two|three|four|five|shots|photos|"
                         r"pictures|frames))\b|\b(them|these|those)\b.*\binto one\b",),
                none=(r"\b(style|look|colou?rs|palette|vibe|feel)\b",)),
           Rule(29, all=(rf"{EYES}|\bblink|best take|nobody|no one|everyone",
                         r"\b(burst|best take|these (photos|shots|pictures|frames)"
                         r"|(one|a single) (good )?(group )?(photo|picture|shot|image)"
                         r"|combine|merge|from (the|these|all|several) (photos|shots|frames))\b"),
                none=(rf"{EACH_ONE}(?!.*\b(one|single|merge|combine)\b)",)),),
    vocabulary=("burst", "take", "combine", "merge", "eyes", "blink", "photos",
                # other languages' words (the planner translates them before reading)
                "junta=combine", "juntar=combine", "combina=combine", "combinar=combine",
                "fusiona=merge", "fusionne=merge", "fusionner=merge", "kombiniere=combine", "vereine=merge",
                "unisci=merge", "combinare=combine", "fundir=merge", "combineer=combine", "samenvoegen=merge",
                "polacz=merge", "birlestir=merge", "sla ihop=merge", "kombinera=combine"),
)

SPEC = ToolSpec(
    name="best_take",
    summary="One group photo where everyone's eyes are open, from 2-10 shots of a burst.",
    description="Combine several photos of the same group taken moments apart into one where every eye is open.",
    args_model=BestTakeArgs,
    images=(ImageRole("image", min_size=32, description="the base photo of the group", max_pixels=24_000_000),
            *(ImageRole(r, required=False, min_size=32, description=f"photo {k + 2} of the same burst",
                        max_pixels=24_000_000) for k, r in enumerate(FRAME_ROLES))),
    run=run, present=present, backends=LANDMARK_BACKENDS, examples=EXAMPLES, hints=HINTS,
    describe_run=lambda record: "best take burst eyes open group photo", version="1.0",
)
