"""The ``sketchify`` tool: validate, call the pipeline, measure, report the backend."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from atelier.tools.core.config import Settings
from atelier.tools.core.images import LoadedImage
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec


class SketchifyArgs(BaseModel):
    """Arguments of ``sketchify``."""

    model_config = ConfigDict(extra="forbid")

    ai_strength: float = Field(0.35, ge=0.0, le=1.0,
                               description="share of shading in the blend: 0.35 = 35 % shading, 65 % lines")
    grain: float = Field(0.25, ge=0.0, le=1.0, description="graphite grain inside strokes (0 = none)")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="grain seed: same image + seed = same pixels")
    contrast: float = Field(1.05, ge=0.5, le=2.0, description="final contrast")
    backend: Literal["auto", "classical", "learned"] = Field(
        "auto", description="shading backend; auto = config `backends.sketch_shading` (default classical)")


def _backends(settings: Settings) -> list[BackendStatus]:
    from .backends import shading_statuses

    lines = BackendStatus("sketchify", "lines", "colour-dodge", True, True, None, "built in")
    return [lines, *shading_statuses(settings)]


def run(images: dict[str, LoadedImage], args: SketchifyArgs, ctx: ToolContext) -> ToolOutput:
    from .backends import get_shading_backend, resolve_name
    from .lines import dodge_kernel_size, to_gray
    from .metrics import sketch_metrics
    from .pipeline import SketchParams, sketch

    photo = images["image"]
    name = resolve_name(args.backend, ctx.settings)
    shading = None
    if args.ai_strength > 0:
        with ctx.stage("load_backend"):
            shading = get_shading_backend(name, ctx.settings)
    ctx.progress(0.1, "drawing")
    params = SketchParams(ai_strength=args.ai_strength, grain=args.grain, seed=args.seed, contrast=args.contrast)
    result = sketch(photo.pixels, shading, params, stage=ctx.stage)
    ctx.progress(0.8, "measuring")
    with ctx.stage("metrics"):
        metrics = sketch_metrics(result, to_gray(photo.pixels))
    metrics["seconds"] = round(sum(v for k, v in ctx.timings.items() if k != "load"), 4)
    backend = name if shading is not None else "lines-only"
    return ToolOutput(
        backend=backend,
        backends={"lines": "colour-dodge", "shading": name if shading is not None else "none"},
        outputs={"width": photo.width, "height": photo.height, "ai_strength": args.ai_strength,
                 "seed": args.seed, "dodge_kernel": dodge_kernel_size(photo.height, photo.width)},
        images={"image": result},
        metrics=metrics,
    )


SPEC = ToolSpec(
    name="sketchify",
    summary="Photo -> pencil sketch: colour-dodge line art blended with shading, graphite grain, white paper.",
    args_model=SketchifyArgs,
    images=(ImageRole("image", min_size=16, description="the photo to sketch"),),
    run=run,
    backends=_backends,
    version="1.0",
)
