"""A stand-in for the eye tool (not built yet) that, like the real one will, answers NEEDS_REFERENCE
without a reference photo and otherwise pastes the reference's pixels in (enough to see which file it used)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolOutput, ToolSpec


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


def run(images, args, ctx):
    if "ref" not in images:
        raise ToolError(ErrorCode.NEEDS_REFERENCE, "attach a photo of the same person with open eyes")
    return ToolOutput(backend="reference", images={"image": images["ref"].pixels})


SPEC = ToolSpec("open_eyes", "stand-in", Args, (ImageRole("image"), ImageRole("ref", required=False)), run,
                lambda s: [BackendStatus("open_eyes", "inpaint", "reference", True, True)])
