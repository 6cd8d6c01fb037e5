"""Inpainters that open closed eyes in the aligned working frame, one file each behind ``Inpainter``.

The tool aligns the face (eyes level, ``WORK_IOD`` apart), builds an ``EyeJob``, asks an inpainter for a frame
with the eyes open inside ``job.support``, and blends that back itself — so every backend gets the same
masks, feathering and paste, and a new backend is a new file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    report: dict[str, dict] = field(default_factory=dict)  # per eye: what the inpainter measured and did

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


IRIS_GROUPS = (slice(468, 473), slice(473, 478))  # MediaPipe's refined irises: centre first, then 4 on the rim


def iris_points(face: Face, side: str) -> np.ndarray | None:
    """The five iris landmarks of the subject's ``side`` eye (MediaPipe's 478 points), else None."""
    if len(face.points) < 478:
        return None
    centre = face.eye(side).mean(axis=0)
    groups = [face.points[g] for g in IRIS_GROUPS]
    return min(groups, key=lambda g: float(np.hypot(*(g[0] - centre))))


def fit_similarity(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The 2×3 similarity (rotation, uniform scale, shift) that best maps ``src`` onto ``dst`` in the
    weighted least-squares sense (closed form in complex numbers; exact for two points).

    >>> fit_similarity(np.array([[0, 0], [1, 0], [0, 1]]), np.array([[1, 1], [1, 3], [-1, 1]])).round(6).tolist()
    [[0.0, -2.0, 1.0], [2.0, 0.0, 1.0]]
    """
    s = np.asarray(src, float) @ np.array([1, 1j])
    d = np.asarray(dst, float) @ np.array([1, 1j])
    w = np.ones(len(s)) if weights is None else np.asarray(weights, float)
    w = w / w.sum()
    sc, dc = (w * s).sum(), (w * d).sum()
    a = (w * (d - dc) * np.conj(s - sc)).sum() / (w * np.abs(s - sc) ** 2).sum()
    b = dc - a * sc
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]])


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.asarray(points, float) @ matrix[:, :2].T + matrix[:, 2]


def contour_weights(donor_frame_pts: np.ndarray, corners: np.ndarray, target_closed: bool) -> np.ndarray:
    """Fit weights per contour point: the corners and the lower lid count fully; the upper lid of an open
    donor eye cannot land on a closed target's (it has dropped onto the lash line), so it counts little."""
    if not target_closed:
        return np.ones(len(donor_frame_pts))
    outer, inner = corners
    along = inner - outer
    normal = np.array([-along[1], along[0]])
    if normal[1] < 0:  # the frame is upright: "down" is +y
        normal = -normal
    below = (donor_frame_pts - (outer + inner) / 2) @ normal >= -1e-6
    return np.where(below, 1.0, 0.15)


def _polygon_in_frame(points: np.ndarray, size: int) -> np.ndarray:
    import cv2

    mask = np.zeros((size, size), np.float32)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1.0)
    return mask


def _sclera(frame: np.ndarray, interior: np.ndarray, iris: np.ndarray | None) -> np.ndarray:
    """Sclera pixels of an open eye: inside its outline, off the iris, the brightest low-chroma third."""
    import cv2

    sel = interior > 0.5
    if iris is not None:
        radius = float(np.mean(np.hypot(*(iris[1:] - iris[0]).T)))
        disc = np.zeros(interior.shape, np.float32)
        cv2.circle(disc, (int(round(iris[0][0])), int(round(iris[0][1]))), int(round(1.15 * radius)), 1.0, -1)
        sel &= disc < 0.5
    if sel.sum() < 12:
        return np.zeros(interior.shape, np.float32)
    lab = cv2.cvtColor(frame, cv2.COLOR_RGB2LAB).astype(np.float32)
    light = lab[..., 0]
    chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
    keep = sel & (light >= np.percentile(light[sel], 66)) & (chroma <= np.percentile(chroma[sel], 50))
    return keep.astype(np.float32)


