"""The reference inpainter: a same-person photo with open eyes lends its eyes (ExGAN's exemplar idea, done
by hand). Each donor eye is aligned on all its eye-contour landmarks, its surrounding skin matched to the
target's skin, its interior (iris, sclera, lashes) kept in its own colour corrected only for the light, and
its softness and grain matched to the target's (``transplant_eye``)."""

from __future__ import annotations

import numpy as np

from atelier.core.errors import ErrorCode, ToolError
from atelier.tools.faces.face import Face

from ..measure import CLOSED_BELOW, eye_state
from . import EyeJob, transplant_eye

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
            closed = eye_state(job.face, side, self.threshold)["closed"]
            transplant_eye(self.ref, self.face, job, side, out, target_closed=closed, seed=seed)
        return out
