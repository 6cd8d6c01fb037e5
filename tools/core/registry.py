"""What a tool is, and the one table of tools the CLI, the agent and the UI all read.

Tool modules are imported on first use and must stay light at import time (no torch, cv2 or model
loading at module level), so listing tools is fast.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from .config import Settings
from .errors import ErrorCode, ToolError
from .images import ColourMode, LoadedImage

# name -> module defining SPEC. Adding a tool is one line here plus its package.
TOOL_MODULES: dict[str, str] = {
    "sketchify": "atelier.tools.sketchify.tool",
    "reconstruct_sprite": "atelier.tools.sprite.tool",
    "retrieve_style": "atelier.tools.style.retrieve",
    "stylize": "atelier.tools.style.stylize",
    "search_runs": "atelier.tools.search_runs.tool",
    "describe_punk": "atelier.tools.punk.tool",
    "detect_closed_eyes": "atelier.tools.eyes.detect",
    "open_eyes": "atelier.tools.eyes.open",
    "restore_face": "atelier.tools.restore.tool",
}


@dataclass(frozen=True)
class ImageRole:
    """One image input of a tool, e.g. ``image`` or ``ref``."""

    name: str
    required: bool = True
    mode: ColourMode = "RGB"
    min_size: int = 1
    description: str = ""


@dataclass(frozen=True)
class BackendStatus:
    """Whether one backend for one role can run now, and why not."""

    tool: str
    role: str
    backend: str
    available: bool
    default: bool = False
    path: str | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool, "role": self.role, "backend": self.backend, "available": self.available,
            "default": self.default, "path": self.path, "reason": self.reason,
        }


@dataclass
class ToolOutput:
    """What a tool's ``run`` hands back; the runner adds timings, saves images and builds the result."""

    backend: str
    backends: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    images: dict[str, np.ndarray] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # extra files (name with extension -> text), e.g. JSON


ProgressFn = Callable[[float, str], None]


class ToolContext:
    """Per-call services for a tool: settings, stage timing, progress and the deadline."""

    def __init__(self, settings: Settings, progress: ProgressFn | None = None, timeout_s: float | None = None):
        self.settings = settings
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._deadline = time.monotonic() + timeout_s if timeout_s else None
        self._timeout_s = timeout_s

    def check_deadline(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise ToolError(ErrorCode.TIMEOUT, f"stopped after the {self._timeout_s:g} s time limit")

    def progress(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress(max(0.0, min(1.0, fraction)), message)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage (accumulating if repeated) and honour the deadline before it starts."""
        self.check_deadline()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - t0, 6)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    summary: str
    args_model: type[BaseModel]
    images: tuple[ImageRole, ...]
    run: Callable[[dict[str, LoadedImage], Any, ToolContext], ToolOutput]
    backends: Callable[[Settings], list[BackendStatus]]
    produces_image: bool = True
    version: str = "1.0"

    def role(self, name: str) -> ImageRole | None:
        return next((r for r in self.images if r.name == name), None)


def tool_names() -> list[str]:
    return list(TOOL_MODULES)


def get_tool(name: str) -> ToolSpec:
    try:
        module = TOOL_MODULES[name]
    except KeyError:
        raise ToolError(
            ErrorCode.BAD_ARGUMENT, f"unknown tool {name!r}; known tools: {', '.join(TOOL_MODULES)}"
        ) from None
    return importlib.import_module(module).SPEC


def all_tools() -> list[ToolSpec]:
    return [get_tool(name) for name in TOOL_MODULES]
