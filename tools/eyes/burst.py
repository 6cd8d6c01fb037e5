"""Best take from a burst, as plain functions: align frames to the base (feature homography), match faces
across frames by their eye positions, pick the frame where each person's eyes are most open."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atelier.tools.faces.face import Face

from .measure import CLOSED_BELOW, eye_state


@dataclass(frozen=True)
class FrameAlignment:
    """A frame warped onto the base: ``homography`` maps frame → base pixels."""

    homography: np.ndarray
    matches: int
    inliers: int
    shift_px: float  # how far the frame's centre moved


def align_to_base(base: np.ndarray, frame: np.ndarray, features: int = 3000) -> FrameAlignment:
    """ORB features matched (Hamming, cross-checked) and a RANSAC homography frame → base; the identity
    when too few features agree (a frame with nothing to match is taken as already aligned)."""
    import cv2

    orb = cv2.ORB_create(features)
    gray = lambda im: cv2.cvtColor(np.ascontiguousarray(im[..., :3]), cv2.COLOR_RGB2GRAY)  # noqa: E731
    kb, db = orb.detectAndCompute(gray(base), None)
    kf, df = orb.detectAndCompute(gray(frame), None)
    h, w = base.shape[:2]
    if db is None or df is None or len(kb) < 8 or len(kf) < 8:
        return FrameAlignment(np.eye(3), 0, 0, 0.0)
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(df, db)
    if len(matches) < 8:
        return FrameAlignment(np.eye(3), len(matches), 0, 0.0)
    src = np.float32([kf[m.queryIdx].pt for m in matches])
    dst = np.float32([kb[m.trainIdx].pt for m in matches])
    homography, keep = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
    inliers = int(keep.sum()) if keep is not None else 0
    if homography is None or inliers < 8:
        return FrameAlignment(np.eye(3), len(matches), inliers, 0.0)
    centre = cv2.perspectiveTransform(np.float32([[[w / 2, h / 2]]]), homography)[0, 0]
    return FrameAlignment(homography, len(matches), inliers, float(np.hypot(*(centre - [w / 2, h / 2]))))


def warp_frame(frame: np.ndarray, alignment: FrameAlignment, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.warpPerspective(frame, alignment.homography, (shape[1], shape[0]), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def eyes_mid(face: Face) -> np.ndarray:
    return (face.right_eye.mean(axis=0) + face.left_eye.mean(axis=0)) / 2


def match_face(face: Face, candidates: list[Face], reach: float = 0.5) -> Face | None:
    """The candidate whose eye midpoint is nearest ``face``'s, within ``reach`` inter-ocular distances and
    of a similar size; None when no one is there."""
    best, best_d = None, reach * face.inter_ocular
    for other in candidates:
        d = float(np.hypot(*(eyes_mid(other) - eyes_mid(face))))
        if d <= best_d and 0.7 < other.inter_ocular / face.inter_ocular < 1.4:
            best, best_d = other, d
    return best


def openness(face: Face, threshold: float = CLOSED_BELOW) -> tuple[bool, float]:
    """(both eyes open, the smaller of the two eye scores): how a frame's take of a person is ranked."""
    states = [eye_state(face, side, threshold) for side in ("right", "left")]
    return all(not s["closed"] for s in states), min(s["score"] for s in states)


NEAR_BEST = 0.9  # a take within 10 % of the person's most open one counts as open
LOWEST_OPEN = 0.75  # ... but never below this share of the global threshold


def person_threshold(scores: list[float | None], threshold: float = CLOSED_BELOW) -> float:
    """The eye score at which this person's eyes count as open in this burst.

    The global threshold is calibrated over many people; someone with narrow eyes scores near it even wide
    awake (a resampled copy of an open 0.0223 eye reads 0.0219 against 0.022). Across a burst the person's
    own most open take says what open looks like for them, so the threshold comes down to within
    ``NEAR_BEST`` of that take, never below ``LOWEST_OPEN`` of the global one (a burst in which someone
    only half-opens their eyes does not make half-open count as open)."""
    best = max((s for s in scores if s is not None), default=0.0)
    return float(min(threshold, max(LOWEST_OPEN * threshold, NEAR_BEST * best)))


def best_frame(scores: list[float | None], bar: float) -> int | None:
    """Index of the take where the person's eyes are most open (the smaller eye score of the two), or None
    when none reaches ``bar`` (``person_threshold``); a take left out is None."""
    ranked = [(s, k) for k, s in enumerate(scores) if s is not None and s >= bar]
    return max(ranked)[1] if ranked else None
