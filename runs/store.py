"""Run records: ``ATELIER_HOME/runs/<run_id>/`` (outputs + ``record.json``) and a SQLite ``runs`` table.

Inputs are stored once, by the sha256 of the original file, under ``ATELIER_HOME/inputs/`` as a metadata-free
PNG of the decoded pixels (EXIF/GPS never kept). Records are the source of truth that indexes are rebuilt from.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    created     TEXT NOT NULL,
    tool        TEXT NOT NULL,
    ok          INTEGER NOT NULL,
    backend     TEXT,
    error_code  TEXT,
    request     TEXT,
    request_id  TEXT,
    thread_id   TEXT,
    step_id     TEXT,
    kind        TEXT NOT NULL DEFAULT 'call',
    record      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_inputs (
    run_id  TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (run_id, role)
);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created);
CREATE INDEX IF NOT EXISTS run_inputs_sha ON run_inputs(sha256);
"""


RUN_ID = re.compile(r"\d{8}-\d{6}-[a-z0-9_]{1,40}-[0-9a-f]{6}")


def new_run_id(tool: str) -> str:
    """``20261201-112233-sketchify-a1b2c3``: made by us, whatever the caller typed as the tool's name, so a run
    folder is always a plain child of ``runs/``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9_]", "", tool.lower())[:40] or "tool"
    return f"{stamp}-{slug}-{secrets.token_hex(3)}"


def valid_run_id(run_id: str) -> bool:
    return bool(RUN_ID.fullmatch(run_id or ""))


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    created: str
    tool: str
    ok: bool
    backend: str | None
    error_code: str | None
    request: str | None


class RunStore:
    """Create, read and delete run records under one Atelier home."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.runs_dir = self.home / "runs"
        self.inputs_dir = self.home / "inputs"
        self.db_path = self.home / "atelier.sqlite"
        self.home.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.db_path, timeout=60)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                yield db

    valid_id = staticmethod(valid_run_id)

    def new_run(self, tool: str) -> tuple[str, Path]:
        run_id = new_run_id(tool)
        run_dir = self.runs_dir / run_id
        run_dir.mkdir(parents=True)
        return run_id, run_dir

    def store_input(self, sha256: str, pixels: np.ndarray) -> Path:
        """Keep a decoded input once; a second run on the same file reuses it."""
        from atelier.core.images import save_png_atomic

        path = self.inputs_dir / sha256[:2] / f"{sha256}.png"
        if not path.exists():
            save_png_atomic(pixels, path)
        return path

    def save(self, record: dict[str, Any]) -> Path:
        """Write ``record.json`` atomically and upsert its row; ``record`` must carry run_id, tool and ok."""
        from atelier.core.images import write_bytes_atomic

        run_id = record["run_id"]
        run_dir = self.runs_dir / run_id
        path = write_bytes_atomic(json.dumps(record, indent=2, sort_keys=True, default=str).encode(),
                                  run_dir / "record.json")
        error = record.get("error") or {}
        meta = record.get("context") or {}
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, record["created"], record["tool"], int(bool(record["ok"])), record.get("backend"),
                 error.get("code"), meta.get("request"), meta.get("request_id"), meta.get("thread_id"),
                 meta.get("step_id"), record.get("kind", "call"), json.dumps(record, default=str)),
            )
            db.execute("DELETE FROM run_inputs WHERE run_id = ?", (run_id,))
            db.executemany(
                "INSERT INTO run_inputs VALUES (?,?,?)",
                [(run_id, role, info["sha256"]) for role, info in record.get("inputs", {}).items()
                 if info.get("stored")],
            )
        return path

    def list(self, limit: int = 20, tool: str | None = None) -> list[RunSummary]:
        query = "SELECT run_id, created, tool, ok, backend, error_code, request FROM runs"
        params: tuple[Any, ...] = ()
        if tool:
            query += " WHERE tool = ?"
            params = (tool,)
        query += " ORDER BY created DESC, run_id DESC LIMIT ?"
        with self._db() as db:
            rows = db.execute(query, (*params, limit)).fetchall()
        return [RunSummary(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._db() as db:
            row = db.execute("SELECT record FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def ok_ids(self, tools: tuple[str, ...]) -> list[str]:
        """Successful single tool calls (not batches) of these tools: what the run index holds."""
        marks = ",".join("?" * len(tools))
        with self._db() as db:
            return [r[0] for r in db.execute(
                f"SELECT run_id FROM runs WHERE ok = 1 AND kind = 'call' AND tool IN ({marks})", tools)]

    def all_ids(self) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT run_id FROM runs ORDER BY created")]

    def delete(self, run_id: str) -> bool:
        """Remove a run's row, folder and any stored input no other run uses. Anything that is not one of our
        run ids is refused before the disk is touched."""
        if not valid_run_id(run_id):
            return False
        with self._db() as db:
            shas = [r[0] for r in db.execute("SELECT sha256 FROM run_inputs WHERE run_id = ?", (run_id,))]
            found = db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,)).rowcount > 0
            orphans = [s for s in shas
                       if not db.execute("SELECT 1 FROM run_inputs WHERE sha256 = ? LIMIT 1", (s,)).fetchone()]
        shutil.rmtree(self.runs_dir / run_id, ignore_errors=True)
        for sha in orphans:
            (self.inputs_dir / sha[:2] / f"{sha}.png").unlink(missing_ok=True)
        return found
