"""One recorded tool call: the runner does the work, this module keeps the record.

Every call gets ``ATELIER_HOME/runs/<run_id>/`` with its outputs and ``record.json`` plus a SQLite row;
a failed call leaves a record with ``ok=false`` and its error, and no output file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atelier.core.config import Settings, load_settings
from atelier.core.errors import ErrorCode
from atelier.core.images import write_bytes_atomic
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


def _export(artifacts: dict[str, str], out_dir: Path) -> dict[str, str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    exported = {}
    for name, src in artifacts.items():
        dest = write_bytes_atomic(Path(src).read_bytes(), out_dir / Path(src).name)
        exported[name] = str(dest.resolve())
    return exported


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
    """Run a tool and keep its record (unless ``record=False``); artifacts are also copied to ``out_dir``."""
    try:
        settings = settings or load_settings()
    except ValueError as exc:  # a broken config file is the user's to fix, not a crash
        return ToolResult(tool=name, ok=False, error=ErrorInfo(code=ErrorCode.BAD_ARGUMENT, message=str(exc)))
    images = {k: v for k, v in (images or {}).items() if v not in (None, "")}
    if record:
        store = RunStore(settings.home)
        run_id, work_dir = store.new_run(name)
    else:
        store, run_id = None, None
        work_dir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="atelier-"))
    outcome = run_tool(name, images, args, work_dir, settings, progress, timeout_s)
    result = outcome.result
    exported: dict[str, str] = {}
    if record and out_dir is not None and result.ok and result.artifacts:
        exported = _export(result.artifacts, Path(out_dir))
    if store is not None and run_id is not None:
        result.run_id = run_id
        store.save(build_record(outcome, run_id, images, store, context, exported))
    if exported:
        result = result.model_copy(update={"artifacts": exported})
    return result
