"""A third-party tool, as a plugin package would ship it: one module with its SPEC, found through the
``atelier.tools`` entry point and nothing else (no Atelier file changes)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.backends import Backend
from atelier.core.cards import Card, CardImage, Row
from atelier.core.registry import ImageRole, PlannerHints, Rule, ToolOutput, ToolSpec


class InvertArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: float = Field(1.0, ge=0.0, le=1.0, description="1 = a full negative, 0 = the image unchanged")


def run(images, args, ctx):
    pixels = images["image"].pixels.astype(float)
    out = (pixels + args.amount * (255 - 2 * pixels)).round().clip(0, 255).astype("uint8")
    metrics = {"mean_before": round(float(pixels.mean()), 3), "mean_after": round(float(out.mean()), 3)}
    return ToolOutput(backend="numpy", outputs={"amount": args.amount}, images={"image": out}, metrics=metrics)


def present(result, inputs):
    images = [CardImage(inputs["image"], "before", "before")] if inputs.get("image") else []
    images.append(CardImage(result["artifacts"]["image"], "negative"))
    return Card("Negative", f"Inverted the colours ({result['outputs']['amount']:.0%}).",
                [Row("Brightness", f"{result['metrics']['mean_before']:.0f} → {result['metrics']['mean_after']:.0f}")],
                images)


SPEC = ToolSpec(
    name="invert", summary="Invert an image's colours (a photographic negative).",
    description="Invert the colours of an image, like a photographic negative.",
    args_model=InvertArgs, images=(ImageRole("image", description="the image to invert"),), run=run,
    present=present, backends=(Backend("invert", "numpy", "built in: 255 minus each channel"),),
    examples=("invert this", "make a negative of the photo"),
    hints=PlannerHints(rules=(Rule(45, all=(r"\b(invert|negative)\b",)),)),
)
