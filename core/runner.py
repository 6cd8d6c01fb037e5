"""Run one tool call: validate arguments, load images, call the tool, save its images atomically, and
always come back with a ``ToolResult`` — never a traceback, never a half-written file."""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .config import Settings, load_settings
from .errors import ErrorCode, ToolError
from .images import LoadedImage, encode_png, load_image, write_bytes_atomic
from .registry import ProgressFn, ToolContext, ToolOutput, ToolSpec, get_tool
from .result import ErrorInfo, ToolResult

PACKAGE_VERSION = "0.1.0"


@dataclass
class RunOutcome:
    result: ToolResult
    inputs: dict[str, LoadedImage] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    traceback: str | None = None


def _describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_args(spec: ToolSpec, args: dict[str, Any], settings: Settings):
    """Config defaults under the caller's arguments, checked by the tool's input model."""
    merged = {**settings.defaults_for(spec.name), **args}
    try:
        return spec.args_model.model_validate(merged)
    except ValidationError as exc:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name}: {_describe_validation(exc)}") from None


def load_inputs(spec: ToolSpec, images: dict[str, str | os.PathLike[str]], settings: Settings):
    unknown = set(images) - {r.name for r in spec.images}
    if unknown:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name} takes no image input named {sorted(unknown)}")
    loaded: dict[str, LoadedImage] = {}
    for role in spec.images:
        if role.name not in images or images[role.name] in (None, ""):
            if role.required:
                raise ToolError(ErrorCode.BAD_ARGUMENT, f"{spec.name} needs an input image for '{role.name}'")
            continue
        loaded[role.name] = load_image(images[role.name], role.mode, settings.limits, role.min_size)
    return loaded


def _save_images(output: ToolOutput, out_dir: Path, metadata: dict[str, Any]) -> dict[str, str]:
    """Encode every image first, then write them; a failure removes whatever this call wrote."""
    encoded = {f"{name}.png": encode_png(pixels, metadata) for name, pixels in output.images.items()}
    encoded.update({name: text.encode() for name, text in output.texts.items()})
    written: list[Path] = []
    try:
        for name, data in encoded.items():
            written.append(write_bytes_atomic(data, out_dir / name))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return {Path(name).stem if name.endswith(".png") else name: str(path.resolve())
            for name, path in zip(encoded, written, strict=True)}


def run_tool(
    name: str,
    images: dict[str, str | os.PathLike[str]] | None = None,
    args: dict[str, Any] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    timeout_s: float | None = None,
) -> RunOutcome:
    """Call tool ``name`` on image paths by role; images the tool makes are written under ``out_dir``."""
    settings = settings or load_settings()
    t0 = time.perf_counter()
    outcome = RunOutcome(result=ToolResult(tool=name, ok=False))
    ctx = ToolContext(settings, progress, timeout_s)
    try:
        spec = get_tool(name)
        with ctx.stage("load"):
            parsed = parse_args(spec, args or {}, settings)
            outcome.params = parsed.model_dump(mode="json")
            outcome.inputs = load_inputs(spec, images or {}, settings)
        output = spec.run(outcome.inputs, parsed, ctx)
        ctx.check_deadline()
        warnings = [w for img in outcome.inputs.values() for w in img.warnings] + output.warnings
        artifacts: dict[str, str] = {}
        if output.images or output.texts:
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
    except ToolError as exc:
        outcome.result.error = ErrorInfo(code=exc.code, message=exc.message)
        outcome.result.outputs = exc.outputs
        outcome.result.warnings = [w for img in outcome.inputs.values() for w in img.warnings]
    except MemoryError:
        outcome.result.error = ErrorInfo(code=ErrorCode.IMAGE_TOO_LARGE, message=f"{name}: ran out of memory")
    except Exception as exc:  # a bug of ours: report it as INTERNAL, keep the traceback for the record
        outcome.traceback = traceback.format_exc()
        outcome.result.error = ErrorInfo(code=ErrorCode.INTERNAL, message=f"{name}: {type(exc).__name__}: {exc}")
    outcome.result.timings = {**ctx.timings, "total": round(time.perf_counter() - t0, 6)}
    return outcome
