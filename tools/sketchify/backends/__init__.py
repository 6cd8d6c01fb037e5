"""Sketch backends: one record each in ``BACKENDS``, one file each, behind the ``ShadingBackend`` interface.

A shading backend turns 8-bit grayscale into a shading tone image (float32, [0, 255], 255 = paper) of the
same size. Adding one is a new file with ``load(settings, path)`` plus one record here.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from atelier.core.backends import Backend, choose, load
from atelier.core.config import Settings


class ShadingBackend(Protocol):
    name: str

    def shade(self, gray: np.ndarray) -> np.ndarray: ...


BACKENDS = (
    Backend("lines", "colour-dodge", "built in: colour-dodge line art (graphite, charcoal)"),
    Backend("lines", "xdog", "built in: XDoG line art (ink)"),
    Backend("shading", "classical", "built in: pencil-tone map and hatching (after Lu et al. 2012), no weights",
            loader="atelier.tools.sketchify.backends.classical:load", setting="sketch_shading"),
    Backend("shading", "learned", "ShadingNet weights (learned shading generator)",
            loader="atelier.tools.sketchify.backends.learned:load", models=("shading",), setting="sketch_shading"),
)


def shading_backend(requested: str, settings: Settings) -> ShadingBackend:
    """The shading backend for ``requested`` (``auto``: configured, else classical), loaded once per weights."""
    return load(choose(BACKENDS, "shading", requested, settings, tool="sketchify"), settings)
