"""One recorded tool call: the runner does the work, this module keeps the record.

Every call gets ``ATELIER_HOME/runs/<run_id>/`` with its outputs and ``record.json`` plus a SQLite row;
a failed call leaves a record with ``ok=false`` and its error, and no output file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atelier.core.config import Settings, load_settings
from atelier.core.errors import DamagedState, ErrorCode, ToolError
from atelier.core.outputs import check_output_folder, output_error, output_names, write_outputs
from atelier.core.registry import ProgressFn
from atelier.core.result import ErrorInfo, ToolResult
from atelier.core.runner import PACKAGE_VERSION, RunOutcome, run_tool
from atelier.runs.store import RunStore


@dataclass(frozen=True)
class CallContext:
    """Who asked: set when the agent makes the call, empty for a direct CLI call."""

    request: str | None = None
    request_id: str | None = None
    thread_id: str | None = None
    step_id: str | None = None
    names: dict[str, str] | None = None  # role -> the file name the user gave the input (uploads are renamed)


def export(artifacts: dict[str, str], out_dir: Path, stem: str | None, tool: str) -> dict[str, str]:
    """Copy a call's artifacts into the user's folder, named ``{stem}-{tool}…`` and never overwriting
    (``write_outputs``); raises ``ToolError`` (``OUTPUT_UNWRITABLE``/``DISK_FULL``) having written nothing."""
    files = {Path(src).name: Path(src).read_bytes() for src in artifacts.values()}
    written = write_outputs(files, out_dir, names=output_names(list(files), stem, tool), unique=True)
    return {name: str(written[Path(src).name].resolve()) for name, src in artifacts.items()}


def input_stem(images: dict[str, Any]) -> str | None:
    """The main input's file stem (``astronaut`` for ``photos/astronaut.png``), what output names start with."""
    path = images.get("image") or next(iter(images.values()), None)
    return re.sub(r"[^\w.-]", "_", Path(path).stem)[:80] or None if path else None


def build_record(outcome: RunOutcome, run_id: str, images: dict[str, Any], store: RunStore | None,
                 context: CallContext, exported: dict[str, str]) -> dict[str, Any]:
    result = outcome.result
    inputs: dict[str, Any] = {}
    for role, path in images.items():
        loaded = outcome.inputs.get(role)
        entry: dict[str, Any] = {"path": str(path), "sha256": loaded.sha256 if loaded else None, "stored": None}
        if loaded is not None and store is not None:
            entry.update(stored=str(store.store_input(loaded.sha256, loaded.pixels)), format=loaded.format,
                         width=loaded.width, height=loaded.height)
        inputs[role] = entry
    return {
        "run_id": run_id, "kind": "call", "created": datetime.now(UTC).isoformat(timespec="microseconds"),
        "atelier_version": PACKAGE_VERSION, "tool": result.tool, "ok": result.ok, "backend": result.backend,
        "backends": result.backends, "params": outcome.params, "seed": outcome.params.get("seed"),
        "inputs": inputs, "outputs": result.outputs, "artifacts": result.artifacts, "exported": exported,
        "metrics": result.metrics, "timings": result.timings, "warnings": result.warnings,
        "error": result.error.model_dump(mode="json") if result.error else None,
        "traceback": outcome.traceback, "context": asdict(context),
    }


def _failed(name: str, exc: ToolError) -> RunOutcome:
    return RunOutcome(result=ToolResult(tool=name, ok=False, error=ErrorInfo(code=exc.code, message=exc.message),
                                        outputs=exc.outputs))


def _fail(outcome: RunOutcome, exc: ToolError, work_dir: Path | None) -> None:
    """Turn a finished call into a failed one (its outputs could not be kept): no output file stays."""
    result = outcome.result
    if work_dir is not None:
        for path in result.artifacts.values():
            if Path(path).parent == work_dir:
                Path(path).unlink(missing_ok=True)
    result.ok = False
    result.error = ErrorInfo(code=exc.code, message=exc.message)
    result.artifacts = {}


