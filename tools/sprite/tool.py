"""The ``reconstruct_sprite`` tool: grid + clean sprite + difference, with manual overrides."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.images import LoadedImage
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec

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
    palette: list[str] | None = Field(None, description="snap colours to these hex colours, e.g. ['#000000']")
    top_k: int = Field(5, ge=1, le=20, description="grid candidates to report")
    tolerance: float = Field(32, ge=0, le=255, description="a pixel differs when off by more than this")

    @field_validator("palette")
    @classmethod
    def _hex(cls, value: list[str] | None) -> list[str] | None:
        for colour in value or []:
            text = colour.lstrip("#")
            if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
                raise ValueError(f"{colour!r} is not a #rrggbb colour")
        return value


def _backends(settings: Settings) -> list[BackendStatus]:
    return [BackendStatus("reconstruct_sprite", "grid", "edge-comb", True, True, None,
                          "built in: edge profiles, comb concentration, reconstruction error")]


def run(images: dict[str, LoadedImage], args: ReconstructSpriteArgs, ctx: ToolContext) -> ToolOutput:
    import numpy as np

    from .diff import cell_heatmap, diff_overlay
    from .reconstruct import Overrides, reconstruct

    img = images["image"]
    palette = tuple(tuple(int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)) for c in args.palette) \
        if args.palette else None
    overrides = Overrides(args.cell_size, args.cell_size_x, args.cell_size_y, args.offset_x, args.offset_y,
                          args.palette_size, palette)
    pixels = img.pixels if img.had_alpha else img.pixels[..., :3]
    with ctx.stage("reconstruct"):
        try:
            rec = reconstruct(pixels, overrides, args.top_k, args.tolerance)
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
        "candidates": [c.as_dict() for c in rec.candidates],
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
    args_model=ReconstructSpriteArgs,
    images=(ImageRole("image", mode="RGBA", min_size=4, description="the upscaled pixel art"),),
    run=run,
    backends=_backends,
    version="1.0",
)
