"""Shading backends: one small interface, one file per backend.

A backend turns 8-bit grayscale into a shading tone image (float32, [0, 255], 255 = paper) of the same
size. Adding a backend is a new file plus one line in ``SHADING_BACKENDS``.
"""

from __future__ import annotations

import importlib
from typing import Protocol

import numpy as np

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.registry import BackendStatus

DEFAULT_SHADING = "classical"


class ShadingBackend(Protocol):
    name: str

    def shade(self, gray: np.ndarray) -> np.ndarray: ...


# name -> "module:Class"; each class has ``status(settings) -> BackendStatus`` and ``load(settings)``.
SHADING_BACKENDS: dict[str, str] = {
    "classical": "atelier.tools.sketchify.backends.classical:ClassicalShading",
    "learned": "atelier.tools.sketchify.backends.learned:LearnedShading",
}


def _backend_class(name: str):
    try:
        module, cls = SHADING_BACKENDS[name].split(":")
    except KeyError:
        raise ToolError(
            ErrorCode.BAD_ARGUMENT, f"unknown shading backend {name!r}; known: {', '.join(SHADING_BACKENDS)}"
        ) from None
    return getattr(importlib.import_module(module), cls)


def resolve_name(requested: str, settings: Settings) -> str:
    return settings.backend_for("sketch_shading", DEFAULT_SHADING) if requested == "auto" else requested


def shading_statuses(settings: Settings) -> list[BackendStatus]:
    default = resolve_name("auto", settings)
    return [_backend_class(name).status(settings, default=name == default) for name in SHADING_BACKENDS]


def get_shading_backend(name: str, settings: Settings) -> ShadingBackend:
    """The named backend, loaded (once per weights file); BACKEND_UNAVAILABLE when it cannot run here."""
    cls = _backend_class(name)
    status = cls.status(settings)
    if not status.available:
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"shading backend '{name}' cannot run: {status.reason}")
    return cls.load(settings)
