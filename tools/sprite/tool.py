"""The ``reconstruct_sprite`` tool: grid + clean sprite + difference, with manual overrides."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from atelier.core.backends import Backend
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import Command, ImageRole, ToolContext, ToolOutput, ToolSpec

from .planning import EXAMPLES, HINTS, describe_run, feedback, present

LOW_CONFIDENCE = 0.5


class ReconstructSpriteArgs(BaseModel):
    """Arguments of ``reconstruct_sprite``; every grid value is in input pixels."""

    model_config = ConfigDict(extra="forbid")

    cell_size: float | None = Field(None, ge=1.0, le=1024, description="override: input pixels per sprite pixel")
    cell_size_x: float | None = Field(None, ge=1.0, le=1024, description="override along x only")
    cell_size_y: float | None = Field(None, ge=1.0, le=1024, description="override along y only")
    offset_x: float | None = Field(None, ge=0, description="override: left edge of the first whole cell")
    offset_y: float | None = Field(None, ge=0, description="override: top edge of the first whole cell")
    palette_size: int | None = Field(None, ge=2, le=256, description="snap colours to a k-colour palette")
    palette: str | list[str] | None = Field(
        None, description="snap colours to a named palette (pico-8, nes, game-boy, endesga-32) or to these hex "
                          "colours, e.g. ['#000000', '#ffffff']")
    dither: bool = Field(False, description="ordered dithering when snapping to a palette (off: nearest colour)")
    rank: bool = Field(True, description="order grid candidates with the learned ranker when its weights exist")
    top_k: int = Field(5, ge=1, le=20, description="grid candidates to report")
    tolerance: float = Field(32, ge=0, le=255, description="a pixel differs when off by more than this")

    @field_validator("palette")
    @classmethod
    def _palette(cls, value: str | list[str] | None) -> str | list[str] | None:
        from .palettes import PALETTES, palette_key

        if isinstance(value, str):
            if palette_key(value) is None:
                raise ValueError(f"unknown palette {value!r}; named palettes: {', '.join(PALETTES)}")
            return value
        for colour in value or []:
            text = colour.lstrip("#")
            if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
                raise ValueError(f"{colour!r} is not a #rrggbb colour")
        return value


def run(images: dict[str, LoadedImage], args: ReconstructSpriteArgs, ctx: ToolContext) -> ToolOutput:
    import numpy as np

    from .diff import cell_heatmap, diff_overlay
    from .palettes import hex_to_rgb, named_palette
    from .reconstruct import Overrides, reconstruct

    img = images["image"]
    colours = None
    if isinstance(args.palette, str):
        colours = named_palette(args.palette)
    elif args.palette:
        colours = hex_to_rgb(args.palette)
    palette = tuple(tuple(int(v) for v in c) for c in colours) if colours is not None else None
    overrides = Overrides(args.cell_size, args.cell_size_x, args.cell_size_y, args.offset_x, args.offset_y,
                          args.palette_size, palette, args.dither)
    pixels = img.pixels if img.had_alpha else img.pixels[..., :3]
    with ctx.stage("reconstruct"):
        try:
            retrained = ctx.settings.models / "sprite" / "ranker.npz"
            rec = reconstruct(pixels, overrides, args.top_k, args.tolerance, rank=args.rank,
                              ranker_path=retrained if retrained.exists() else None)
        except ValueError as exc:
            raise ToolError(ErrorCode.BAD_ARGUMENT, str(exc)) from None
    with ctx.stage("artifacts"):
        overlay = diff_overlay(pixels, rec.diff, args.tolerance)
        heat = cell_heatmap(rec.diff, rec.xlines, rec.ylines)
    g = rec.grid
    warnings = []
    if rec.confidence < LOW_CONFIDENCE:
        warnings.append(f"low confidence ({rec.confidence:.2f}): this may not be pixel art, or the grid is unclear; "
                        "check the overlay or set cell_size")
    outputs = {
        "cell_size": round(g.cell_size, 4), "cell_size_x": round(g.cell_x, 4), "cell_size_y": round(g.cell_y, 4),
        "offset_x": round(g.offset_x, 3), "offset_y": round(g.offset_y, 3),
        "width": int(rec.sprite.shape[1]), "height": int(rec.sprite.shape[0]),
        "diff_percent": rec.metrics["diff_percent"], "mean_abs_diff": rec.metrics["mean_abs_diff"],
        "confidence": round(rec.confidence, 4), "is_pixel_art": rec.confidence >= LOW_CONFIDENCE,
        "candidates": [{**c.as_dict(), **sc} for c, sc in zip(rec.candidates, rec.scores, strict=False)],
        "ranked": rec.ranked,
        "overridden": {k: v for k, v in args.model_dump().items()
                       if k in ("cell_size", "cell_size_x", "cell_size_y", "offset_x", "offset_y") and v is not None},
        "colours": int(len(np.unique(rec.sprite.reshape(-1, rec.sprite.shape[2]), axis=0))),
    }
    if rec.palette is not None:
        outputs["palette"] = ["#" + "".join(f"{int(v):02x}" for v in c) for c in rec.palette]
    return ToolOutput(
        backend="edge-comb", backends={"grid": "edge-comb"}, outputs=outputs,
        images={"image": rec.sprite, "preview": rec.recon, "overlay": overlay, "heatmap": heat},
        metrics={**rec.metrics, "confidence": round(rec.confidence, 4), "cells": int(rec.sprite.shape[0] *
                                                                                      rec.sprite.shape[1])},
        warnings=warnings + rec.notes,
    )


SPEC = ToolSpec(
    name="reconstruct_sprite",
    summary="Upscaled or AI-made pixel art -> its true pixel grid (cell size, offsets) and the clean low-res sprite.",
    description="Recover the true pixel grid and the clean low-resolution sprite of upscaled pixel art.",
    args_model=ReconstructSpriteArgs,
    images=(ImageRole("image", mode="RGBA", min_size=4, description="the upscaled pixel art",
                        max_pixels=8_000_000),),
    run=run,
    present=present,
    backends=(Backend("grid", "edge-comb", "built in: edge profiles, comb concentration, reconstruction error"),),
    examples=EXAMPLES,
    hints=HINTS,
    describe_run=describe_run,
    controls=("cell_size", "offset_x", "offset_y"),
    feedback=feedback,
    commands=(Command("sprite", "feedback", "atelier.tools.sprite.commands:feedback"),
              Command("sprite", "train-ranker", "atelier.tools.sprite.commands:train_ranker")),
    version="1.0",
)
