"""The ``stylize`` tool: restyle an image after a reference, keeping its structure."""

from __future__ import annotations

import functools
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.images import LoadedImage
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec


class StylizeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "palette", "diffusion"] = Field("auto", description="auto = palette (CPU)")
    strength: float = Field(1.0, ge=0.0, le=1.0, description="how much of the restyle to keep (0 = the input)")
    mode: Literal["auto", "line_art", "photo"] = Field("auto", description="palette mapping or Lab transfer")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    steps: int = Field(20, ge=1, le=150, description="diffusion only: denoising steps")
    side: int = Field(512, ge=64, le=1536, description="diffusion only: working size of the long side (multiple of 8)")


def _chosen(requested: str, settings: Settings) -> str:
    return settings.backend_for("stylize", "palette") if requested == "auto" else requested


def _backends(settings: Settings) -> list[BackendStatus]:
    from .diffusion import status

    default = _chosen("auto", settings)
    return [BackendStatus("stylize", "restyle", "palette", True, default == "palette", None,
                          "built in: palette mapping for line art, Reinhard Lab transfer for photos"),
            status(settings, default == "diffusion")]


@functools.cache
def _library_pixels(home: str) -> dict[str, str]:
    """sha256 of each library reference's pixels -> style name (to say which style a reference is)."""
    from pathlib import Path

    from atelier.knowledge.styles import StyleLibrary
    from atelier.tools.core.images import load_image

    return {hashlib.sha256(load_image(c.image).pixels.tobytes()).hexdigest(): c.name
            for c in StyleLibrary.load(Path(home)).cards}


def run(images: dict[str, LoadedImage], args: StylizeArgs, ctx: ToolContext) -> ToolOutput:
    from .palette import structure_f1, style_distance, stylize_palette

    backend = _chosen(args.backend, ctx.settings)
    if backend == "diffusion":
        from .diffusion import status

        state = status(ctx.settings)
        if not state.available:
            raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"stylize backend 'diffusion' cannot run: {state.reason}")
    if "ref" not in images:
        raise ToolError(ErrorCode.NEEDS_REFERENCE, "stylize needs a style reference: name a style "
                        "(\"make it cyberpunk\") or attach a reference image")
    image, ref = images["image"].pixels, images["ref"].pixels
    style = _library_pixels(str(ctx.settings.home)).get(hashlib.sha256(ref.tobytes()).hexdigest())
    if backend == "diffusion":
        from .diffusion import DiffusionParams, stylize_diffusion

        prompt = f"{style} style artwork" if style else "artwork in the style of the reference image"
        with ctx.stage("restyle"):
            out = stylize_diffusion(image, ref, prompt, ctx.settings, args.seed,
                                    DiffusionParams(steps=args.steps, side=args.side))
            if args.strength < 1.0:
                out = (out * args.strength + image * (1 - args.strength) + 0.5).astype("uint8")
        mode = "controlnet"
    else:
        with ctx.stage("restyle"):
            out, mode = stylize_palette(image, ref, args.strength, args.mode, args.seed)
    with ctx.stage("metrics"):
        before, after = style_distance(image, ref), style_distance(out, ref)
        f1 = structure_f1(out, image)
    return ToolOutput(
        backend=backend, backends={"restyle": backend},
        outputs={"mode": mode, "style": style, "width": int(out.shape[1]), "height": int(out.shape[0])},
        images={"image": out},
        metrics={"structure_f1": None if f1 is None else round(f1, 4), "style_distance_before": round(before, 4),
                 "style_distance_after": round(after, 4)},
    )


SPEC = ToolSpec(
    name="stylize", summary="Restyle an image after a reference image while keeping its structure and lines.",
    args_model=StylizeArgs,
    images=(ImageRole("image", min_size=16, description="the image to restyle"),
            ImageRole("ref", required=False, min_size=8, description="the style reference")),
    run=run, backends=_backends, version="1.0",
)
