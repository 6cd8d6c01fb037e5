"""The ``describe_punk`` tool: every attribute of a punk portrait with a calibrated confidence, and a caption.
Native 24×24 punks are read directly; larger ones are first brought back to their 24×24 grid."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.images import LoadedImage
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec

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


def _backends(settings: Settings) -> list[BackendStatus]:
    path = model_path(settings)
    return [BackendStatus("describe_punk", "classifier", BACKEND, path.exists(), True, str(path),
                          "" if path.exists() else f"no punk model at {path}; run `atelier punk train`")]


def run(images: dict[str, LoadedImage], args: DescribePunkArgs, ctx: ToolContext) -> ToolOutput:
    from .canonical import NotAPunkGrid, canonical
    from .describe import attributes, punkness
    from .model import model_at

    path = model_path(ctx.settings)
    if not path.exists():
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"no punk model at {path}; run `atelier punk train`")
    img = images["image"]
    with ctx.stage("grid"):
        try:
            c = canonical(img.pixels)
        except NotAPunkGrid as exc:
            raise ToolError(ErrorCode.NOT_A_PUNK, f"not a punk portrait: {exc}") from None
    check = punkness(c)
    if not check.is_punk:
        raise ToolError(ErrorCode.NOT_A_PUNK, "not a punk portrait: " + "; ".join(check.reasons),
                        outputs={"punk_likelihood": round(check.score, 3), "reasons": list(check.reasons)})
    with ctx.stage("classify"):
        attrs = attributes(model_at(path), c, args.palette_size)
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


SPEC = ToolSpec(
    name="describe_punk",
    summary="A punk portrait (24×24 or upscaled) -> type, skin, hair, headwear, eyewear, earring, beard, mouth, "
            "neck, background and palette, each with a calibrated confidence, and a one-line caption.",
    args_model=DescribePunkArgs,
    images=(ImageRole("image", mode="RGBA", min_size=4, description="the punk portrait"),),
    run=run,
    backends=_backends,
    produces_image=False,
    version="1.0",
)
