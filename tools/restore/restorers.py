"""Restorers behind one small interface, and the paste that confines them to feathered face masks.

A restorer maps a face crop to a restored crop of the same size; ``restore_face_region`` crops a face with a
margin, restores it and mixes it back through the feathered face outline, so nothing outside a face changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from atelier.tools.faces.blend import blend_masked, feather, polygon_mask
from atelier.tools.faces.face import Face
from atelier.tools.faces.quality import noise_sigma, texture_energy

from .classical import blockiness, restore_classical, sharpness


class Restorer(Protocol):
    name: str

    def restore(self, crop: np.ndarray, face: Face) -> np.ndarray:
        """The crop restored; ``face`` is in the crop's coordinates."""
        ...


@dataclass
class ClassicalRestorer:
    strength: float = 1.0
    name: str = "classical"

    def restore(self, crop: np.ndarray, face: Face, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
        from atelier.tools.faces.blend import polygon_mask

        inside = polygon_mask(crop.shape[:2], face.outline)
        return restore_classical(crop, face.inter_ocular, self.strength, mask=inside, offset=offset)


def face_alpha(shape: tuple[int, int], face: Face, feather_frac: float = 0.15) -> np.ndarray:
    """The face outline, feathered by a share of the inter-ocular distance (so any face size looks alike)."""
    return feather(polygon_mask(shape, face.outline), feather_frac * face.inter_ocular)


def _shift(face: Face, dx: int, dy: int) -> Face:
    from dataclasses import replace

    off = np.array([dx, dy], float)
    x0, y0, x1, y1 = face.bbox
    return replace(face, bbox=(x0 - dx, y0 - dy, x1 - dx, y1 - dy), points=face.points - off,
                   right_eye=face.right_eye - off, left_eye=face.left_eye - off,
                   right_corners=face.right_corners - off, left_corners=face.left_corners - off,
                   outline=face.outline - off, mouth=face.mouth - off)


def restore_face_region(image: np.ndarray, face: Face, restorer: Restorer) -> tuple[np.ndarray, dict[str, Any]]:
    """One face restored in place (a new array); metrics measured inside the face mask."""
    h, w = image.shape[:2]
    margin = 0.5 * face.inter_ocular
    x0, y0, x1, y1 = face.bbox
    left, top = int(max(0, x0 - margin)) // 8 * 8, int(max(0, y0 - margin)) // 8 * 8  # on JPEG's block grid
    right, bottom = int(min(w, x1 + margin + 1)), int(min(h, y1 + margin + 1))
    crop = image[top:bottom, left:right]
    local = _shift(face, left, top)
    alpha = face_alpha(crop.shape[:2], local)
    inside = polygon_mask(crop.shape[:2], local.outline)
    if isinstance(restorer, ClassicalRestorer):
        restored = restorer.restore(crop, local, (left, top))
    else:
        restored = restorer.restore(crop, local)
    mixed = blend_masked(crop, restored, alpha)
    out = image.copy()
    out[top:bottom, left:right] = mixed
    metrics = {"noise_before": round(noise_sigma(crop, inside), 3), "noise_after": round(noise_sigma(mixed, inside), 3),
               "texture_before": round(texture_energy(crop, inside), 3),
               "texture_after": round(texture_energy(mixed, inside), 3),
               "blockiness_before": round(blockiness(crop, (left, top)), 3),
               "blockiness_after": round(blockiness(mixed, (left, top)), 3),
               "sharpness_before": round(sharpness(crop, inside), 2),
               "sharpness_after": round(sharpness(mixed, inside), 2),
               "changed_px": int((alpha > 0).sum())}
    return out, metrics
