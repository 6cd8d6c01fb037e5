"""One backend mechanism for every tool: a backend is a name, a role, an availability probe and a lazy loader.

A tool's spec lists its ``Backend`` records (in order of preference); ``choose`` turns ``auto`` or an explicit
name into one backend (or ``BACKEND_UNAVAILABLE`` saying what to install); ``load`` builds it once per process
and weights path; ``statuses`` is what ``atelier doctor`` prints. A second backend for a role is one more
record and one more file, not a new ``if`` in every caller.

>>> b = Backend("shading", "classical", "tonal shading, no weights")
>>> choose((b,), "shading", "auto", Settings(home=Path("/tmp/h"), models=Path("/tmp/m"))).name
'classical'
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import ErrorCode, ToolError
from .models import find_model, missing_reason


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here now; ``path`` is where its weights were found, ``reason`` says why not."""

    available: bool
    path: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class BackendStatus:
    """One row of ``atelier doctor``."""

    tool: str
    role: str
    backend: str
    available: bool
    default: bool = False
    path: str | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "role": self.role, "backend": self.backend, "available": self.available,
                "default": self.default, "path": self.path, "reason": self.reason}


Probe = Callable[[Settings], Availability]


@dataclass(frozen=True)
class Backend:
    """One way to fill one role of a tool.

    ``models`` are model kinds (``atelier.core.models``) that must be present in ``ATELIER_MODELS``; the first
    one found is the backend's path. ``packages`` must be importable. ``probe`` adds any other check.
    ``loader`` is ``"module:function"``; the function takes ``(settings, path)`` and is imported only on
    ``load``. ``setting`` is the config key (``[backends]`` in config.toml, ``ATELIER_BACKEND_<KEY>``) whose
    value replaces ``auto``. ``resources`` tell batch engines where the backend may run (e.g. ``{"GPU": 1}``).
    """

    role: str
    name: str
    summary: str
    loader: str | None = None
    models: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    probe: Probe | None = None
    setting: str | None = None
    resources: dict[str, float] = field(default_factory=dict)

    def availability(self, settings: Settings) -> Availability:
        for package in self.packages:
            if importlib.util.find_spec(package) is None:
                return Availability(False, None, f"the {package} package is not installed")
        path = None
        for kind in self.models:
            found = find_model(settings, kind)
            if found is None:
                return Availability(False, None, missing_reason(settings, kind))
            path = path or str(found)
        if self.probe is not None:
            probed = self.probe(settings)
            if not probed.available or probed.path:
                return probed
            return Availability(True, path, probed.reason or self.summary)
        return Availability(True, path, self.summary)


def _in_role(backends: Sequence[Backend], role: str) -> list[Backend]:
    return [b for b in backends if b.role == role]


def configured(backends: Sequence[Backend], role: str, settings: Settings) -> str | None:
    """The backend name the config or environment sets for this role, if any."""
    keys = {b.setting for b in _in_role(backends, role) if b.setting}
    for key in keys:
        value = settings.backend_for(key)
        if value and value != "auto":
            return value
    return None


def choose(backends: Sequence[Backend], role: str, requested: str, settings: Settings,
           prefer: Sequence[str] | None = None, tool: str = "") -> Backend:
    """The backend to run for ``role``: the requested one, or for ``auto`` the configured one, else the first
    available in ``prefer`` (default: declaration order). Raises ``BAD_ARGUMENT`` for an unknown name and
    ``BACKEND_UNAVAILABLE`` (with what to install) when the chosen one cannot run."""
    candidates = _in_role(backends, role)
    by_name = {b.name: b for b in candidates}
    label = f"{tool} {role}".strip()
    name = requested if requested != "auto" else configured(backends, role, settings)
    if name is not None:
        if name not in by_name:
            raise ToolError(ErrorCode.BAD_ARGUMENT,
                            f"unknown {label} backend {name!r}; known: {', '.join(by_name) or 'none'}")
        state = by_name[name].availability(settings)
        if not state.available:
            raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"{label} backend '{name}' cannot run: {state.reason}")
        return by_name[name]
    order = [by_name[n] for n in prefer if n in by_name] if prefer is not None else candidates
    reasons = []
    for backend in order:
        state = backend.availability(settings)
        if state.available:
            return backend
        reasons.append(f"{backend.name}: {state.reason}")
    raise ToolError(ErrorCode.BACKEND_UNAVAILABLE,
                    f"no {label} backend can run here ({'; '.join(reasons) or 'none declared'})")


def load(backend: Backend, settings: Settings) -> Any:
    """The backend's object, built once per process for each weights path."""
    if backend.loader is None:
        raise ToolError(ErrorCode.INTERNAL, f"backend {backend.name!r} has nothing to load")
    state = backend.availability(settings)
    if not state.available:
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"{backend.role} backend '{backend.name}' cannot run: "
                        f"{state.reason}")
    mtime = Path(state.path).stat().st_mtime_ns if state.path and Path(state.path).exists() else 0
    key = (backend.loader, state.path, mtime)  # retrained weights written in place are loaded afresh
    with _LOCK:
        if key not in _LOADED:
            module, function = backend.loader.split(":")
            _LOADED[key] = getattr(importlib.import_module(module), function)(settings, state.path)
        return _LOADED[key]


_LOADED: dict[tuple[str, str | None, int], Any] = {}
_LOCK = threading.RLock()


def statuses(tool: str, backends: Sequence[Backend], settings: Settings,
             defaults: dict[str, str] | None = None) -> list[BackendStatus]:
    """Every backend of a tool with its availability; ``default`` marks what ``auto`` would pick now."""
    rows = []
    picked: dict[str, str | None] = {}
    for role in dict.fromkeys(b.role for b in backends):
        if defaults and role in defaults:
            picked[role] = defaults[role]
            continue
        try:
            picked[role] = choose(backends, role, "auto", settings, tool=tool).name
        except ToolError:
            picked[role] = None
    for b in backends:
        state = b.availability(settings)
        rows.append(BackendStatus(tool, b.role, b.name, state.available, picked.get(b.role) == b.name,
                                  state.path, state.reason))
    return rows
