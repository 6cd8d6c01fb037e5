"""The sprite feedback log: "looks correct / incorrect" with the grid that was shown, appended to a CSV.

Appends are one ``write`` of one line under an exclusive lock, so concurrent writers never interleave.
A log whose header or rows are not what we wrote is reported, never rewritten.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FIELDS = ["timestamp", "run_id", "input_sha256", "verdict", "note", "cell_size", "cell_size_x", "cell_size_y",
          "offset_x", "offset_y", "override_cell_size", "override_offset_x", "override_offset_y",
          "override_palette_size", "diff_percent", "confidence"]


class MalformedLog(ValueError):
    pass


def _check(text: str, path: Path) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return
    if rows[0] != FIELDS:
        raise MalformedLog(f"{path}: header is not Atelier's feedback header; not writing to it")
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(FIELDS):
            raise MalformedLog(f"{path}: line {n} has {len(row)} fields, expected {len(FIELDS)}; not writing")


def append_feedback(path: Path, row: dict[str, Any]) -> dict[str, str]:
    """Validate the log, then append ``row`` (unknown keys refused) with a timestamp; returns what was written."""
    unknown = set(row) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown feedback fields {sorted(unknown)}")
    if row.get("verdict") not in ("correct", "incorrect"):
        raise ValueError("verdict must be 'correct' or 'incorrect'")
    record = {k: "" if row.get(k) is None else str(row.get(k)) for k in FIELDS}
    record["timestamp"] = record["timestamp"] or datetime.now(UTC).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(fd, "r+", encoding="utf-8", newline="") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        existing = fh.read()
        _check(existing, path)
        if existing and not existing.endswith("\n"):
            raise MalformedLog(f"{path}: last line is incomplete; not writing")
        buf = io.StringIO()
        writer = csv.DictWriter(buf, FIELDS, lineterminator="\n")
        if not existing:
            writer.writeheader()
        writer.writerow(record)
        fh.write(buf.getvalue())
        fh.flush()
        os.fsync(fh.fileno())
    return record


def read_feedback(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    _check(text, path)
    return list(csv.DictReader(io.StringIO(text)))
