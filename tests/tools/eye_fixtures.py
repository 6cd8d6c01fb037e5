"""Known-answer eye scenes shared by the eye tests: a blue-eyed astronaut under warm light, a group of three
made from the astronaut photo, bursts where a chosen person blinks in each frame, and drawn 24×24 open and
closed eye patches."""

from __future__ import annotations

import numpy as np


def iris_mask(face, shape) -> np.ndarray:
    import cv2

    from atelier.tools.eyes.backends import iris_points

    mask = np.zeros(shape[:2], np.uint8)
    for side in ("right", "left"):
        iris = iris_points(face, side)
        radius = float(np.mean(np.hypot(*(iris[1:] - iris[0]).T)))
        disc = np.zeros(shape[:2], np.uint8)
        cv2.circle(disc, tuple(int(v) for v in np.round(iris[0])), int(0.85 * radius), 1, -1)
        eye = np.zeros(shape[:2], np.uint8)
        cv2.fillPoly(eye, [np.round(face.eye(side)).astype(np.int32)], 1)
        mask |= disc & eye
    return mask.astype(bool)


def blue_eyed(rgb: np.ndarray, face) -> np.ndarray:
    """The same photo with blue irises (hue, saturation and lightness of the iris pixels replaced)."""
    import cv2

    sel = iris_mask(face, rgb.shape)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0][sel] = 105
    hsv[..., 1][sel] = 170
    hsv[..., 2][sel] = np.clip(hsv[..., 2][sel] * 1.3 + 20, 0, 255)
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)


def lab_hue(rgb: np.ndarray, sel: np.ndarray) -> tuple[float, float]:
    """(hue in degrees, chroma) of the median Lab a*, b* over ``sel``."""
    import cv2

    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(float)[sel]
    a, b = np.median(lab[:, 1] - 128), np.median(lab[:, 2] - 128)
    return float(np.degrees(np.arctan2(b, a)) % 360), float(np.hypot(a, b))


def group_of_three(astronaut: np.ndarray) -> np.ndarray:
    """Three people side by side: the astronaut's head, its mirror image, and a darker copy."""
    head = astronaut[20:276, 120:376]
    return np.ascontiguousarray(np.hstack([head, head[:, ::-1], np.clip(head * 0.85, 0, 255).astype(np.uint8)]))


def shifted(rgb: np.ndarray, dx: float, dy: float) -> np.ndarray:
    import cv2

    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(rgb, m, (rgb.shape[1], rgb.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def blink(rgb: np.ndarray, faces, who: list[int]) -> np.ndarray:
    from atelier.tools.faces.synth import close_eye

    out = rgb
    for i in who:
        out = close_eye(close_eye(out, faces[i], "left"), faces[i], "right")
    return out


def synthetic_eyes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Open: a pale almond with a dark iris; closed: plain skin with a dark lash arc; both on noisy skin."""
    import cv2

    rng = np.random.default_rng(seed)
    patches, closed = [], []
    for k in range(n):
        skin = rng.uniform(110, 190)
        img = np.full((24, 24), skin, np.float32)
        cx, cy = 12 + rng.uniform(-1.5, 1.5), 12 + rng.uniform(-1.5, 1.5)
        if k % 2:
            t = np.linspace(0, 1, 20)
            arc = np.c_[cx - 7 + 14 * t, cy + 2 * np.sin(np.pi * t)]
            cv2.polylines(img, [np.round(arc).astype(np.int32)], False, skin - 80, 1, cv2.LINE_AA)
        else:
            cv2.ellipse(img, (round(cx), round(cy)), (8, 4), 0, 0, 360, min(250, skin + 50), -1)
            cv2.circle(img, (round(cx + rng.uniform(-2, 2)), round(cy)), 3, skin - 90, -1)
        patches.append(np.clip(img + rng.normal(0, 4, img.shape), 0, 255))
        closed.append(bool(k % 2))
    return np.stack(patches).astype(np.float32), np.array(closed)
