"""A deliberately slow plugin tool (fifty 0.1 s stages) for testing that a running step can be cancelled."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict

from atelier.core.backends import Backend
from atelier.core.cards import Card, CardImage
from atelier.core.registry import ImageRole, PlannerHints, Rule, ToolOutput, ToolSpec


class SlowArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


def run(images, args, ctx):
    for i in range(50):
        with ctx.stage("work"):
            time.sleep(0.1)
        ctx.progress(i / 50, "working slowly")
    return ToolOutput(backend="sleep", images={"image": images["image"].pixels})


SPEC = ToolSpec(
    name="slow_copy", summary="Copy an image, slowly.", description="Copy an image very slowly (for tests).",
    args_model=SlowArgs, images=(ImageRole("image"),), run=run,
    present=lambda result, inputs: Card("Slow copy", "Copied.",
                                        images=[CardImage(result["artifacts"]["image"], "copy")]),
    backends=(Backend("copy", "sleep", "sleeps"),), examples=("copy this slowly",),
    hints=PlannerHints(rules=(Rule(44, all=(r"\bslowly\b",)),)),
)
