"""The ``open_eyes`` tool: detect → align → mask → inpaint → feather back → optional restore, face by face.

One face failing never sinks the others: its error is recorded in ``faces[i].error``. With nothing to open
the eyes from (no reference, no open eye to mirror, no SDXL) the call fails with ``NEEDS_REFERENCE`` and
says what to attach or install; it never hands the input back as done.
"""

from __future__ import annotations

import json
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from atelier.core.backends import Backend, choose
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import ImageRole, ToolContext, ToolOutput, ToolSpec
from atelier.tools.faces.landmarks import LANDMARK_BACKENDS

from .backends.sdxl import sdxl_note
from .measure import CLOSED_BELOW
from .planning import OPEN_EXAMPLES, OPEN_HINTS, present_opened
from .video import VideoInput, read_video_input

NEEDS = ("attach a second photo of the same person with open eyes (a burst shot or another frame) as the "
         "reference, or install SDXL inpainting weights with `atelier models add sdxl-base PATH`")


class OpenEyesArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "reference", "mirror", "sdxl"] = Field(
        "auto", description="auto: reference when one is attached, else SDXL when installed, else mirror")
    landmarks: Literal["auto", "mediapipe", "insightface"] = "auto"
    threshold: float = Field(CLOSED_BELOW, gt=0.0, lt=0.5, description="eye score below which an eye is closed")
    eyes: Literal["closed", "both"] = Field("closed", description="open only the closed eyes, or redo both")
    feather: float = Field(25.0, ge=0.0, le=200.0,
                           description="blend feather in px of the working frame (eyes 256 px apart)")
    restore: Literal["none", "classical", "codeformer"] = "none"
    preset: Literal["default", "fast", "hq", "blue_eyes"] = Field("default", description="sdxl only")
    steps: int | None = Field(None, ge=1, le=150, description="sdxl only: overrides the preset's steps")
    variations: int = Field(1, ge=1, le=8, description="sdxl only: results with seeds seed, seed+1, ...")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    verbose: bool = Field(False, description="keep crops, masks, patches and the face JSON in the run folder")


INPAINT_BACKENDS = (
    Backend("inpaint", "reference", "built in: the eyes of an attached same-person photo, aligned and colour-matched"),
    Backend("inpaint", "sdxl", "SDXL inpainting (+ refiner)", models=("sdxl-base",), packages=("diffusers",),
            probe=sdxl_note, resources={"GPU": 1}),
    Backend("inpaint", "mirror", "built in: the face's open eye, mirrored onto the closed one"),
)


def _inpainter_for(requested: str, has_ref: bool, settings) -> str:
    """auto: the reference when one is attached, else SDXL when installed, else the mirror (one eye open)."""
    prefer = ("reference",) if has_ref else ("sdxl", "mirror")
    return choose(INPAINT_BACKENDS, "inpaint", requested, settings, prefer=prefer, tool="open_eyes").name


def _build_inpainter(name: str, images: dict[str, LoadedImage], args: OpenEyesArgs, ctx: ToolContext, landmarker):
    """The call's inpainter; built when the first face needs it (SDXL pipelines are cached across calls)."""
    if name == "reference":
        if "ref" not in images:
            raise ToolError(ErrorCode.NEEDS_REFERENCE, f"the reference backend needs a reference photo: {NEEDS}")
        from .backends.reference import ReferenceInpainter

        ref = images["ref"].pixels
        with ctx.stage("reference_landmarks"):
            return ReferenceInpainter(ref, landmarker.detect(ref), args.threshold)
    if name == "mirror":
        from .backends.mirror import MirrorInpainter

        return MirrorInpainter(args.threshold)
    if name == "sdxl":
        from .backends.sdxl import SDXLInpainter

        with ctx.stage("load_sdxl"):
            return SDXLInpainter(ctx.settings, args.preset, args.steps)
    raise ToolError(ErrorCode.BAD_ARGUMENT, f"unknown open_eyes backend {name!r}")


