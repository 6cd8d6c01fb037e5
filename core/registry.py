"""What a tool is, and where tools come from.

A tool is one folder with a ``SPEC``: everything the catalogue, the planners, the responder, the run index,
the chat, the CLI, the server and ``doctor`` know about it. Tools are found through the ``atelier.tools``
entry-point group (the built-in ones are registered the same way in pyproject.toml), so a package adds a
tool by being installed. Tool modules must stay light at import time (no torch, cv2 or model loading at
module level), so listing tools is fast.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from .backends import Backend, BackendStatus, statuses
from .cards import Card
from .config import Limits, Settings
from .errors import ErrorCode, ToolError
from .images import ColourMode, LoadedImage

ENTRY_POINT_GROUP = "atelier.tools"


@dataclass(frozen=True)
class ImageRole:
    """One image input of a tool, e.g. ``image`` or ``ref``.

    ``max_pixels`` is the tool's pixel budget for this input (width x height), what keeps its memory bounded
    (peak RSS under 1.5 GB on any accepted input); it is checked on the file's header, before decoding. Over
    it, a tool whose analysis works as well on a smaller copy (``downscale=True``) gets the image shrunk to
    fit the budget, with a warning; any other tool refuses it with ``IMAGE_TOO_LARGE`` naming the budget.
    ``None`` means only the global limit (``[limits] max_pixels``) applies. ``reader`` is the tool's own
    reader for files that are not images (a video reader for a role that also takes clips): it is tried
    first and returns None for a file it does not read, which then goes to the image loader."""

    name: str
    required: bool = True
    mode: ColourMode = "RGB"
    min_size: int = 1
    description: str = ""
    max_pixels: int | None = None
    downscale: bool = False
    reader: Callable[[Path, Limits], LoadedImage | None] | None = None


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
    files: dict[str, bytes] = field(default_factory=dict)  # binary files (name with extension -> bytes), e.g. MP4


ProgressFn = Callable[[float, str], None]


class ToolContext:
    """Per-call services for a tool: settings, stage timing, progress and the deadline."""

    def __init__(self, settings: Settings, progress: ProgressFn | None = None, timeout_s: float | None = None,
                 hooks: dict[str, Any] | None = None):
        self.settings = settings
        # test hooks (e.g. ``fail_faces``): only in-process callers of ``run_tool`` can set them, never the CLI,
        # the server or a plan, because they are not arguments
        self.hooks: dict[str, Any] = dict(hooks or {})
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._deadline = time.monotonic() + timeout_s if timeout_s else None
        self._timeout_s = timeout_s

    def check_deadline(self) -> None:
        """Stop at a stage boundary when the time limit has passed or the user cancelled."""
        from .cancel import requested

        if requested():
            raise ToolError(ErrorCode.CANCELLED, "stopped: cancelled by the user")
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise ToolError(ErrorCode.TIMEOUT, f"stopped after the {self._timeout_s:g} s time limit")

    def progress(self, fraction: float, message: str) -> None:
        from .cancel import requested

        if requested():
            raise ToolError(ErrorCode.CANCELLED, "stopped: cancelled by the user")
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
class Rule:
    """A keyword rule of the rule planner: the tool is chosen for a clause when every ``all`` pattern matches
    the clause, no ``none`` pattern does, likewise ``request_all``/``request_none`` on the whole request, and
    (when ``style`` is set) the clause names or does not name a style of the library. Lower ``priority``
    rules are tried first, across all tools."""

    priority: int
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    request_all: tuple[str, ...] = ()
    request_none: tuple[str, ...] = ()
    style: bool | None = None


@dataclass(frozen=True)
class ArgCue:
    """Where an argument's value is in the words: ``pattern``'s groups give the values of ``args`` (in order),
    read as ``kind``: ``number``, ``int``, ``fraction`` ("65 %" or "0.65" -> 0.65), ``complement`` (a share of the
    other part: "70 % lines" -> shading 0.3) or ``value`` (the cue's
    fixed ``value``, for words like "heavier shading"). ``when`` must also match the clause. The first cue
    that matches sets an argument."""

    args: tuple[str, ...]
    pattern: str
    kind: Literal["number", "int", "fraction", "complement", "value"] = "number"
    value: Any = None
    when: str = ""
    minimum: float | None = None


@dataclass(frozen=True)
class PlannerHints:
    """What the rule planner needs to know about a tool, as data.

    ``text_arg`` names an argument filled from the clause's own words (``style``: the style the clause names,
    else its descriptive words; ``query``: the clause without filler words). ``ref_from`` is the tool whose
    image output can fill this tool's ``ref`` role when the request names it in words instead of attaching
    it (stylize: a named style is retrieved first). ``vocabulary`` are words the typo fixer corrects towards.
    """

    rules: tuple[Rule, ...] = ()
    args: tuple[ArgCue, ...] = ()
    text_arg: tuple[str, Literal["style", "query"]] | None = None
    ref_from: str | None = None
    vocabulary: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """A command line the tool adds to ``atelier``: ``atelier GROUP NAME``, the function at ``target``
    (``"module:function"``, a typer-annotated function, imported only when the CLI is built)."""

    group: str
    name: str
    target: str
    help: str = ""


Presenter = Callable[[dict[str, Any], dict[str, str]], Card]
Feedback = Callable[[dict[str, Any], str, str, str, Settings], None]


@dataclass(frozen=True)
class ToolSpec:
    """Everything about one tool. ``description`` is what planners read; ``examples`` are phrasings that ask
    for it; ``present(result, inputs)`` makes the result's card (``inputs``: role -> image path);
    ``describe_run(record)`` is the text a past run is found by (None: runs of this tool are not indexed);
    ``controls`` are arguments a result can be re-run with, edited in place (their current values are the
    outputs of the same name); ``defaults`` are arguments the chat offers as per-conversation defaults;
    ``feedback(result, input_path, verdict, note, settings)`` keeps a user's "looks right / wrong";
    ``commands`` are the tool's own command lines (trainers, checkers); ``run_batch`` (optional) runs many
    inputs with the same arguments at once, one output or ``ToolError`` per input, for batches."""

    name: str
    summary: str
    description: str
    args_model: type[BaseModel]
    images: tuple[ImageRole, ...]
    run: Callable[[dict[str, LoadedImage], Any, ToolContext], ToolOutput]
    present: Presenter
    backends: tuple[Backend, ...] = ()
    produces_image: bool = True
    examples: tuple[str, ...] = ()
    hints: PlannerHints = PlannerHints()
    describe_run: Callable[[dict[str, Any]], str] | None = None
    controls: tuple[str, ...] = ()
    defaults: tuple[str, ...] = ()
    feedback: Feedback | None = None
    commands: tuple[Command, ...] = ()
    run_batch: Callable[[list[dict[str, LoadedImage]], Any, ToolContext], list[ToolOutput | ToolError]] | None = None
    version: str = "1.0"

    def role(self, name: str) -> ImageRole | None:
        return next((r for r in self.images if r.name == name), None)

    @property
    def needs_image(self) -> bool:
        role = self.role("image")
        return bool(role and role.required)

    def backend_statuses(self, settings: Settings) -> list[BackendStatus]:
        return statuses(self.name, self.backends, settings)

    @property
    def resources(self) -> dict[str, float]:
        """What one call may need (the most any backend asks), for batch engines."""
        out: dict[str, float] = {}
        for backend in self.backends:
            for key, amount in backend.resources.items():
                out[key] = max(out.get(key, 0.0), amount)
        return out


@functools.cache
def _entry_points() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def tool_names() -> list[str]:
    """Installed tools, in the order their packages declare them."""
    return list(_entry_points())


def closest(name: str, known: list[str]) -> str:
    """' (did you mean X?)' for a near miss, else ''."""
    import difflib

    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


@functools.cache
def get_tool(name: str) -> ToolSpec:
    eps = _entry_points()
    if name not in eps:
        raise ToolError(ErrorCode.BAD_ARGUMENT,
                        f"unknown tool {name!r}{closest(name, list(eps))}; known tools: {', '.join(eps)}")
    spec = eps[name].load()
    if not isinstance(spec, ToolSpec) or spec.name != name:
        raise ToolError(ErrorCode.INTERNAL, f"entry point {name!r} ({eps[name].value}) is not the ToolSpec {name!r}")
    return spec


def all_tools() -> list[ToolSpec]:
    return [get_tool(name) for name in tool_names()]


def refresh() -> None:
    """Look for tools again (after a package was installed into the running process, e.g. in tests)."""
    import importlib

    importlib.invalidate_caches()
    _entry_points.cache_clear()
    get_tool.cache_clear()
