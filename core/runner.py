"""Run one tool call: validate arguments, load images, call the tool, save its images atomically, and
always come back with a ``ToolResult`` — never a traceback, never a half-written file."""

from __future__ import annotations

import math
import os
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import ValidationError

from .config import Settings, load_settings
from .errors import REPAIR_ADVICE, DamagedState, ErrorCode, ToolError, looks_damaged
from .images import LoadedImage, check_min_size, encode_png, load_image
from .outputs import write_outputs
from .registry import ProgressFn, ToolContext, ToolOutput, ToolSpec, closest, get_tool
from .result import ErrorInfo, ToolResult

PACKAGE_VERSION = "0.1.0"


@dataclass
class RunOutcome:
    result: ToolResult
    inputs: dict[str, LoadedImage] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    traceback: str | None = None


def _describe_validation(exc: ValidationError, spec: ToolSpec) -> str:
    known = list(spec.args_model.model_fields)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        if err["type"] == "extra_forbidden":
            parts.append(f"{where}: unknown argument{closest(where, known)} (arguments: {', '.join(known)})")
        else:
            parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _types(annotation: Any) -> set[Any]:
    """Every type an annotation allows (through Optional, unions, Annotated, Literal values' types)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _types(get_args(annotation)[0])
    if origin is Literal:
        return {type(v) for v in get_args(annotation)}
    if origin in (Union, UnionType):
        return set().union(*(_types(a) for a in get_args(annotation)))
    return {origin or annotation}


def _strict(spec: ToolSpec, merged: dict[str, Any]) -> None:
    """What pydantic's lax mode lets through but is never meant: ``true`` for a number (read as 1.0), a
    non-finite number, an integer too long to be a seed or a count."""
    fields = spec.args_model.model_fields
    for key, value in merged.items():
        if not isinstance(value, bool):
            continue
        field_ = fields.get(key)
        # a key that is no field is an alias a before-validator maps (sketchify's ai_strength -> shading) or an
        # unknown name; Atelier's only boolean arguments are fields
        allowed = _types(field_.annotation) if field_ is not None else set()
        if not allowed & {bool, Any, object}:
            raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name}: {key}: expected a number, got {value!r}")
    _finite(spec, merged)


def _finite(spec: ToolSpec, values: Any, where: str = "") -> None:
    if isinstance(values, dict):
        for key, value in values.items():
            _finite(spec, value, f"{where}.{key}" if where else str(key))
    elif isinstance(values, list | tuple):
        for i, value in enumerate(values):
            _finite(spec, value, f"{where}[{i}]")
    elif isinstance(values, float) and not math.isfinite(values):
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name}: {where}: must be a finite number, got {values!r}")
    elif isinstance(values, int) and not isinstance(values, bool) and abs(values) > MAX_INT:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name}: {where}: {len(str(values))}-digit number is too "
                        f"large (at most {MAX_INT:,})")


MAX_INT = 2**63 - 1


def parse_args(spec: ToolSpec, args: dict[str, Any], settings: Settings):
    """Config defaults under the caller's arguments, checked by the tool's input model; numbers strictly
    (no booleans for numbers, only finite values, at most 64-bit integers)."""
    if not isinstance(args, dict):
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name}: arguments must be a mapping, got {type(args).__name__}")
    merged = {**settings.defaults_for(spec.name), **args}
    _strict(spec, merged)
    try:
        parsed = spec.args_model.model_validate(merged)
    except ValidationError as exc:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name}: {_describe_validation(exc, spec)}") from None
    _finite(spec, parsed.model_dump(mode="python"))
    return parsed


def check_timeout(timeout_s: Any) -> float | None:
    """``None`` (no limit) or a positive, finite number of seconds."""
    if timeout_s is None:
        return None
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) or not math.isfinite(timeout_s) \
            or timeout_s <= 0:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"--timeout must be a positive number of seconds, got {timeout_s!r}")
    return float(timeout_s)


def load_inputs(spec: ToolSpec, images: dict[str, str | os.PathLike[str]], settings: Settings):
    known = [r.name for r in spec.images]
    unknown = sorted(set(images) - set(known))
    if unknown:
        hint = closest(unknown[0], known)
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name} takes no image input named {unknown}{hint} "
                        f"(its inputs: {', '.join(known) or 'none'})")
    loaded: dict[str, LoadedImage] = {}
    for role in spec.images:
        if role.name not in images or images[role.name] in (None, ""):
            if role.required:
                raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name} needs an input image for '{role.name}'")
            continue
        own = role.reader(Path(images[role.name]), settings.limits) if role.reader else None
        if own is not None:
            check_min_size(own.pixels, role.min_size, images[role.name])
        loaded[role.name] = own or load_image(images[role.name], role.mode, settings.limits, role.min_size,
                                              max_pixels=role.max_pixels, downscale=role.downscale, who=spec.name)
    return loaded


def _save_images(output: ToolOutput, out_dir: Path, metadata: dict[str, Any]) -> dict[str, str]:
    """Encode every image first, then write them all or nothing (``write_outputs``)."""
    encoded = {f"{name}.png": encode_png(pixels, metadata) for name, pixels in output.images.items()}
    encoded.update({name: text.encode() for name, text in output.texts.items()})
    encoded.update(output.files)
    written = write_outputs(encoded, out_dir)
    return {Path(name).stem if name.endswith(".png") else name: str(path.resolve())
            for name, path in written.items()}


@dataclass
class _Call:
    """One call in flight: its outcome so far, its context, and what the first half found."""

    name: str
    outcome: RunOutcome
    ctx: ToolContext
    t0: float
    spec: ToolSpec | None = None
    parsed: Any = None


@contextmanager
def _guarded(call: _Call) -> Iterator[None]:
    """Whatever goes wrong inside becomes the call's error: a ToolError as itself, a corrupt home file as
    DAMAGED_STATE, anything else as INTERNAL with its traceback kept for the record."""
    name, outcome = call.name, call.outcome
    try:
        yield
    except ToolError as exc:
        outcome.result.error = ErrorInfo(code=exc.code, message=exc.message)
        outcome.result.outputs = exc.outputs
        outcome.result.warnings = [w for img in outcome.inputs.values() for w in img.warnings]
    except MemoryError:
        outcome.result.error = ErrorInfo(code=ErrorCode.IMAGE_TOO_LARGE, message=f"{name}: ran out of memory")
    except DamagedState as exc:
        outcome.result.error = ErrorInfo(code=ErrorCode.DAMAGED_STATE, message=str(exc))
    except Exception as exc:  # a bug of ours: report it as INTERNAL, keep the traceback for the record
        if looks_damaged(exc):  # ... unless a file of the home is corrupt (the Chroma store, a database)
            outcome.result.error = ErrorInfo(code=ErrorCode.DAMAGED_STATE, message=f"{name}: a file of the Atelier "
                                             f"home is damaged ({exc}); {REPAIR_ADVICE}")
            return
        outcome.traceback = traceback.format_exc()
        outcome.result.error = ErrorInfo(code=ErrorCode.INTERNAL, message=f"{name}: {type(exc).__name__}: {exc}")


def _start(name: str, images: dict[str, Any] | None, args: dict[str, Any] | None, settings: Settings,
           progress: ProgressFn | None, timeout_s: float | None, hooks: dict[str, Any] | None) -> _Call:
    """The first half of a call: find the tool, check the arguments, load the inputs."""
    call = _Call(name, RunOutcome(result=ToolResult(tool=name, ok=False)), ToolContext(settings, progress, None, hooks),
                 time.perf_counter())
    with _guarded(call):
        call.ctx = ToolContext(settings, progress, check_timeout(timeout_s), hooks)
        call.spec = get_tool(name)
        with call.ctx.stage("load"):
            call.parsed = parse_args(call.spec, args or {}, settings)
            call.outcome.params = call.parsed.model_dump(mode="json")
            call.outcome.inputs = load_inputs(call.spec, images or {}, settings)
    return call


def _finish(call: _Call, output: ToolOutput | ToolError, out_dir: str | os.PathLike[str] | None) -> RunOutcome:
    """The second half: the tool's output (or its error) saved atomically and turned into the result."""
    name, outcome, ctx, spec = call.name, call.outcome, call.ctx, call.spec
    with _guarded(call):
        if isinstance(output, ToolError):
            raise output
        ctx.check_deadline()
        warnings = [w for img in outcome.inputs.values() for w in img.warnings] + output.warnings
        artifacts: dict[str, str] = {}
        if out_dir is None and not spec.produces_image:
            # a finding tool's pictures are extras: kept only with a folder
            output.images, output.texts, output.files = {}, {}, {}
        if output.images or output.texts or output.files:
            if out_dir is None:
                raise ToolError(ErrorCode.INTERNAL, f"{name} produced images but no output folder was given")
            metadata = {
                "tool": name, "tool_version": spec.version, "version": PACKAGE_VERSION,
                "backend": output.backend, "backends": output.backends, "parameters": outcome.params,
                "seed": outcome.params.get("seed"), "timings": ctx.timings, **output.metadata,
            }
            with ctx.stage("save"):
                artifacts = _save_images(output, Path(out_dir), metadata)
        outcome.result = ToolResult(
            tool=name, ok=True, backend=output.backend, backends=output.backends or {"main": output.backend},
            outputs=output.outputs, artifacts=artifacts, metrics=output.metrics, warnings=warnings,
        )
    outcome.result.timings = {**ctx.timings, "total": round(time.perf_counter() - call.t0, 6)}
    return outcome