def _open_face(job, inpainter, seeds: list[int], results: list[np.ndarray], ctx: ToolContext) -> np.ndarray:
    """Inpaint one face once per seed and paste each into its variation; returns the first patch."""
    from atelier.tools.faces.blend import paste

    alpha = job.alpha
    patches = []
    for seed in seeds:
        with ctx.stage(f"inpaint_{inpainter.name}"):
            # test hook: an inpainter that changes nothing, so the self-check meets a face still closed
            patches.append(job.frame.copy() if ctx.hooks.get("inpaint_unchanged") else inpainter.inpaint(job, seed))
    with ctx.stage("blend"):
        for k, patch in enumerate(patches):
            results[k] = paste(results[k], patch, alpha, job.alignment)
    return patches[0]


def run(images: dict[str, LoadedImage], args: OpenEyesArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.tools.faces.geometry import align_eyes, eye_centre, warp_to_frame
    from atelier.tools.faces.landmarks import find_faces, landmark_backend, load_landmarker

    from .backends import EyeJob
    from .measure import face_record

    marks = landmark_backend(args.landmarks, ctx.settings, "open_eyes")
    landmarker = load_landmarker(marks, ctx.settings)
    if isinstance(images["image"], VideoInput):
        return _open_clip(images, args, ctx, landmarker)
    image = images["image"].pixels
    with ctx.stage("detect"):
        faces = find_faces(image, landmarker)
    records = [face_record(face, i, args.threshold, image) for i, face in enumerate(faces)]
    name = _inpainter_for(args.backend, "ref" in images, ctx.settings)
    inpainter = None
    variations = args.variations if name == "sdxl" else 1
    results = [image] * variations
    verbose: dict[str, np.ndarray] = {}
    jobs: dict[int, object] = {}
    for i, (face, record) in enumerate(zip(faces, records, strict=True)):
        sides = ["right", "left"] if args.eyes == "both" else list(record["closed_eyes"])
        if not sides:
            record.update(opened=[], error=None)
            continue
        ctx.progress(i / len(faces), f"opening the eyes of face {i + 1} of {len(faces)}")
        record["backend"] = name
        try:
            if i in ctx.hooks.get("fail_faces", ()):  # a test hook (run_tool(hooks=...)), not an argument
                raise ToolError(ErrorCode.INTERNAL, f"face {i} failed on purpose (fail_faces)")
            inpainter = inpainter or _build_inpainter(name, images, args, ctx, landmarker)
            with ctx.stage("align"):
                alignment = align_eyes(eye_centre(face.right_eye), eye_centre(face.left_eye))
                job = EyeJob(warp_to_frame(image, alignment), alignment, face, sides, args.feather)
            seeds = [args.seed + 1000 * i + k for k in range(variations)]
            patch = _open_face(job, inpainter, seeds, results, ctx)
            record.update(opened=sides, seeds=seeds, error=None, attempts=[name])
            if job.report:
                record["transplant"] = job.report
            jobs[i] = job
            if args.verbose:
                verbose.update({f"face{i}_crop": job.frame, f"face{i}_mask": (job.alpha * 255).astype(np.uint8),
                                f"face{i}_patch": patch, f"face{i}_blended": warp_to_frame(results[0], alignment)})
        except ToolError as exc:
            record.update(opened=[], error={"code": str(exc.code), "message": exc.message})
        except Exception as exc:  # one face's bug must not sink the others; it is reported on the face
            record.update(opened=[], error={"code": str(ErrorCode.INTERNAL), "message": f"{type(exc).__name__}: {exc}"})
    wanted = [r for r in records if "backend" in r]
    if any(r["error"] is None for r in wanted):
        with ctx.stage("verify"):
            results = _self_check(results, image, images, records, jobs, name, args, ctx, landmarker)
    ok = [r for r in wanted if r["error"] is None]
    failed = [r for r in wanted if r["error"] is not None]
    summary = {"faces": records, "closed_count": sum(1 for r in records if r["closed_eyes"]),
               "opened_faces": len(ok), "failed_faces": len(failed)}
    if wanted and not ok:
        first = failed[0]["error"]
        raise ToolError(ErrorCode(first["code"]), f"no face could be opened: {first['message']}", outputs=summary)
    warnings = [f"face {r['index']}: {r['error']['message']}" for r in failed]
    unverified = [r for r in ok if not r.get("verified_open")]
    if unverified:
        warnings.append("still reads as closed after opening (tried " + "; ".join(
            f"face {r['index'] + 1}: {', '.join(r['attempts'])}" for r in unverified) + ")")
    if not wanted:
        warnings.append("no closed eyes found, so nothing was changed; set eyes=both to redo open eyes")
    if args.variations > 1 and variations == 1:
        warnings.append(f"variations need the sdxl backend; {name} gives one result")
    if args.restore != "none" and ok:
        from atelier.tools.restore import make_restorer, restore_faces

        restorer = make_restorer(args.restore, ctx.settings)
        opened = [faces[r["index"]] for r in ok]
        with ctx.stage("restore"):
            results = [restore_faces(res, opened, restorer)[0] for res in results]
    variation_images = {f"variation_{k + 1}": res for k, res in enumerate(results)} if variations > 1 else {}
    used = name if ok else "none"
    face_meta = [{k: r.get(k) for k in ("index", "backend", "opened", "seeds", "error", "verified_open", "attempts")}
                 for r in records]
    return ToolOutput(
        backend=used, backends={"landmarks": marks, "inpaint": used, "restore": args.restore},
        outputs={**summary, "changed": bool(ok)}, images={"image": results[0], **variation_images, **verbose},
        metrics={"faces_ok": len(ok), "faces_failed": len(failed), "faces": len(records),
                 "faces_verified_open": sum(1 for r in ok if r.get("verified_open")),
                 "seconds_per_face": round(sum(v for k, v in ctx.timings.items() if k != "load")
                                           / max(1, len(wanted)), 4)},
        warnings=warnings, metadata={"faces": face_meta},
        texts={"faces.json": json.dumps(records, indent=2)} if args.verbose else {},
    )


def _open_clip(images: dict[str, LoadedImage], args: OpenEyesArgs, ctx: ToolContext, landmarker) -> ToolOutput:
    """A clip is opened from its own open-eye frames (the reference transplant); other backends and a
    reference photo do not apply to it."""
    from .video import open_clip

    if args.backend not in ("auto", "reference"):
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"a video is opened from its own open-eye frames (backend auto or "
                        f"reference), not with {args.backend}")
    output = open_clip(images["image"], landmarker, args, ctx)
    if "ref" in images:
        output.warnings.append("a clip is opened from its own frames; the reference photo was not used")
    if args.restore != "none":
        output.warnings.append("restore is not applied to videos")
    return output


