"""The default shading backend: classical multi-scale tonal shading, no weights."""

from __future__ import annotations

import numpy as np

from atelier.tools.core.config import Settings
from atelier.tools.core.registry import BackendStatus


class ClassicalShading:
    name = "classical"

    @staticmethod
    def status(settings: Settings, default: bool = False) -> BackendStatus:
        return BackendStatus("sketchify", "shading", "classical", True, default, None,
                             "built in: multi-scale tonal shading, needs no weights")

    @classmethod
    def load(cls, settings: Settings) -> ClassicalShading:
        return cls()

    def shade(self, gray: np.ndarray) -> np.ndarray:
        from atelier.tools.sketchify.shading import tonal_shading

        return tonal_shading(gray)
