"""The learned shading backend: ShadingNet weights from ``ATELIER_MODELS/shading/*.pth``.

Runs at 256x256 and is resized back to the input size, then the seed's contrast (alpha 1.15, beta -10).
The network is loaded once per weights file and kept.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from atelier.tools.core.config import Settings
from atelier.tools.core.models import find_model, missing_reason
from atelier.tools.core.registry import BackendStatus

NET_SIZE = 256
ALPHA, BETA = 1.15, -10.0


@functools.lru_cache(maxsize=2)
def _load_net(path: str, mtime_ns: int):
    from atelier.tools.sketchify.net import load_checkpoint

    return load_checkpoint(path)


class LearnedShading:
    name = "learned"

    def __init__(self, weights: Path):
        self.weights = weights
        self.net = _load_net(str(weights), weights.stat().st_mtime_ns)

    @staticmethod
    def status(settings: Settings, default: bool = False) -> BackendStatus:
        path = find_model(settings, "shading")
        if path is None:
            return BackendStatus("sketchify", "shading", "learned", False, default, None,
                                 missing_reason(settings, "shading"))
        return BackendStatus("sketchify", "shading", "learned", True, default, str(path), "ShadingNet weights found")

    @classmethod
    def load(cls, settings: Settings) -> LearnedShading:
        path = find_model(settings, "shading")
        if path is None:
            raise FileNotFoundError(missing_reason(settings, "shading"))
        return cls(path)

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
