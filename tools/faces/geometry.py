"""Eye geometry as plain functions: polygon area, the scale-free eye score, the subject's sides, alignment.

Points are ``(x, y)`` in image pixels, as float arrays of shape ``(n, 2)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WORK_IOD = 256.0  # inter-ocular distance in the aligned working frame; every face is processed at this scale
SEED_AREA_RULE_PX = 260.0  # the seed's fixed rule: an eye polygon under 260 px² is closed


def shoelace_area(polygon: np.ndarray) -> float:
    """Area enclosed by a simple polygon, its vertices in order.

    >>> shoelace_area(np.array([[0, 0], [4, 0], [4, 3], [0, 3]], float))
    12.0
    """
    x, y = np.asarray(polygon, float).T
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def eye_centre(polygon: np.ndarray) -> np.ndarray:
    return np.asarray(polygon, float).mean(axis=0)


def eye_score(polygon: np.ndarray, inter_ocular: float) -> float:
    """Eye-opening score: polygon area over the squared inter-ocular distance.

    Both scale with the square of the face's size, so the same face at any resolution gets the same score
    (the seed's raw pixel rule did not: half the size, a quarter of the area).
    """
    if inter_ocular <= 0:
        raise ValueError("inter-ocular distance must be positive")
    return shoelace_area(polygon) / inter_ocular**2


def eye_aspect(polygon: np.ndarray, corners: np.ndarray) -> float:
    """The lid opening over the eye's width: the polygon's extent across the corner-to-corner line divided
    by the corners' distance (scale-free, like ``eye_score``, but blind to the eye's size in the face).

    >>> eye_aspect(np.array([[0, 0], [2, -1], [4, 0], [2, 1]], float), np.array([[0, 0], [4, 0]], float))
    0.5
    """
    polygon, corners = np.asarray(polygon, float), np.asarray(corners, float)
    width = float(np.hypot(*(corners[1] - corners[0])))
    if width <= 0:
        raise ValueError("the eye corners must differ")
    across = np.array([-(corners[1] - corners[0])[1], (corners[1] - corners[0])[0]]) / width
    return float(np.ptp((polygon - polygon.mean(axis=0)) @ across)) / width


def subject_right_first(eye_a: np.ndarray, eye_b: np.ndarray, mouth: np.ndarray) -> bool:
    """True when ``eye_a`` is the subject's right eye.

    Looking at a face upright, the subject's right eye is on the viewer's left. "Upright" is the face's own
    frame (mouth below the eyes), so a rolled or upside-down face is read correctly; a mirrored photo swaps
    the answer, as it must.
    """
    mid = (np.asarray(eye_a, float) + np.asarray(eye_b, float)) / 2
    down = np.asarray(mouth, float) - mid
    across = np.asarray(eye_b, float) - np.asarray(eye_a, float)
    # In image coordinates (y down) the viewer's right of an upright face is "down" turned a quarter anticlockwise.
    viewer_right = np.array([down[1], -down[0]])
    return float(np.dot(across, viewer_right)) > 0


def eye_line_angle(right_eye: np.ndarray, left_eye: np.ndarray) -> float:
    """Angle in degrees of the line from the subject's right eye to the left one (0 = level, upright)."""
    dx, dy = np.asarray(left_eye, float) - np.asarray(right_eye, float)
    return float(np.degrees(np.arctan2(dy, dx)))


@dataclass(frozen=True)
class Alignment:
    """A similarity transform from the image to an upright working frame around the eyes.

    In the working frame the eyes are level, ``WORK_IOD`` px apart, and centred horizontally at
    ``eye_row`` of the height. ``matrix`` maps image → frame (2×3, for ``cv2.warpAffine``).
    """

    matrix: np.ndarray
    size: int

    @property
    def inverse(self) -> np.ndarray:
        import cv2

        return cv2.invertAffineTransform(self.matrix)

    def to_frame(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, float).reshape(-1, 2)
        return pts @ self.matrix[:, :2].T + self.matrix[:, 2]

    def to_image(self, points: np.ndarray) -> np.ndarray:
        inv = self.inverse
        pts = np.asarray(points, float).reshape(-1, 2)
        return pts @ inv[:, :2].T + inv[:, 2]

    def shifted(self, x0: float, y0: float) -> Alignment:
        """The same alignment for a sub-image whose top-left corner is ``(x0, y0)`` in the image."""
        matrix = self.matrix.copy()
        matrix[:, 2] += matrix[:, :2] @ np.array([x0, y0], float)
        return Alignment(matrix=matrix, size=self.size)

    @property
    def scale(self) -> float:
        """Working-frame pixels per image pixel."""
        return float(np.hypot(*self.matrix[0, :2]))


def align_eyes(right_eye: np.ndarray, left_eye: np.ndarray, size: int = 1024, eye_row: float = 0.4) -> Alignment:
    """The alignment that levels the eye line (rotation by its angle) and scales the face to ``WORK_IOD``."""
    right_eye, left_eye = np.asarray(right_eye, float), np.asarray(left_eye, float)
    iod = float(np.hypot(*(left_eye - right_eye)))
    if iod <= 0:
        raise ValueError("the two eyes coincide")
    theta = np.radians(eye_line_angle(right_eye, left_eye))
    s = WORK_IOD / iod
    c, si = s * np.cos(-theta), s * np.sin(-theta)
    rot = np.array([[c, -si], [si, c]])
    mid = (right_eye + left_eye) / 2
    target = np.array([size / 2, size * eye_row])
    matrix = np.hstack([rot, (target - rot @ mid)[:, None]])
    return Alignment(matrix=matrix, size=size)


def warp_to_frame(image: np.ndarray, alignment: Alignment) -> np.ndarray:
    """The working-frame crop (bicubic; edges replicated so the crop never has black borders)."""
    import cv2

    return cv2.warpAffine(image, alignment.matrix, (alignment.size, alignment.size), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


def warp_to_image(frame: np.ndarray, alignment: Alignment, shape: tuple[int, int]) -> np.ndarray:
    """A working-frame image (or mask) put back into the image's geometry (inverse rotation and scale)."""
    import cv2

    if alignment.scale > 1.5:  # shrinking: low-pass first, or bilinear sampling aliases fine detail
        frame = cv2.GaussianBlur(frame, (0, 0), 0.45 * alignment.scale)
    flags = cv2.INTER_LINEAR if alignment.scale > 1.5 else cv2.INTER_CUBIC
    return cv2.warpAffine(frame, alignment.matrix, (shape[1], shape[0]), flags=flags | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
