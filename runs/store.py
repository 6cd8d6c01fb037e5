"""Run records: ``ATELIER_HOME/runs/<run_id>/`` (outputs + ``record.json``) and a SQLite ``runs`` table.

Inputs are stored once, by the sha256 of the original file, under ``ATELIER_HOME/inputs/`` as a metadata-free
PNG of the decoded pixels (EXIF/GPS never kept). Records are the source of truth that indexes are rebuilt from.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from atelier.core.errors import DamagedState


class _NoDatabase(Exception):
    """A read-only store whose database does not exist yet: nothing recorded."""

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


def damaged(exc: sqlite3.Error) -> bool:
    """Whether a SQLite error means the file itself is bad (not a lock, a permission or a full disk)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and (
        not isinstance(exc, sqlite3.OperationalError) or "malformed" in text or "not a database" in text
        or "no such table" in text)


def wal_mode(db: sqlite3.Connection, patience_s: float = 60.0) -> None:
    """Put the database in WAL mode (it stays so in the file), waiting out other processes: switching the
    journal needs a moment alone with the file, and SQLite answers "database is locked" at once instead of
    calling the busy handler when two processes open a fresh home together."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class RunStore:
    """Create, read and delete run records under one Atelier home.

    A home we cannot write to (a read-only mount, a read-only copy) opens read-only: listing and showing
    runs still work, writing raises ``OSError``. A corrupt ``atelier.sqlite`` raises ``DamagedState``
    (``atelier repair`` rebuilds it from the ``record.json`` files)."""

    def __init__(self, home: Path, readonly: bool = False):
        self.home = Path(home)
        self.runs_dir = self.home / "runs"
        self.inputs_dir = self.home / "inputs"
        self.db_path = self.home / "atelier.sqlite"
        self.readonly = readonly
        if not readonly:
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                with self._db() as db:
                    db.executescript(SCHEMA)
            except (OSError, sqlite3.OperationalError) as exc:
                if isinstance(exc, sqlite3.Error) and damaged(exc):
                    raise DamagedState(str(self.db_path), str(exc)) from None
                read_only_home = self.home.is_dir() and not os.access(self.home, os.W_OK)
                if not (read_only_home or "readonly" in str(exc)):
                    raise
                self.readonly = True

    @classmethod
    def for_reading(cls, home: Path) -> RunStore:
        """A store only read from (``runs list``/``show``): never creates the home or the database."""
        return cls(home, readonly=True)

    def _connect(self) -> sqlite3.Connection:
        if not self.readonly:
            db = sqlite3.connect(self.db_path, timeout=60)
            wal_mode(db)
            return db
        if not self.db_path.exists():
            raise _NoDatabase
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=60)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if damaged(exc):
                raise
        # a WAL database needs its -shm file, which a read-only folder cannot get: read it as immutable
        db = sqlite3.connect(f"file:{self.db_path}?immutable=1", uri=True)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = self._connect()
        except sqlite3.Error as exc:
            if damaged(exc):
                raise DamagedState(str(self.db_path), str(exc)) from None
            raise
        with closing(connection) as db:
            try:
                db.execute("PRAGMA foreign_keys=ON")
                with db:
                    yield db
            except sqlite3.Error as exc:
                if damaged(exc):
                    raise DamagedState(str(self.db_path), str(exc)) from None
                raise

    valid_id = staticmethod(valid_run_id)

    def new_run(self, tool: str) -> tuple[str, Path]:
        """A fresh run id (ours, never the caller's text) and its empty folder, a plain child of ``runs/``."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            run_id = new_run_id(tool)
            run_dir = self.runs_dir / run_id
            try:
                run_dir.mkdir()
            except FileExistsError:
                continue
            return run_id, run_dir
        raise FileExistsError(f"no free run id under {self.runs_dir}")

    def run_dir(self, run_id: str) -> Path | None:
        """The folder of a run id that is ours (pattern) and a plain child of ``runs/``, else None."""
        if not valid_run_id(run_id):
            return None
        path = self.runs_dir / run_id
        if path.is_symlink() or path.resolve().parent != self.runs_dir.resolve():
            return None
        return path

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
        run_dir = self.run_dir(run_id)
        if run_dir is None:
            raise ValueError(f"not a run id of ours: {run_id!r}")
        path = write_bytes_atomic(json.dumps(record, indent=2, sort_keys=True, default=str).encode(),
                                  run_dir / "record.json")
        self.index_record(record)
        return path

    def index_record(self, record: dict[str, Any]) -> None:
        """Upsert a record's rows (what ``save`` does after writing ``record.json``; ``repair`` uses it alone)."""
        run_id = record["run_id"]
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

    def list(self, limit: int = 20, tool: str | None = None) -> list[RunSummary]:
        try:
            return self._list(limit, tool)
        except _NoDatabase:
            return []

    def _list(self, limit: int, tool: str | None) -> list[RunSummary]:
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
        if not valid_run_id(run_id):
            return None
        try:
            with self._db() as db:
                row = db.execute("SELECT record FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        except _NoDatabase:
            return None
        return json.loads(row[0]) if row else None

    def ok_ids(self, tools: tuple[str, ...]) -> list[str]:
        """Successful single tool calls (not batches) of these tools: what the run index holds."""
        marks = ",".join("?" * len(tools))
        with self._db() as db:
            return [r[0] for r in db.execute(
                f"SELECT run_id FROM runs WHERE ok = 1 AND kind = 'call' AND tool IN ({marks})", tools)]

    def thread_runs(self, thread_id: str) -> list[str]:
        """Runs made in one conversation."""
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT run_id FROM runs WHERE thread_id = ?", (thread_id,))]

    def all_ids(self) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT run_id FROM runs ORDER BY created")]

    def delete(self, run_id: str) -> bool:
        """Remove a run's row, folder and any stored input no other run uses. Only one of our run ids (the
        pattern) that the database knows is deleted; anything else is refused before the disk is touched."""
        run_dir = self.run_dir(run_id)
        if run_dir is None:
            return False
        with self._db() as db:
            if not db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone():
                return False
            shas = [r[0] for r in db.execute("SELECT sha256 FROM run_inputs WHERE run_id = ?", (run_id,))]
            db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
            orphans = [s for s in shas
                       if not db.execute("SELECT 1 FROM run_inputs WHERE sha256 = ? LIMIT 1", (s,)).fetchone()]
        shutil.rmtree(run_dir, ignore_errors=True)
        for sha in orphans:
            if re.fullmatch(r"[0-9a-f]{64}", sha):
                (self.inputs_dir / sha[:2] / f"{sha}.png").unlink(missing_ok=True)
        return True

    def unrecorded(self) -> list[Path]:
        """Run folders with no ``record.json`` (a killed call or batch): ours by name, nothing else."""
        if not self.runs_dir.is_dir():
            return []
        return sorted(p for p in self.runs_dir.iterdir()
                      if p.is_dir() and not p.is_symlink() and valid_run_id(p.name)
                      and not (p / "record.json").exists())

    def remove_unrecorded(self, folders: list[Path] | None = None) -> list[Path]:
        """Remove folders ``unrecorded`` lists (or those of ``folders`` that it lists); returns them."""
        found = self.unrecorded()
        chosen = found if folders is None else [p for p in found if p in set(folders)]
        for path in chosen:
            shutil.rmtree(path, ignore_errors=True)
        return chosen
