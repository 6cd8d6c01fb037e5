"""The mirror inpainter: when one eye of a face is open and the other closed, the open eye, mirrored across
the face and aligned by its corners, replaces the closed one."""

from __future__ import annotations

import numpy as np

from atelier.core.errors import ErrorCode, ToolError

from ..measure import CLOSED_BELOW, eye_state
from . import EyeJob, transplant

NAME = "mirror"


class MirrorInpainter:
    name = NAME

    def __init__(self, threshold: float = CLOSED_BELOW):
        self.threshold = threshold

    def inpaint(self, job: EyeJob, seed: int) -> np.ndarray:
        if len(job.sides) != 1:
            raise ToolError(ErrorCode.NEEDS_REFERENCE, "both eyes are closed, so there is no open eye to mirror: "
                            "attach a second photo of the same person with open eyes, or install SDXL inpainting "
                            "weights with `atelier models add sdxl-base PATH`")
        side = job.sides[0]
        other = "left" if side == "right" else "right"
        if eye_state(job.face, other, self.threshold)["closed"]:
            raise ToolError(ErrorCode.NEEDS_REFERENCE, f"the {other} eye is not open enough to mirror")
        flipped = np.ascontiguousarray(job.frame[:, ::-1])
        corners = job.corners(other).copy()
        corners[:, 0] = job.alignment.size - 1 - corners[:, 0]  # where the open eye's corners land when flipped
        out = job.frame.copy()
        transplant(flipped, corners, job, side, out, match=False)  # same face, same light
        return out