def transplant_eye(donor: np.ndarray, donor_face: Face, job: EyeJob, side: str, out: np.ndarray,
                   target_closed: bool = True, seed: int = 0) -> dict:
    """A donor eye, colour-true: aligned on every eye-contour landmark, its skin matched to the target's
    skin, its interior (iris, sclera, lashes) kept in its own colour and corrected only for the light
    (white balance and exposure, from skin and, where the target shows one, sclera), its softness and grain
    matched to the target's; written into ``out`` over the eye's feathered support. Returns what was done.
    """
    import cv2

    from atelier.tools.faces.blend import apply_gains, feather, light_gains, match_colour
    from atelier.tools.faces.quality import match_grain, match_softness

    size = job.alignment.size
    target_pts = job.alignment.to_frame(job.face.eye(side))
    donor_pts = donor_face.eye(side)
    if len(donor_pts) == len(target_pts):  # same backend: the contour points correspond one to one
        first = fit_similarity(donor_face.corners(side), job.corners(side))
        weights = contour_weights(apply_affine(first, donor_pts), job.corners(side), target_closed)
        matrix = fit_similarity(donor_pts, target_pts, weights)
    else:
        weights = np.ones(2)
        matrix = fit_similarity(donor_face.corners(side), job.corners(side))
    mapped = apply_affine(matrix, donor_pts)
    residual = np.hypot(*(mapped - target_pts).T) if len(mapped) == len(target_pts) else np.zeros(1)
    corner_res = np.hypot(*(apply_affine(matrix, donor_face.corners(side)) - job.corners(side)).T)
    warped = cv2.warpAffine(donor, matrix, (size, size), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    width = float(np.hypot(*(job.corners(side)[1] - job.corners(side)[0])))
    # the interior: the donor's own eye outline, grown a little for the lashes
    interior = _polygon_in_frame(mapped, size)
    grow = max(1, int(round(0.07 * width)))
    interior = cv2.dilate(interior, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    interior_alpha = feather(interior, max(1.0, 0.05 * width))
    ring = job.ring(side)
    skin = match_colour(warped, job.frame, ring)
    gains = light_gains(warped, ring, job.frame, ring)
    used_sclera = False
    other = "left" if side == "right" else "right"
    if other not in job.sides and not target_closed_eye(job, other):
        iris_d = iris_points(donor_face, side)
        iris_t = iris_points(job.face, other)
        donor_sclera = _sclera(warped, interior, None if iris_d is None else apply_affine(matrix, iris_d))
        target_int = _polygon_in_frame(job.alignment.to_frame(job.face.eye(other)), size)
        target_sclera = _sclera(job.frame, target_int,
                                None if iris_t is None else job.alignment.to_frame(iris_t))
        sclera_gains = light_gains(warped, donor_sclera, job.frame, target_sclera)
        if sclera_gains is not None and gains is not None:
            gains = np.sqrt(gains * sclera_gains)
            used_sclera = True
    true_colour = apply_gains(warped, gains) if gains is not None else warped
    a = interior_alpha[..., None]
    patch = np.clip(true_colour.astype(np.float32) * a + skin.astype(np.float32) * (1 - a) + 0.5, 0, 255)
    patch = patch.astype(np.uint8)
    around = np.clip(job.eye_mask(side, 1.6) - interior, 0, 1)  # the skin round the eye, both photos
    patch, blur = match_softness(patch, job.frame, ring if ring.sum() > 64 else around)
    patch, grain = match_grain(patch, job.frame, ring if ring.sum() > 64 else around, seed)
    region = feather(job.eye_mask(side), job.feather_px) > 0
    out[region] = patch[region]
    scale = job.alignment.scale
    report = {
        "fit": f"similarity, least squares on {len(weights)} eye-contour points",
        "residual_rms_px": round(float(np.sqrt(np.mean(residual**2))) / scale, 2),
        "residual_max_px": round(float(residual.max()) / scale, 2),
        "corner_residual_px": round(float(corner_res.max()) / scale, 2),
        "rotation_deg": round(float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0]))), 2),
        "light_gains_rgb": [round(float(g), 3) for g in (gains if gains is not None else np.ones(3))],
        "light_from": "skin and sclera" if used_sclera else "skin",
        "blur_sigma": blur, "grain_sigma": grain,
    }
    job.report[side] = report
    return report


def target_closed_eye(job: EyeJob, side: str) -> bool:
    """Whether the job's face has its ``side`` eye closed (the tool's default threshold)."""
    from ..measure import eye_state

    return bool(eye_state(job.face, side)["closed"])
