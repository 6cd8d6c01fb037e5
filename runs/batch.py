"""``atelier batch``: one tool over many files, one JSONL line per input, resumable, never crashing on a
bad file. A batch is one run: its items are JSONL lines and files under the batch's own folder."""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atelier.core.config import Settings
from atelier.core.runner import PACKAGE_VERSION, run_tool
from atelier.runs.store import RunStore

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp"}


def expand_inputs(spec: str) -> list[Path]:
    """A folder (its image files, sorted) or a glob pattern (every match, sorted)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    return sorted(Path(p) for p in glob.glob(os.path.expanduser(spec), recursive=True) if Path(p).is_file())


def done_inputs(jsonl: Path) -> set[str]:
    """Inputs already answered in ``jsonl``; a torn last line (a killed run) is cut off so appends stay valid."""
    if not jsonl.exists():
        return set()
    data = jsonl.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with jsonl.open("r+b") as fh:
            fh.truncate(cut)
        data = data[:cut]
    done = set()
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            done.add(json.loads(line)["input"])
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return done


@dataclass
class BatchSummary:
    run_id: str
    total: int
    skipped: int
    ok: int
    failed: int
    seconds: float
    jsonl: str


def _bar(done: int, total: int, started: float) -> None:
    width = 30
    frac = done / total if total else 1.0
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * int(frac * width):<{width}}] {done}/{total} {rate:.1f}/s")
    sys.stderr.flush()


def run_batch(
    tool: str, inputs: list[Path], args: dict[str, Any], jsonl: Path, settings: Settings,
    image_role: str = "image", show_progress: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    store = RunStore(settings.home)
    run_id, run_dir = store.new_run(f"batch-{tool}")
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    already = done_inputs(jsonl)
    todo = [p for p in inputs if str(p) not in already]
    started = time.perf_counter()
    ok = failed = 0
    with jsonl.open("a", encoding="utf-8") as fh:
        for i, path in enumerate(todo):
            outcome = run_tool(tool, {image_role: path}, args, run_dir / "items" / f"{i:06d}-{path.stem}", settings)
            line = {"input": str(path), **outcome.result.model_dump(mode="json")}
            fh.write(json.dumps(line, default=str) + "\n")
            fh.flush()
            ok += outcome.result.ok
            failed += not outcome.result.ok
            if show_progress:
                _bar(i + 1, len(todo), started)
            if progress:
                progress(i + 1, len(todo))
    if show_progress:
        sys.stderr.write("\n")
    seconds = round(time.perf_counter() - started, 3)
    summary = BatchSummary(run_id, len(inputs), len(inputs) - len(todo), ok, failed, seconds, str(jsonl.resolve()))
    store.save({
        "run_id": run_id, "kind": "batch", "created": datetime.now(UTC).isoformat(timespec="microseconds"),
        "atelier_version": PACKAGE_VERSION, "tool": tool, "ok": failed == 0, "backend": None, "params": args,
        "inputs": {}, "outputs": summary.__dict__, "artifacts": {"jsonl": summary.jsonl}, "metrics": {},
        "timings": {"total": seconds}, "warnings": [], "error": None, "context": {},
    })
    return summary
