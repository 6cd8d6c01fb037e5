"""A stand-in for the eye tool, installed as a plugin in tests: like the real one it answers NEEDS_REFERENCE
without a reference photo, and otherwise pastes the reference's pixels in (enough to see which file it used)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from atelier.core.backends import Backend
from atelier.core.cards import Card, CardImage
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.registry import ImageRole, ToolOutput, ToolSpec


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


def run(images, args, ctx):
    if "ref" not in images:
        raise ToolError(ErrorCode.NEEDS_REFERENCE, "attach a photo of the same person with open eyes")
    return ToolOutput(backend="reference", images={"image": images["ref"].pixels})


def present(result, inputs):
    return Card("Open eyes", "pasted the reference", images=[CardImage(result["artifacts"]["image"], "after")])


SPEC = ToolSpec("open_eyes", "stand-in", "Open closed eyes.", Args,
                (ImageRole("image"), ImageRole("ref", required=False)), run, present,
                backends=(Backend("inpaint", "reference", "pastes the reference"),),
                examples=("open her eyes",))
