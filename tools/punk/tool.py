"""The ``describe_punk`` tool: every attribute of a punk portrait with a calibrated confidence, and a caption.
Native 24×24 punks are read directly; larger ones are first brought back to their 24×24 grid."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.backends import Availability, Backend
from atelier.core.config import Settings
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import Command, ImageRole, ToolContext, ToolOutput, ToolSpec

from .planning import EXAMPLES, HINTS, describe_run, present

BACKEND = "punk-mlp"


class DescribePunkArgs(BaseModel):
    """Arguments of ``describe_punk``."""

    model_config = ConfigDict(extra="forbid")

    palette_size: int = Field(5, ge=1, le=16, description="how many dominant colours to name")


def model_path(settings: Settings) -> Path:
    """A model trained by ``atelier punk train`` into ATELIER_MODELS wins over the one shipped in the package."""
    from .model import SHIPPED

    trained = settings.models / "punk" / "punk_mlp.npz"
    return trained if trained.exists() else SHIPPED


def _weights(settings: Settings) -> Availability:
    path = model_path(settings)
    if not path.exists():
        return Availability(False, str(path), f"no punk model at {path}; run `atelier punk train`")
    return Availability(True, str(path), "calibrated per-slot MLP, numpy inference")


def _model(ctx: ToolContext):
    from .model import model_at

    path = model_path(ctx.settings)
    if not path.exists():
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"no punk model at {path}; run `atelier punk train`")
    return model_at(path)


def _canonical_punk(img: LoadedImage, ctx: ToolContext):
    """The 24×24 grid of a punk, or NOT_A_PUNK when the grid or any punk check fails."""
    from .canonical import NotAPunkGrid, canonical
    from .describe import punkness

    with ctx.stage("grid"):
        try:
            c = canonical(img.pixels)
        except NotAPunkGrid as exc:
            raise ToolError(ErrorCode.NOT_A_PUNK, f"not a punk portrait: {exc}") from None
    check = punkness(c)
    if not check.is_punk:
        raise ToolError(ErrorCode.NOT_A_PUNK, "not a punk portrait: " + "; ".join(check.reasons),
                        outputs={"punk_likelihood": round(check.score, 3), "reasons": list(check.reasons)})
    return c, check


def _output(img: LoadedImage, c, check, attrs: dict) -> ToolOutput:
    h, w = img.pixels.shape[:2]
    warnings = []
    if (h, w) != (24, 24):
        warnings.append(f"recovered the 24×24 pixel grid from a {w}×{h} image (cell {c.scale:.2f} px, "
                        f"{c.grid_diff_percent:.1f} % of pixels off the grid) before describing it")
    if attrs["type"]["value"] == "other":
        warnings.append("this punk matches none of the known types with confidence; described as 'other'")
    confidences = [v["confidence"] for k, v in attrs.items() if isinstance(v, dict) and "confidence" in v]
    metrics = {"min_confidence": round(min(confidences), 4),
               "mean_confidence": round(sum(confidences) / len(confidences), 4),
               "punk_likelihood": round(check.score, 3), "grid_scale": round(c.scale, 3),
               "grid_diff_percent": round(c.grid_diff_percent, 2)}
    return ToolOutput(backend=BACKEND, backends={"classifier": BACKEND, "grid": "cell-centres" if (h, w) != (24, 24)
                                                 else "native"},
                      outputs=attrs, metrics=metrics, warnings=warnings)


def run(images: dict[str, LoadedImage], args: DescribePunkArgs, ctx: ToolContext) -> ToolOutput:
    from .describe import attributes

    model = _model(ctx)
    c, check = _canonical_punk(images["image"], ctx)
    with ctx.stage("classify"):
        attrs = attributes(model, c, args.palette_size)
    return _output(images["image"], c, check, attrs)


def run_many(items: list[dict[str, LoadedImage]], args: DescribePunkArgs, ctx: ToolContext):
    """Many punks at once: each grid and check on its own, the classifier once for all of them (the same
    answers as one call each, in a fraction of the time)."""
    import numpy as np

    from .canonical import features, skin_colour
    from .describe import attributes

    model = _model(ctx)
    out: list[ToolOutput | ToolError] = []
    found = []
    for i, images in enumerate(items):
        try:
            found.append((i, *_canonical_punk(images["image"], ctx)))
            out.append(None)
        except ToolError as exc:
            out.append(exc)
    if found:
        with ctx.stage("classify"):
            skins = [skin_colour(c.rgba) for _, c, _ in found]
            rows = [features(c.rgba, skin) for (_, c, _), skin in zip(found, skins, strict=True)]
            probs = model.probabilities(np.stack(rows))
        for row, ((i, c, check), skin) in enumerate(zip(found, skins, strict=True)):
            mine = {slot: p[row:row + 1] for slot, p in probs.items()}
            out[i] = _output(items[i]["image"], c, check, attributes(model, c, args.palette_size, mine, skin))
    return out


SPEC = ToolSpec(
    name="describe_punk",
    summary="A punk portrait (24×24 or upscaled) -> type, skin, hair, headwear, eyewear, earring, beard, mouth, "
            "neck, background and palette, each with a calibrated confidence, and a one-line caption.",
    description="Describe every attribute of a 24x24 punk portrait with confidences, and a caption.",
    args_model=DescribePunkArgs,
    images=(ImageRole("image", mode="RGBA", min_size=4, description="the punk portrait",
                        max_pixels=4_194_304),),
    run=run,
    present=present,
    backends=(Backend("classifier", BACKEND, "calibrated per-slot MLP", probe=_weights),),
    produces_image=False,
    examples=EXAMPLES,
    hints=HINTS,
    describe_run=describe_run,
    commands=(Command("punk", "train", "atelier.tools.punk.commands:train"),),
    run_batch=run_many,
    version="1.0",
)
