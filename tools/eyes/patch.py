"""How closed an eye *looks*, beside how closed its landmarks say it is: two small models of a 24×24 grey eye
patch, a tiny CNN and a linear model of its gradient histograms (HOG) and coarse pixels.

The landmark score fails where the mesh is unsure (small, blurred or downcast eyes); lashes, iris and sclera
are still visible in the pixels. The patch is cut the way the CEW eye-patch set (Song et al. 2014) cuts its
24×24 patches, so that set can train it: a square 1.4 eye widths wide round the eye corners' midpoint, a
twentieth of a width lower (fitted on 116 CEW eyes, normalised cross-correlation median 0.98), levelled, and
the subject's right eye mirrored so every patch shows a left eye. Inference is plain numpy (CNN: three 3×3
convolutions of 24, 48 and 96 channels, two max pools, a global mean, one logistic unit; 52 321 weights; it
reads any width) plus scikit-image's HOG for the linear model (1 045 weights), all in ``weights/eye_patch.npz``;
a few ms per face for both eyes. The CNN is trained on fresh photometric copies each epoch
(``augment.photometric``) and mirrored halves of each batch, so it leans less on one source's tone curve and
sharpness. The linear model
sees the patch histogram-equalised and slightly blurred (``HogStyle``): on z-scored sharp patches it had
learnt how its training sources look and fell to 62 % on a source it never saw (``evals/eyes/hog_styles.py``).
The two models' errors differ, so together they beat either. ``patch_train.py`` trains them;
``weights/EYE_PATCH_MODEL.md`` is their model card. Without the weights file the detector falls back to the
landmark score alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PATCH = 24
SIDE = 1.4  # patch side over the eye's width (corner to corner)
DOWN = 0.05  # the patch centre sits this share of the eye width below the corners' midpoint
WEIGHTS = Path(__file__).with_name("weights") / "eye_patch.npz"


def eye_patch(gray: np.ndarray, corners: np.ndarray, mirror: bool = False) -> np.ndarray:
    """The eye as a levelled 24×24 float patch (``corners`` = its two corners, either order); ``mirror``
    flips it left to right."""
    import cv2

    span = np.asarray(corners[1], float) - np.asarray(corners[0], float)
    width = float(np.hypot(*span))
    axis = span / max(width, 1e-6)
    if axis[0] < 0:
        axis = -axis
    centre = np.asarray(corners, float).mean(axis=0) + DOWN * width * np.array([-axis[1], axis[0]])
    scale = PATCH / max(SIDE * width, 1e-6)
    m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(np.degrees(np.arctan2(axis[1], axis[0]))),
                                scale)
    m[:, 2] += PATCH / 2 - centre
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    patch = cv2.warpAffine(np.ascontiguousarray(gray), m, (PATCH, PATCH), flags=flags,
                           borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    return patch[:, ::-1] if mirror else patch


def normalise(patches: np.ndarray) -> np.ndarray:
    """Each patch minus its mean over its spread (+4 grey levels, so a flat patch is not blown up to noise):
    exposure and contrast do not decide."""
    x = np.asarray(patches, np.float32)
    mean = x.mean(axis=(-2, -1), keepdims=True)
    return (x - mean) / (x.std(axis=(-2, -1), keepdims=True) + 4.0)


def _conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """'Same' 3×3 convolution (cross-correlation, as torch's Conv2d) of (N, C, H, W) with (O, C, 3, 3)."""
    n, c, h, wd = x.shape
    pad = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([pad[:, :, i:i + h, j:j + wd] for i in range(3) for j in range(3)], axis=2)  # N C 9 H W
    out = w.reshape(w.shape[0], c * 9) @ cols.reshape(n, c * 9, h * wd)  # one matrix product per patch
    return out.reshape(n, w.shape[0], h, wd) + b[None, :, None, None]


def _pool2(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    return x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def forward(x: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Logits (closed > 0) of normalised patches shaped (N, 24, 24)."""
    h = x[:, None].astype(np.float32)
    h = _pool2(np.maximum(_conv3x3(h, weights["c1.weight"], weights["c1.bias"]), 0))
    h = _pool2(np.maximum(_conv3x3(h, weights["c2.weight"], weights["c2.bias"]), 0))
    h = np.maximum(_conv3x3(h, weights["c3.weight"], weights["c3.bias"]), 0).mean(axis=(2, 3))
    return h @ weights["fc.weight"][0] + weights["fc.bias"][0]


def available(path: Path = WEIGHTS) -> bool:
    return path.is_file()


@lru_cache(maxsize=2)
def load_weights(path: Path = WEIGHTS) -> dict[str, np.ndarray]:
    """The shipped weights (and the combiner's coefficients, ``combine``), read once."""
    with np.load(path) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


@dataclass(frozen=True)
class HogStyle:
    """How a patch becomes the linear model's features: histogram-equalised first or not, blurred by a
    Gaussian of ``blur`` pixels first (0: not), HOG cells of ``cell`` pixels, the coarse pixels beside the
    HOG or not. Stored in the weights (``hog.style``) so each file is read the way it was trained."""

    equalise: bool
    blur: float
    cell: int
    pixels: bool = True

    def as_array(self) -> np.ndarray:
        return np.array([float(self.equalise), self.blur, float(self.cell), float(self.pixels)], np.float32)


ROUND3 = HogStyle(equalise=False, blur=0.0, cell=4)  # the first weights (no ``hog.style`` in the file)
HOG_STYLE = HogStyle(equalise=True, blur=1.0, cell=4)  # trained now: see weights/EYE_PATCH_MODEL.md


def style_of(weights: dict[str, np.ndarray]) -> HogStyle:
    if "hog.style" not in weights:
        return ROUND3
    eq, blur, cell, pixels = (float(v) for v in weights["hog.style"])
    return HogStyle(bool(eq), blur, int(cell), bool(pixels))


def equalise(patches: np.ndarray) -> np.ndarray:
    """Each patch's grey levels histogram-equalised (on 0–255): any rising change of exposure, contrast or
    gamma gives the same patch, so the linear model cannot tell one source's tone curve from another's."""
    import cv2

    return np.stack([cv2.equalizeHist(np.clip(np.rint(q), 0, 255).astype(np.uint8)) for q in patches]).astype(
        np.float32)


def hog_input(patches: np.ndarray, style: HogStyle = HOG_STYLE) -> np.ndarray:
    """The patches as the linear model sees them: equalised and blurred as ``style`` says, then normalised.
    The blur takes out lash and skin texture, which sharp close-ups show and soft web photos do not."""
    import cv2

    x = equalise(patches) if style.equalise else np.asarray(patches, np.float32)
    if style.blur > 0:
        x = np.stack([cv2.GaussianBlur(q, (0, 0), style.blur) for q in x])
    return normalise(x)


def hog_features(patches: np.ndarray, style: HogStyle = HOG_STYLE) -> np.ndarray:
    """Per patch (``hog_input``): HOG (9 orientations, ``style.cell`` px cells, 2×2-cell blocks; 900 numbers
    at 4 px) and, unless ``style.pixels`` is off, its pixels at half resolution (144, scaled by 0.3 so
    neither part dominates the model)."""
    from skimage.feature import hog

    def one(q: np.ndarray) -> np.ndarray:
        h = hog(q, orientations=9, pixels_per_cell=(style.cell, style.cell), cells_per_block=(2, 2))
        return np.r_[h, 0.3 * q[::2, ::2].ravel()] if style.pixels else h

    return np.stack([one(q) for q in hog_input(patches, style)])


def hog_logits(features: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """The linear model's logits (closed > 0) of ``hog_features`` rows."""
    z = (features - weights["hog.mean"]) / weights["hog.scale"]
    return z @ weights["hog.coef"] + weights["hog.intercept"][0]


def patch_logits(gray: np.ndarray, eyes: list[tuple[np.ndarray, bool]],
                 weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """(N, 2): the CNN's and the linear model's logit per (corners, is the subject's right eye) pair."""
    weights = weights or load_weights()
    if not eyes:
        return np.zeros((0, 2), np.float32)
    patches = np.stack([eye_patch(gray, corners, mirror=right) for corners, right in eyes])
    return np.c_[forward(normalise(patches), weights),
                 hog_logits(hog_features(patches, style_of(weights)), weights)]
