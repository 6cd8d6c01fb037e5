"""The ``stylize`` tool: restyle an image after a reference, keeping its structure."""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.backends import choose
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import ImageRole, ToolContext, ToolOutput, ToolSpec

from .backends import RESTYLE_BACKENDS

if TYPE_CHECKING:
    import numpy as np
from .planning import STYLIZE_EXAMPLES, STYLIZE_HINTS, describe_stylized, present_stylized


class StylizeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "palette", "diffusion"] = Field(
        "auto", description="auto = palette: the style's classical renderer on the CPU")
    strength: float = Field(1.0, ge=0.0, le=1.0, description="how much of the restyle to keep (0 = the input)")
    mode: Literal["auto", "line_art", "photo"] = Field("auto", description="treat the input as line art or a photo")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    variations: int = Field(1, ge=1, le=8, description="how many outputs, with seeds seed, seed+1, ...")
    style: str | None = Field(None, max_length=60, description="a library style name: its renderer and "
                              "parameters, and its reference when none is attached")
    family: str | None = Field(None, max_length=30, description="override the renderer family")
    palette_size: int | None = Field(None, ge=2, le=256, description="colours, for palette-limited families "
                                     "(pixel art: \"16-colour pixel art\" = 16)")
    steps: int = Field(20, ge=1, le=150, description="diffusion only: denoising steps")
    side: int = Field(512, ge=64, le=1536, description="diffusion only: working size of the long side (multiple of 8)")


@functools.cache
def _library_pixels(home: str) -> dict[str, str]:
    """sha256 of each library reference's pixels -> style name (to say which style a reference is)."""
    from pathlib import Path

    from atelier.core.images import load_image
    from atelier.knowledge.styles import StyleLibrary

    return {hashlib.sha256(load_image(c.image).pixels.tobytes()).hexdigest(): c.name
            for c in StyleLibrary.load(Path(home)).cards}


def _card(home: str, name: str | None):
    from pathlib import Path

    from atelier.knowledge.styles import StyleLibrary

    return StyleLibrary.load(Path(home)).get(name) if name else None


def _reference(images: dict[str, LoadedImage], card) -> np.ndarray:
    from atelier.core.images import load_image

    if "ref" in images:
        return images["ref"].pixels
    if card is None:
        raise ToolError(ErrorCode.NEEDS_REFERENCE, "stylize needs a style reference: name a style "
                        "(\"make it cyberpunk\") or attach a reference image")
    try:
        return load_image(card.image).pixels
    except ToolError as exc:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"the reference of style {card.name!r} ({card.image}) cannot be "
                        f"read: {exc.message}") from exc


def _render_plan(card, args: StylizeArgs) -> tuple[str, dict, list[str]]:
    """(family, parameters, warnings) from the style card and the call's overrides."""
    from .renderers import FAMILIES, accepted

    family = args.family or (card.family if card else "transfer")
    if family not in FAMILIES:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"unknown renderer family {family!r}; known: {', '.join(FAMILIES)}")
    params = dict(card.params) if card and family == card.family else {}
    warnings = []
    if args.palette_size is not None:
        params["palette_size"] = args.palette_size
    kept, unknown = accepted(family, params)
    if "palette_size" in unknown:
        warnings.append(f"palette_size does not apply to the {family} renderer; ignored")
    return family, kept, warnings


def _palette(card, ref: np.ndarray, seed: int) -> np.ndarray:
    """The card's own palette when the reference is the card's rendered one (made from that palette), else
    the reference image's dominant colours (artworks and attached references)."""
    from .renderers.common import hex_palette, palette_from_image

    if card is not None and card.palette and not card.image.lower().endswith(".jpg"):
        return hex_palette(list(card.palette))
    return palette_from_image(ref[..., :3], 6, seed)


def run(images: dict[str, LoadedImage], args: StylizeArgs, ctx: ToolContext) -> ToolOutput:
    from .palette import is_line_art, structure_f1, style_distance

    backend = choose(RESTYLE_BACKENDS, "restyle", args.backend, ctx.settings, tool="stylize").name
    home = str(ctx.settings.home)
    named = _card(home, args.style)
    if args.style and named is None:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"no style named {args.style!r} in the library")
    image = images["image"].pixels
    ref = _reference(images, named)
    style = args.style or _library_pixels(home).get(hashlib.sha256(ref.tobytes()).hexdigest())
    card = named or _card(home, style)
    seeds = [args.seed + i for i in range(args.variations)]
    warnings: list[str] = []
    outputs: list = []
    if backend == "diffusion":
        from .diffusion import DiffusionParams, stylize_diffusion

        prompt = f"{style} style artwork" if style else "artwork in the style of the reference image"
        with ctx.stage("restyle"):
            for seed in seeds:
                out = stylize_diffusion(image, ref, prompt, ctx.settings, seed,
                                        DiffusionParams(steps=args.steps, side=args.side))
                if args.strength < 1.0:
                    out = (out * args.strength + image * (1 - args.strength) + 0.5).astype("uint8")
                outputs.append(out)
        mode, family = "controlnet", "diffusion"
    else:
        from .renderers import apply

        family, params, warnings = _render_plan(card, args)
        line_art = args.mode == "line_art" or (args.mode == "auto" and is_line_art(image))
        mode = "line_art" if line_art else "photo"
        with ctx.stage("restyle"):
            palette = _palette(card, ref, args.seed)
            for i, seed in enumerate(seeds):
                ctx.progress(i / len(seeds), f"{family} {i + 1}/{len(seeds)}")
                outputs.append(apply(family, image, palette, params, seed, line_art, args.strength))
    out = outputs[0]
    with ctx.stage("metrics"):
        before, after = style_distance(image, ref), style_distance(out, ref)
        f1 = structure_f1(out, image)
    named_images = {"image": out}
    if len(outputs) > 1:
        named_images.update({f"variation_{i + 1}": o for i, o in enumerate(outputs)})
    return ToolOutput(
        backend=backend, backends={"restyle": backend},
        outputs={"mode": mode, "style": style, "family": family, "seeds": seeds, "variations": len(outputs),
                 "width": int(out.shape[1]), "height": int(out.shape[0])},
        images=named_images, warnings=warnings,
        metrics={"structure_f1": None if f1 is None else round(f1, 4), "style_distance_before": round(before, 4),
                 "style_distance_after": round(after, 4)},
    )


SPEC = ToolSpec(
    name="stylize", summary="Restyle an image after a reference image while keeping its structure and lines.",
    description="Restyle an image after a reference image while keeping its structure and lines.",
    args_model=StylizeArgs,
    images=(ImageRole("image", min_size=16, description="the image to restyle", max_pixels=12_000_000),
            ImageRole("ref", required=False, min_size=8, description="the style reference",
                      max_pixels=4_000_000, downscale=True)),
    run=run, present=present_stylized, backends=RESTYLE_BACKENDS, examples=STYLIZE_EXAMPLES, hints=STYLIZE_HINTS,
    describe_run=describe_stylized, version="1.0",
)