def verify_faces(result: np.ndarray, records: list[dict], landmarker, threshold: float,
                 per_face: dict[int, float] | None = None) -> dict[int, dict]:
    """Detect again on ``result``: per opened face record, whether each eye it opened now reads as open
    (score at least ``threshold``, or that face's own threshold in ``per_face``).

    A face is found again by its eye centres (nearest, within a third of its inter-ocular distance);
    a face no longer found is not verified."""
    from .measure import face_record

    found = [face_record(f, k, threshold) for k, f in enumerate(landmarker.detect(result))]
    answers: dict[int, dict] = {}
    for r in records:
        if not r.get("opened"):
            continue
        centre = np.mean([r["right_eye"]["centre"], r["left_eye"]["centre"]], axis=0)
        near = min(found, default=None, key=lambda g: float(np.hypot(*(np.mean(
            [g["right_eye"]["centre"], g["left_eye"]["centre"]], axis=0) - centre))))
        if near is None or np.hypot(*(np.mean([near["right_eye"]["centre"], near["left_eye"]["centre"]], axis=0)
                                      - centre)) > r["inter_ocular_px"] / 3:
            answers[r["index"]] = {"verified_open": False, "scores_after": None}
            continue
        scores = {side: near[f"{side}_eye"]["score"] for side in r["opened"]}
        bar = (per_face or {}).get(r["index"], threshold)
        answers[r["index"]] = {"verified_open": all(v >= bar for v in scores.values()), "scores_after": scores}
    return answers