def run_tool(
    name: str,
    images: dict[str, str | os.PathLike[str]] | None = None,
    args: dict[str, Any] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    timeout_s: float | None = None,
    hooks: dict[str, Any] | None = None,
) -> RunOutcome:
    """Call tool ``name`` on image paths by role; images the tool makes are written under ``out_dir``.
    ``hooks`` are test hooks the tool may read from ``ctx.hooks`` (never reachable from the CLI)."""
    call = _start(name, images, args, settings or load_settings(), progress, timeout_s, hooks)
    if call.outcome.result.error is None:
        with _guarded(call):
            return _finish(call, call.spec.run(call.outcome.inputs, call.parsed, call.ctx), out_dir)
    return _closed(call)


def run_tool_batch(name: str, items: list[dict[str, str | os.PathLike[str]]], args: dict[str, Any] | None,
                   out_dirs: list[str | os.PathLike[str] | None], settings: Settings | None = None) -> list[RunOutcome]:
    """Many calls of one tool with the same arguments: each input is loaded and checked on its own, then a tool
    with ``run_batch`` handles all the good ones at once (its model runs once for the lot); results are the
    same as one ``run_tool`` per item."""
    settings = settings or load_settings()
    calls = [_start(name, images, args, settings, None, None, None) for images in items]
    ready = [i for i, c in enumerate(calls) if c.outcome.result.error is None]
    spec = calls[ready[0]].spec if ready else None
    if spec is not None and spec.run_batch is not None:
        first = calls[ready[0]]
        outputs: list[ToolOutput | ToolError] | None = None
        with _guarded(first):
            outputs = spec.run_batch([calls[i].outcome.inputs for i in ready], first.parsed, first.ctx)
        if outputs is not None:
            for i, output in zip(ready, outputs, strict=True):
                _finish(calls[i], output, out_dirs[i])
            return [c.outcome for c in calls]
    return [run_tool(name, images, args, out, settings) if c.outcome.result.error is None else _closed(c)
            for c, images, out in zip(calls, items, out_dirs, strict=True)]


def _closed(call: _Call) -> RunOutcome:
    call.outcome.result.timings = {**call.ctx.timings, "total": round(time.perf_counter() - call.t0, 6)}
    return call.outcome
