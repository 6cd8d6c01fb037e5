"""An image embedding that needs no weights: colour (Lab histogram), texture (gradient orientations) and
edge statistics, L2-normalised. Good at "what colours and feel", blind to "what objects"."""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIDE = 160


def image_descriptor(rgb: np.ndarray) -> np.ndarray:
    """A 116-d unit vector for an RGB uint8 image.

    >>> a = np.zeros((40, 40, 3), np.uint8); b = a.copy(); b[..., 0] = 255
    >>> bool(image_descriptor(a) @ image_descriptor(a) > 0.999), bool(image_descriptor(a) @ image_descriptor(b) < 0.9)
    (True, True)
    """
    h, w = rgb.shape[:2]
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    hist = cv2.calcHist([lab], [0, 1, 2], None, [4, 5, 5], [0, 256, 0, 256, 0, 256]).ravel()  # neutral mid-bin
    colour = np.sqrt(hist / max(hist.sum(), 1.0))  # Hellinger: sqrt of proportions
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    mag, ang = cv2.cartToPolar(gx, gy)
    bins = (ang % np.pi / np.pi * 8).astype(int) % 8
    orient = np.bincount(bins.ravel(), weights=mag.ravel(), minlength=8)
    orient = np.sqrt(orient / max(orient.sum(), 1e-6))
    edges = cv2.Canny(small, 60, 150) > 0
    stats = np.array([edges.mean() * 4, gray.mean() / 255, gray.std() / 128,
                      lab[..., 1].std() / 64, lab[..., 2].std() / 64, min(mag.mean() / 64, 2.0),
                      (gray > 235).mean(), (gray < 20).mean()], np.float32)
    vec = np.concatenate([colour * 1.0, orient * 0.5, stats * 0.5]).astype(np.float32)
    return vec / max(float(np.linalg.norm(vec)), 1e-9)


class DescriptorEmbedder:
    name = "descriptor"
    version = 2  # bump when the features change at the same dimension
    dim = 116

    def encode(self, images: list[np.ndarray]) -> np.ndarray:
        return np.stack([image_descriptor(img) for img in images]).astype(np.float32)
