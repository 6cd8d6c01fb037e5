"""The default shading backend: the classical pencil tone map (Lu et al. 2012 style), no weights."""

from __future__ import annotations

import numpy as np

from atelier.core.config import Settings


def load(settings: Settings, path: str | None) -> ClassicalShading:
    return ClassicalShading()


class ClassicalShading:
    name = "classical"

    def shade(self, gray: np.ndarray) -> np.ndarray:
        """Pencil tone of 8-bit grayscale: float32 in [0, 255], 255 = paper."""
        from atelier.tools.sketchify.tone import tone_map

        return tone_map(gray) * np.float32(255.0)
