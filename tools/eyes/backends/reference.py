"""The reference inpainter: a same-person photo with open eyes lends its eyes (ExGAN's exemplar idea, done
by hand): each donor eye is aligned by its corners, colour-matched to the target's skin and feathered in."""

from __future__ import annotations

import numpy as np

from atelier.core.errors import ErrorCode, ToolError
from atelier.tools.faces.face import Face

from ..measure import CLOSED_BELOW, eye_state
from . import EyeJob, transplant

NAME = "reference"


class ReferenceInpainter:
    name = NAME

    def __init__(self, ref_rgb: np.ndarray, ref_faces: list[Face], threshold: float = CLOSED_BELOW):
        if not ref_faces:
            raise ToolError(ErrorCode.NO_FACE, "no face found in the reference photo; attach a photo of the same "
                            "person with their eyes open")
        self.ref = ref_rgb
        self.face = max(ref_faces, key=lambda f: f.inter_ocular)  # the main person of the reference
        self.threshold = threshold

    def inpaint(self, job: EyeJob, seed: int) -> np.ndarray:
        out = job.frame.copy()
        for side in job.sides:
            if eye_state(self.face, side, self.threshold)["closed"]:
                raise ToolError(ErrorCode.NEEDS_REFERENCE, f"the reference photo's {side} eye is closed too; "
                                "attach a photo of the same person with that eye open")
            transplant(self.ref, self.face.corners(side), job, side, out)
        return out
