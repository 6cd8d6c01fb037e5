"""``atelier batch``: one tool over many files, one JSONL line per input, resumable, never crashing on a
bad file. A batch is one run: its items are JSONL lines and files under the batch's own folder."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atelier.core.config import Settings
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.outputs import check_output_folder, output_error
from atelier.core.registry import get_tool
from atelier.core.result import ErrorInfo
from atelier.core.runner import PACKAGE_VERSION, parse_args, run_tool
from atelier.runs.invoke import export, input_stem
from atelier.runs.store import RunStore

SAFE = re.compile(r"[^\w.-]")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp"}


def expand_inputs(spec: str) -> list[Path]:
    """A folder (its image files, sorted) or a glob pattern (every match, sorted)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    return sorted(Path(p) for p in glob.glob(os.path.expanduser(spec), recursive=True) if Path(p).is_file())


def previous_results(jsonl: Path) -> dict[str, bool]:
    """Input -> whether its latest line in ``jsonl`` succeeded; a torn last line (a killed run) is cut off so
    appends stay valid."""
    if not jsonl.exists():
        return {}
    data = jsonl.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with jsonl.open("r+b") as fh:
            fh.truncate(cut)
        data = data[:cut]
    latest: dict[str, bool] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            latest[str(entry["input"])] = bool(entry.get("ok"))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            continue
    return latest


def done_inputs(jsonl: Path) -> set[str]:
    """Inputs already answered in ``jsonl`` (ok or failed)."""
    return set(previous_results(jsonl))


@dataclass
class BatchSummary:
    run_id: str
    total: int
    skipped: int  # not run this time: done before (ok, or failed without --retry-failed)
    ok: int
    failed: int
    seconds: float
    jsonl: str
    skipped_failed: int = 0  # of ``skipped``: failed before (run them again with --retry-failed)
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        """0 when some input succeeded (now or in an earlier run of the same JSONL), 2 when none ever did,
        130 on Ctrl-C."""
        if self.interrupted:
            return 130
        if self.ok == 0 and self.skipped == self.skipped_failed and (self.failed or self.skipped_failed):
            return 2  # no input of the batch has ever succeeded
        return 0

    def line(self) -> str:
        again = (f"; {self.skipped_failed} of them failed before, --retry-failed runs them again"
                 if self.skipped_failed else "")
        text = f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped (already done{again})"
        return f"{text}, {self.seconds:.2f} s -> {self.jsonl} (run {self.run_id})"


def _bar(done: int, total: int, started: float) -> None:
    width = 30
    frac = done / total if total else 1.0
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * int(frac * width):<{width}}] {done}/{total} {rate:.1f}/s")
    sys.stderr.flush()


def check_batch(tool: str, args: dict[str, Any], jsonl: Path, settings: Settings,
                out_dir: Path | None = None, image_role: str = "image") -> None:
    """Everything about a batch that can be wrong before its first item: the tool, its arguments, the role,
    the JSONL path and the output folder. Raises ``ToolError``."""
    spec = get_tool(tool)
    parse_args(spec, args, settings)
    if spec.role(image_role) is None:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"{tool} takes no image input named {image_role!r}")
    jsonl = Path(jsonl)
    if str(jsonl).strip() in ("", "."):
        raise ToolError(ErrorCode.BAD_ARGUMENT, "--jsonl needs a file name")
    if jsonl.is_dir():
        raise ToolError(ErrorCode.BAD_ARGUMENT,
                        f"--jsonl {jsonl} is a folder; name a file, e.g. {jsonl / 'results.jsonl'}")
    if jsonl.exists() and not jsonl.is_file():
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"--jsonl {jsonl} is not a regular file")
    try:
        jsonl.parent.mkdir(parents=True, exist_ok=True)
        with jsonl.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise output_error(exc, jsonl) from None
    if out_dir is not None:
        check_output_folder(out_dir)


ENGINES = ("local", "ray")


def item_dir(run_dir: Path, index: int, path: Path) -> Path:
    return run_dir / "items" / f"{index:06d}-{SAFE.sub('_', path.stem)[:60]}"


def item_line(index: int, path: Path, outcome, tool: str, run_dir: Path, run_id: str,
              out_dir: Path | None) -> dict[str, Any]:
    """The JSONL line of one finished item (its outputs exported to ``out_dir`` when asked)."""
    result = outcome.result
    if out_dir is not None and result.ok and result.artifacts:
        try:
            result.artifacts = export(result.artifacts, Path(out_dir), input_stem({"image": path}), tool)
        except ToolError as exc:
            shutil.rmtree(item_dir(run_dir, index, path), ignore_errors=True)
            result.ok, result.artifacts = False, {}
            result.error = ErrorInfo(code=exc.code, message=exc.message)
    result.run_id = run_id
    return {"input": str(path), "item_id": f"{run_id}/{index:06d}", "item": index, **result.model_dump(mode="json")}


