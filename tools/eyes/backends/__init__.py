"""Inpainters that open closed eyes in the aligned working frame, one file each behind ``Inpainter``.

The tool aligns the face (eyes level, ``WORK_IOD`` apart), builds an ``EyeJob``, asks an inpainter for a frame
with the eyes open inside ``job.support``, and blends that back itself — so every backend gets the same
masks, feathering and paste, and a new backend is a new file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from atelier.tools.faces.blend import ellipse_mask, feather
from atelier.tools.faces.face import Face
from atelier.tools.faces.geometry import Alignment

EYE_HALF_AXES = (0.78, 0.52)  # the eye region's half axes, in eye widths (lids and crease included)


@dataclass
class EyeJob:
    """One face to fix: its working frame, which eyes to open, and the regions everything agrees on."""

    frame: np.ndarray  # RGB uint8, the aligned crop
    alignment: Alignment
    face: Face  # image coordinates
    sides: list[str]  # the subject's eyes to open
    feather_px: float

    def corners(self, side: str) -> np.ndarray:
        return self.alignment.to_frame(self.face.corners(side))

    def eye_mask(self, side: str, grow: float = 1.0) -> np.ndarray:
        outer, inner = self.corners(side)
        width = float(np.hypot(*(inner - outer)))
        angle = float(np.degrees(np.arctan2(*(inner - outer)[::-1])))
        return ellipse_mask(self.alignment.size, (outer + inner) / 2,
                            (EYE_HALF_AXES[0] * width * grow, EYE_HALF_AXES[1] * width * grow), angle)

    def ring(self, side: str) -> np.ndarray:
        """Skin just below the eye region (brows and hair stay out): where a donor's colour is matched."""
        band = np.clip(self.eye_mask(side, 1.45) - self.eye_mask(side, 1.1), 0, 1)
        band[: int(self.corners(side)[:, 1].max())] = 0
        return band

    @cached_property
    def mask(self) -> np.ndarray:
        """Every eye to open, hard-edged."""
        return np.maximum.reduce([self.eye_mask(s) for s in self.sides])

    @cached_property
    def alpha(self) -> np.ndarray:
        """The feathered blend weight: 1 inside the eye regions, falling to exactly 0 ``feather_px`` outside."""
        return feather(self.mask, self.feather_px)

    @property
    def support(self) -> np.ndarray:
        return self.alpha > 0


class Inpainter(Protocol):
    name: str

    def inpaint(self, job: EyeJob, seed: int) -> np.ndarray:
        """The job's frame with its eyes open; only pixels inside ``job.support`` are used."""
        ...


def similarity_from_pairs(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2×3 similarity (rotation, uniform scale, shift) taking two source points exactly onto two targets.

    >>> similarity_from_pairs(np.array([[0, 0], [1, 0]]), np.array([[1, 1], [1, 3]])).round(6).tolist()
    [[0.0, -2.0, 1.0], [2.0, 0.0, 1.0]]
    """
    s = np.asarray(src, float)[:, 0] + 1j * np.asarray(src, float)[:, 1]
    d = np.asarray(dst, float)[:, 0] + 1j * np.asarray(dst, float)[:, 1]
    a = (d[1] - d[0]) / (s[1] - s[0])
    b = d[0] - a * s[0]
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]])


def transplant(donor: np.ndarray, donor_corners: np.ndarray, job: EyeJob, side: str, out: np.ndarray,
               match: bool = True) -> None:
    """Warp a donor eye onto the job's eye by its corners (outer→outer, inner→inner), optionally match its
    colour to the skin below the target eye, and write it into ``out`` over that eye's feathered support."""
    import cv2

    from atelier.tools.faces.blend import match_colour

    matrix = similarity_from_pairs(donor_corners, job.corners(side))
    size = job.alignment.size
    warped = cv2.warpAffine(donor, matrix, (size, size), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    if match:
        warped = match_colour(warped, job.frame, job.ring(side))
    region = feather(job.eye_mask(side), job.feather_px) > 0
    out[region] = warped[region]
