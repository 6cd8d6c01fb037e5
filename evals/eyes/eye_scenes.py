"""Synthetic bursts for the best-take eval: three frames of a group of three, a different pair blinking in
each (person 1 is open only in frame 3, person 2 only in frame 2, person 3 in the base), shifted a few px."""

from __future__ import annotations

import numpy as np

from atelier.tools.faces.synth import close_eye


def _shift(rgb, dx, dy):
    import cv2

    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(rgb, m, (rgb.shape[1], rgb.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _blink(rgb, faces, who):
    for i in who:
        rgb = close_eye(close_eye(rgb, faces[i], "left"), faces[i], "right")
    return rgb


def blink3(group, faces, rng):
    return [_blink(group, faces, [0, 1]),
            _shift(_blink(group, faces, [0, 2]), rng.uniform(-3, 3), rng.uniform(-3, 3)),
            _shift(_blink(group, faces, [1, 2]), rng.uniform(-3, 3), rng.uniform(-3, 3))]