def run_item(index: int, path: Path, tool: str, args: dict[str, Any], run_dir: Path, run_id: str,
             settings: Settings, image_role: str = "image", out_dir: Path | None = None) -> dict[str, Any]:
    """One item of a batch, as its JSONL line; both engines run items through this (Ray on its workers)."""
    outcome = run_tool(tool, {image_role: path}, args, item_dir(run_dir, index, path), settings)
    return item_line(index, path, outcome, tool, run_dir, run_id, out_dir)


CHUNK = 64  # items a tool with a batched path (``ToolSpec.run_batch``) handles in one go


def run_items(items: list[tuple[int, Path]], tool: str, args: dict[str, Any], run_dir: Path, run_id: str,
              settings: Settings, image_role: str = "image", out_dir: Path | None = None) -> Iterator[dict[str, Any]]:
    """Many ``(index, path)`` items in this process, one line each as it is done: the batched in-process path
    of both engines (a Ray task runs a chunk through it). Models load once per process; a tool with a batched
    path runs its model once per chunk. BLAS keeps one thread, because a small matrix product spread over busy
    cores costs far more than it saves."""
    from atelier.core.registry import get_tool
    from atelier.core.runner import run_tool_batch

    batched = get_tool(tool).run_batch is not None
    with _one_blas_thread():
        if not batched:
            for index, path in items:
                yield run_item(index, path, tool, args, run_dir, run_id, settings, image_role, out_dir)
            return
        for start in range(0, len(items), CHUNK):
            chunk = items[start:start + CHUNK]
            outcomes = run_tool_batch(tool, [{image_role: path} for _, path in chunk], args,
                                      [item_dir(run_dir, i, p) for i, p in chunk], settings)
            for (index, path), outcome in zip(chunk, outcomes, strict=True):
                yield item_line(index, path, outcome, tool, run_dir, run_id, out_dir)


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def run_batch(
    tool: str, inputs: list[Path], args: dict[str, Any], jsonl: Path, settings: Settings,
    image_role: str = "image", show_progress: bool = True,
    progress: Callable[[int, int], None] | None = None,
    out_dir: Path | None = None, retry_failed: bool = False,
    engine: str = "local", address: str | None = None, chunk_size: int | None = None,
) -> BatchSummary:
    """Run ``tool`` over ``inputs``, one JSONL line per item (carrying the batch's ``run_id`` and the item's
    ``item_id``), skipping inputs already answered (failed ones too, unless ``retry_failed``). Arguments are
    checked before the first item (``ToolError``). Ctrl-C stops between items: the summary says
    ``interrupted`` and the same command resumes. ``engine="ray"`` fans the items out on Ray
    (``ray_engine``), with the same lines."""
    if engine not in ENGINES:
        raise ToolError(ErrorCode.BAD_ARGUMENT, f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")
    check_batch(tool, args, jsonl, settings, out_dir, image_role)
    store = RunStore(settings.home)
    run_id, run_dir = store.new_run(f"batch-{tool}")
    previous = previous_results(jsonl)
    positions = {str(p): i for i, p in enumerate(inputs)}
    todo = [p for p in inputs if str(p) not in previous or (retry_failed and not previous[str(p)])]
    skipped_failed = sum(1 for p in inputs if str(p) in previous and not previous[str(p)] and not retry_failed)
    items = [(positions[str(p)], p) for p in todo]
    if engine == "ray":
        from atelier.runs.ray_engine import ray_items

        lines = ray_items(items, tool, args, run_dir, run_id, settings, image_role, out_dir, address, chunk_size)
    else:
        lines = run_items(items, tool, args, run_dir, run_id, settings, image_role, out_dir)
    started = time.perf_counter()
    ok = failed = 0
    interrupted = False
    try:
        with jsonl.open("a", encoding="utf-8") as fh:
            for n, line in enumerate(lines):
                fh.write(json.dumps(line, default=str) + "\n")
                fh.flush()
                ok += bool(line["ok"])
                failed += not line["ok"]
                if show_progress:
                    _bar(n + 1, len(todo), started)
                if progress:
                    progress(n + 1, len(todo))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        close = getattr(lines, "close", None)
        if close:
            close()
    if show_progress:
        sys.stderr.write("\n")
    seconds = round(time.perf_counter() - started, 3)
    summary = BatchSummary(run_id, len(inputs), len(inputs) - len(todo), ok, failed, seconds, str(jsonl.resolve()),
                           skipped_failed, interrupted)
    store.save({
        "run_id": run_id, "kind": "batch", "created": datetime.now(UTC).isoformat(timespec="microseconds"),
        "atelier_version": PACKAGE_VERSION, "tool": tool, "ok": failed == 0 and ok > 0 and not interrupted,
        "backend": None, "params": args, "inputs": {}, "outputs": {**asdict(summary), "engine": engine},
        "artifacts": {"jsonl": summary.jsonl}, "metrics": {}, "timings": {"total": seconds}, "warnings": [],
        "error": None if ok or not (failed or skipped_failed) else
        {"code": "BAD_ARGUMENT", "message": "no item succeeded"}, "context": {},
    })
    return summary
