"""The learned shading backend: ShadingNet weights from ``ATELIER_MODELS/shading/*.pth``.

Runs at 256x256 and is resized back to the input size, then the seed's contrast (alpha 1.15, beta -10).
The network is loaded once per weights file and kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from atelier.core.config import Settings

NET_SIZE = 256
ALPHA, BETA = 1.15, -10.0


def load(settings: Settings, path: str | None) -> LearnedShading:
    """The network for the weights file at ``path`` (the backend mechanism loads it once per path)."""
    return LearnedShading(Path(str(path)))


class LearnedShading:
    name = "learned"

    def __init__(self, weights: Path):
        from atelier.tools.sketchify.net import load_checkpoint

        self.weights = weights
        self.net = load_checkpoint(str(weights))

    def shade(self, gray: np.ndarray) -> np.ndarray:
        import cv2
        import torch

        h, w = gray.shape[:2]
        small = cv2.resize(gray, (NET_SIZE, NET_SIZE), interpolation=cv2.INTER_AREA)
        x = torch.from_numpy(small.astype(np.float32) / 255.0)[None, None]
        with torch.inference_mode():
            tone = self.net(x)[0, 0].numpy() * 255.0
        tone = cv2.resize(tone.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        return np.clip(ALPHA * tone + BETA, 0.0, 255.0).astype(np.float32)