def call_tool(
    name: str,
    images: dict[str, str | os.PathLike[str]] | None = None,
    args: dict[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    record: bool = True,
    context: CallContext = CallContext(),
    progress: ProgressFn | None = None,
    timeout_s: float | None = None,
) -> ToolResult:
    """Run a tool and keep its record (unless ``record=False``); artifacts are also copied to ``out_dir``,
    named after the input and the tool, never overwriting.

    Never raises for anything a user can cause: a broken config is ``BAD_ARGUMENT``; an output folder that
    cannot be written, or a full disk, is ``OUTPUT_UNWRITABLE``/``DISK_FULL`` (recorded, no file left); a
    corrupt record store is ``DAMAGED_STATE`` (run ``atelier repair``). With ``record=False`` nothing is kept
    anywhere but ``out_dir``: without one, the outputs are dropped (the result says so)."""
    try:
        settings = settings or load_settings()
    except ValueError as exc:  # a broken config file is the user's to fix, not a crash
        return ToolResult(tool=name, ok=False, error=ErrorInfo(code=ErrorCode.BAD_ARGUMENT, message=str(exc)))
    images = {k: v for k, v in (images or {}).items() if v not in (None, "")}
    early: ToolError | None = None
    try:
        if out_dir is not None:
            out_dir = check_output_folder(out_dir)
    except ToolError as exc:
        early = exc
    store, run_id = None, None
    try:
        if record:
            store = RunStore(settings.home)
            if store.readonly:
                raise ToolError(ErrorCode.OUTPUT_UNWRITABLE, f"the Atelier home {settings.home} is read-only: "
                                "nothing can be recorded (use --no-record, with --out to keep the outputs)")
            run_id, work_dir = store.new_run(name)
        else:
            work_dir = Path(tempfile.mkdtemp(prefix="atelier-"))
    except DamagedState as exc:
        return ToolResult(tool=name, ok=False, error=ErrorInfo(code=ErrorCode.DAMAGED_STATE, message=str(exc)))
    except ToolError as exc:
        return ToolResult(tool=name, ok=False, error=ErrorInfo(code=exc.code, message=exc.message))
    except OSError as exc:
        err = output_error(exc, settings.home)
        return ToolResult(tool=name, ok=False, error=ErrorInfo(code=err.code, message=err.message))
    try:
        outcome = _failed(name, early) if early else run_tool(name, images, args, work_dir, settings, progress,
                                                                timeout_s)
        result = outcome.result
        exported: dict[str, str] = {}
        if out_dir is not None and result.ok and result.artifacts:
            try:
                exported = export(result.artifacts, Path(out_dir), input_stem(images), name)
            except ToolError as exc:
                _fail(outcome, exc, work_dir)
        if store is not None and run_id is not None:
            result.run_id = run_id
            try:
                store.save(build_record(outcome, run_id, images, store, context, exported))
            except OSError as exc:  # the home itself is full or unwritable: the call fails, nothing stays
                for path in exported.values():
                    Path(path).unlink(missing_ok=True)
                exported = {}
                shutil.rmtree(work_dir, ignore_errors=True)
                _fail(outcome, output_error(exc, settings.home), None)
                result.run_id = None
                result.warnings.append("the run could not be recorded")
            except DamagedState as exc:
                shutil.rmtree(work_dir, ignore_errors=True)
                for path in exported.values():
                    Path(path).unlink(missing_ok=True)
                exported = {}
                _fail(outcome, ToolError(ErrorCode.DAMAGED_STATE, str(exc)), None)
                result.run_id = None
        if exported:
            result = result.model_copy(update={"artifacts": exported})
        elif not record and result.artifacts:
            result = result.model_copy(update={"artifacts": {}, "warnings": [
                *result.warnings, "--no-record without --out: the outputs were not kept"]})
        return result
    finally:
        if not record:
            shutil.rmtree(work_dir, ignore_errors=True)
