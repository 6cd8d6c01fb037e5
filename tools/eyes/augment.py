"""Photometric and small geometric changes to 24×24 eye patches, so a patch model learns the lids' shape and
not how one dataset's photos look.

The training sets come from three sources (CEW web photos, LFW, UTKFace); on a fourth never trained on
(YED close-ups, ``evals/eyes/cross_source.py``) the linear HOG model fell to 62.74 % while the CNN, trained
with jitter, kept 97.04 %. What differs between sources is exposure, contrast curve, sharpness, noise, JPEG
blocking and how the eye sits in the crop: each is drawn here at random, per patch, from a seeded generator
(same seed → same copies). Plain numpy + OpenCV; used only in training (``patch_train.train_hog``'s
``copies``; measured, it did not help the linear model, so the shipped one is trained without).
"""

from __future__ import annotations

import numpy as np

ANGLE = 12.0  # degrees either way
SCALE = 0.15  # ± share
SHIFT = 2.5  # ± pixels
GAMMA = 0.45  # ln(gamma) drawn within ± this
CONTRAST = 0.35  # ± share, about the patch mean
BRIGHT = 30.0  # ± grey levels
BLUR = 1.2  # Gaussian sigma up to this (a third of the patches)
SHARPEN = 1.5  # unsharp-mask amount up to this (another third: sharper sources than the training ones)
NOISE = 8.0  # noise sigma up to this (grey levels)
JPEG = (25, 90)  # quality range (half the patches)


def _geometric(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import cv2

    c = (p.shape[1] - 1) / 2, (p.shape[0] - 1) / 2
    m = cv2.getRotationMatrix2D(c, float(rng.uniform(-ANGLE, ANGLE)), float(1 + rng.uniform(-SCALE, SCALE)))
    m[:, 2] += rng.uniform(-SHIFT, SHIFT, 2)
    return cv2.warpAffine(p, m, p.shape[::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _photometric(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import cv2

    x = 255 * (np.clip(p, 0, 255) / 255) ** np.exp(rng.uniform(-GAMMA, GAMMA))
    x = (x - x.mean()) * (1 + rng.uniform(-CONTRAST, CONTRAST)) + x.mean() + rng.uniform(-BRIGHT, BRIGHT)
    pick = rng.random()
    if pick < 1 / 3:
        x = cv2.GaussianBlur(x.astype(np.float32), (0, 0), float(rng.uniform(0.3, BLUR)))
    elif pick < 2 / 3:
        x = x + rng.uniform(0, SHARPEN) * (x - cv2.GaussianBlur(x.astype(np.float32), (0, 0), 1.0))
    x = x + rng.normal(0, rng.uniform(0, NOISE), x.shape)
    x = np.clip(x, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*JPEG))])
        x = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return x.astype(np.float32)


def augment(patches: np.ndarray, seed: int) -> np.ndarray:
    """One changed copy of each (N, H, W) grey patch (0–255): a small rotation, scaling and shift, then a
    gamma, contrast and brightness change, maybe a blur or a sharpening, sensor noise and maybe JPEG."""
    rng = np.random.default_rng(seed)
    return np.stack([_photometric(_geometric(np.asarray(p, np.float32), rng), rng) for p in patches])


def photometric(patches: np.ndarray, seed: int) -> np.ndarray:
    """One copy of each (N, H, W) grey patch (0–255) with only the photometric changes of ``augment`` (no
    geometry): for the CNN's training, whose own torch jitter already moves the patch."""
    rng = np.random.default_rng(seed)
    return np.stack([_photometric(np.asarray(p, np.float32), rng) for p in patches])


def with_copies(patches: np.ndarray, closed: np.ndarray, copies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The patches and ``copies`` augmented copies of them (copy ``i`` drawn with seed ``seed + i``), labels
    repeated to match."""
    x = [np.asarray(patches, np.float32)] + [augment(patches, seed + i) for i in range(copies)]
    return np.concatenate(x), np.tile(np.asarray(closed), copies + 1)