def _fallbacks(used: str, args: OpenEyesArgs, has_ref: bool, settings) -> list[str]:
    """The other inpainters worth a second try for a face that still reads closed (auto only)."""
    if args.backend != "auto":
        return []
    from atelier.core.backends import statuses

    available = {s.backend for s in statuses("open_eyes", INPAINT_BACKENDS, settings) if s.available}
    order = (["reference"] if has_ref else []) + ["sdxl", "mirror"]
    return [n for n in order if n != used and n in available]


def _self_check(results, image, images, records, jobs, name, args, ctx, landmarker):
    """Re-detect every opened face; a face still closed gets the next SDXL variation, then the next
    backend; each face records ``verified_open`` and the ``attempts`` made."""
    from atelier.tools.faces.blend import paste
    from atelier.tools.faces.geometry import warp_to_image

    answers = verify_faces(results[0], records, landmarker, args.threshold)
    for index, answer in answers.items():
        records[index].update(answer)
    pending = [i for i, a in answers.items() if not a["verified_open"] and i in jobs]
    if ctx.hooks.get("no_retry"):
        pending = []
    for k in range(1, len(results)):  # SDXL: another variation of the same face may read open
        if not pending:
            break
        answers_k = verify_faces(results[k], [records[i] for i in pending], landmarker, args.threshold)
        for i in list(pending):
            if answers_k.get(i, {}).get("verified_open"):
                reach = warp_to_image(jobs[i].alpha, jobs[i].alignment, image.shape[:2]) > 0
                results[0] = np.where(reach[..., None], results[k], results[0])
                records[i].update(answers_k[i], attempts=records[i]["attempts"] + [f"{name} variation {k + 1}"])
                pending.remove(i)
    for other in _fallbacks(name, args, "ref" in images, ctx.settings):
        if not pending:
            break
        try:
            inpainter = _build_inpainter(other, images, args, ctx, landmarker)
        except ToolError:
            continue
        trial = results[0]
        tried = []
        for i in pending:
            try:
                patch = inpainter.inpaint(jobs[i], args.seed + 1000 * i)
            except ToolError:
                continue
            trial = paste(trial, patch, jobs[i].alpha, jobs[i].alignment)
            tried.append(i)
        if not tried:
            continue
        answers_o = verify_faces(trial, [records[i] for i in tried], landmarker, args.threshold)
        for i in tried:
            records[i]["attempts"] = records[i]["attempts"] + [other]
            if answers_o[i]["verified_open"]:
                reach = warp_to_image(jobs[i].alpha, jobs[i].alignment, image.shape[:2]) > 0
                results[0] = np.where(reach[..., None], trial, results[0])
                records[i].update(answers_o[i], backend=other)
                pending.remove(i)
    return results


SPEC = ToolSpec(
    name="open_eyes",
    summary="Open closed eyes in a photo, from a same-person reference photo, the other eye, or SDXL.",
    description="Open closed eyes in a photo, using a reference photo of the same person or a generative model.",
    args_model=OpenEyesArgs,
    images=(ImageRole("image", min_size=32, description="the photo (or short video) with closed eyes",
                      max_pixels=24_000_000, reader=read_video_input),
            ImageRole("ref", required=False, min_size=32, description="the same person with open eyes",
                      max_pixels=24_000_000, downscale=True)),
    run=run, present=present_opened, backends=INPAINT_BACKENDS + LANDMARK_BACKENDS, examples=OPEN_EXAMPLES,
    hints=OPEN_HINTS, describe_run=lambda record: "opened eyes portrait", controls=("seed",),
    defaults=("variations",), version="1.0",
)
