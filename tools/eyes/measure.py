"""Per-eye open/closed from landmarks: the scale-free score against a calibrated threshold.

The score is the eye polygon's area over the squared inter-ocular distance, times the lid opening over the
eye's width (``eye_aspect``) relative to ``ASPECT_SCALE``. The area term says how much eye shows for the
face's size; the aspect term says how open the lids are for the eye's own size, so a small or far-turned eye
that is wide open is not taken for a closed one. Both are scale-free. Out of fold on real labelled photos
(``evals/eyes/run.py``, report in ``evals/reports/eyes.md``; ``evals/eyes/detect_features.py`` compares
other second features) the product scores better than the area alone; ``ASPECT_SCALE`` only rescales it so
that the calibrated threshold stays near the area score's old 0.022. A config file overrides the threshold
per tool (``[tools.detect_closed_eyes] threshold = ...``, likewise ``[tools.open_eyes]``).

Given the photo's pixels, the eye's look joins its shape: the eye-patch models' two logits (``patch.py``: a
CNN and a linear HOG model) and the score's log-ratio to the threshold go through one logistic unit
(``combine`` in ``eye_patch.npz``, fitted out of fold), and the eye is closed when that probability passes
one half; an eye whose call is unsure (within ``UNSURE_MARGIN`` of even odds) takes the other eye's into
account (``settle_unsure``). A lower threshold still means fewer
closed calls. Without pixels (or without the weights file) the score alone decides, as before; so it does for
landmark backends other than MediaPipe, whose eye corners the patches and the combiner were not fitted on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from atelier.tools.faces.face import Face
from atelier.tools.faces.geometry import (
    SEED_AREA_RULE_PX,
    eye_aspect,
    eye_centre,
    eye_line_angle,
    eye_score,
    shoelace_area,
)

CLOSED_BELOW = 0.022
ASPECT_SCALE = 0.19  # the lid opening / width at which the aspect term is 1 (open eyes: median 0.32)
SIDES = ("right", "left")
LOOK_BACKENDS = ("mediapipe",)  # landmark backends whose eye corners the patch models were fitted on
UNSURE_MARGIN = 0.5  # an eye whose joint logit is nearer 0 than this takes the mean with its partner's


def eye_state(face: Face, side: str, threshold: float = CLOSED_BELOW,
              look: tuple[float, float] | None = None) -> dict[str, Any]:
    """One eye: closed or not, its score (area term × aspect term), both terms, the raw pixel area, what the
    seed's 260 px² rule would say, and, when the eye-patch models' logits (CNN, HOG) are given, those and
    the joint probability that decided."""
    polygon = face.eye(side)
    area = shoelace_area(polygon)
    corners = face.corners(side)
    area_score = eye_score(polygon, face.inter_ocular)
    aspect = eye_aspect(polygon, corners)
    score = area_score * aspect / ASPECT_SCALE
    state = {
        "closed": bool(score < threshold), "score": round(score, 5), "threshold": threshold,
        "area_score": round(area_score, 5), "aspect": round(aspect, 4),
        "area_px": round(area, 1), "seed_rule_closed": bool(area < SEED_AREA_RULE_PX),
        "centre": [round(float(v), 1) for v in eye_centre(polygon)],
        "width_px": round(float(np.hypot(*(corners[0] - corners[1]))), 1),
    }
    if look is not None:
        z = closed_logit(score, look, threshold)
        state.update(closed=bool(z > 0), closed_probability=round(_sigmoid(z), 4), closed_logit=round(z, 4),
                     look_logits={"cnn": round(float(look[0]), 3), "hog": round(float(look[1]), 3)})
    return state


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


def closed_logit(score: float, look: tuple[float, float], threshold: float = CLOSED_BELOW) -> float:
    """The joint call's logit: a·ln(threshold / score) + b·CNN logit + c·HOG logit + d (closed > 0)."""
    from .patch import load_weights

    a, b, c, d = (float(v) for v in load_weights()["combine"])
    return float(a * np.log(threshold / max(score, 1e-4)) + b * look[0] + c * look[1] + d)


def closed_probability(score: float, look: tuple[float, float], threshold: float = CLOSED_BELOW) -> float:
    """The joint call through the logistic function."""
    return _sigmoid(closed_logit(score, look, threshold))


def settle_unsure(logits: tuple[float, float], margin: float = UNSURE_MARGIN) -> tuple[float, float]:
    """Both eyes' joint logits, where one the models are unsure of (|logit| < ``margin``) is replaced by the
    mean of the two. Most shut eyes in photos are blinks, both eyes at once, so the other eye is evidence; a
    clear wink (one eye sure either way) is untouched. Out of fold this lifts per-eye accuracy 97.78 → 98.07 %
    and costs fresh synthetic winks 85.8 → 82.6 % (``evals/eyes/unsure_margin.py``, whose rule chose 0.5 for
    the round-5 weights); ``margin=0`` turns it off."""
    mean = (logits[0] + logits[1]) / 2
    return tuple(mean if abs(z) < margin else z for z in logits)  # type: ignore[return-value]


def _settle(eyes: dict[str, dict[str, Any]]) -> None:
    """Apply ``settle_unsure`` to a face's two eye records in place (when both have a joint logit)."""
    keys = [f"{side}_eye" for side in SIDES]
    if not all("closed_logit" in eyes[k] for k in keys):
        return
    own = tuple(eyes[k]["closed_logit"] for k in keys)
    for k, z, z0 in zip(keys, settle_unsure(own), own, strict=True):
        eyes[k]["settled_with_other_eye"] = bool(z != z0)
        if z != z0:
            eyes[k].update(closed=bool(z > 0), closed_probability=round(_sigmoid(z), 4),
                           own_closed_probability=round(_sigmoid(z0), 4), closed_logit=round(z, 4))


def eye_logits(face: Face, gray: np.ndarray) -> dict[str, tuple[float, float]]:
    """The eye-patch models' logits (CNN, HOG) for each eye of ``face`` in the grey photo ``gray``."""
    from .patch import available, patch_logits

    if not available() or face.backend not in LOOK_BACKENDS:
        return {}
    logits = patch_logits(gray, [(face.corners(side), side == "right") for side in SIDES])
    return {side: (float(v[0]), float(v[1])) for side, v in zip(SIDES, logits, strict=True)}


def grey(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY)


def face_record(face: Face, index: int, threshold: float = CLOSED_BELOW,
                image: np.ndarray | None = None) -> dict[str, Any]:
    """The JSON record of one face (``left``/``right`` are the subject's own); with the photo (``image``,
    RGB or grey) the eye-patch models join the score."""
    x0, y0, x1, y1 = face.bbox
    logits = eye_logits(face, image if image.ndim == 2 else grey(image)) if image is not None else {}
    eyes = {f"{side}_eye": eye_state(face, side, threshold, logits.get(side)) for side in SIDES}
    _settle(eyes)
    return {
        "index": index, "bbox": [round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)],
        "landmarks_backend": face.backend, "landmarks": len(face.points), "confidence": round(face.confidence, 3),
        "inter_ocular_px": round(face.inter_ocular, 1),
        "roll_deg": round(eye_line_angle(eye_centre(face.right_eye), eye_centre(face.left_eye)), 1),
        "sides": "subject's own: right_eye is the person's right eye (on the viewer's left when upright)",
        **eyes, "closed_eyes": [side for side in SIDES if eyes[f"{side}_eye"]["closed"]],
    }


def draw_eye_boxes(rgb: np.ndarray, records: list[dict[str, Any]]) -> np.ndarray:
    """A copy of the photo with a box round every eye: green open, red closed, sized by the eye's width."""
    import cv2

    out = np.ascontiguousarray(rgb[..., :3]).copy()
    thickness = max(2, round(max(out.shape[:2]) / 400))
    for record in records:
        for side in SIDES:
            eye = record[f"{side}_eye"]
            cx, cy = eye["centre"]
            half = max(6.0, 0.75 * eye["width_px"])
            colour = (220, 40, 40) if eye["closed"] else (40, 200, 70)
            cv2.rectangle(out, (round(cx - half), round(cy - 0.7 * half)), (round(cx + half), round(cy + 0.7 * half)),
                          colour, thickness)
    return out
