"""``atelier repair``: bring a damaged home back to a working one, losing nothing.

1. ``PRAGMA integrity_check`` on every SQLite file of the home: ``atelier.sqlite`` (run records),
   ``threads.sqlite`` (conversations) and the Chroma store's ``store/chroma.sqlite3``. A corrupt one is
   quarantined: renamed (with its ``-wal``/``-shm`` files) to ``NAME.corrupt-<UTC stamp>``, never deleted; a
   corrupt Chroma store is quarantined as a whole folder.
2. ``atelier.sqlite`` is rebuilt from the ``record.json`` files (the source of truth): every record the
   database lacks is indexed again.
3. Run folders without a ``record.json`` (a killed call or batch) are listed, then removed.
The Chroma index is rebuilt from scratch by the caller (the agent's CLI: the index lives in ``knowledge``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .store import RunStore, valid_run_id


@dataclass
class RepairReport:
    checked: dict[str, str] = field(default_factory=dict)  # file -> "ok" | "missing" | the problem
    quarantined: list[str] = field(default_factory=list)  # new names of what was set aside
    reindexed: int = 0  # records put back into atelier.sqlite
    unreadable: list[str] = field(default_factory=list)  # record.json files that are not JSON (left in place)
    removed: list[str] = field(default_factory=list)  # unrecorded run folders removed
    store_quarantined: bool = False


def integrity(path: Path) -> str:
    """``ok``, ``missing`` or what is wrong with a SQLite file (read-only check)."""
    if not path.exists():
        return "missing"
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    answer = "; ".join(str(r[0]) for r in rows[:5])
    return "ok" if answer == "ok" else answer


def quarantine(path: Path, stamp: str | None = None) -> Path:
    """Rename ``path`` (and a database's ``-wal``/``-shm`` files) out of the way; returns the new name."""
    stamp = stamp or datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def reindex_records(store: RunStore, report: RepairReport) -> None:
    """Put every ``record.json`` the database lacks back into it."""
    known = set(store.all_ids())
    if not store.runs_dir.is_dir():
        return
    for folder in sorted(store.runs_dir.iterdir()):
        record_path = folder / "record.json"
        if not folder.is_dir() or not valid_run_id(folder.name) or not record_path.is_file():
            continue
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if record.get("run_id") != folder.name or not {"tool", "ok", "created"} <= set(record):
                raise ValueError("not a record of this run")
        except (ValueError, OSError, AttributeError):
            report.unreadable.append(str(record_path))
            continue
        if folder.name not in known:
            store.index_record(record)
            report.reindexed += 1


def repair_home(home: Path, say: Callable[[str], None] = lambda _m: None) -> RepairReport:
    """Check, quarantine, rebuild the run records and remove unrecorded run folders (see the module)."""
    home = Path(home)
    report = RepairReport()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for path in (home / "atelier.sqlite", home / "threads.sqlite", home / "store" / "chroma.sqlite3"):
        state = integrity(path)
        report.checked[str(path)] = state
        say(f"{path}: {state}")
        if state in ("ok", "missing"):
            continue
        if path.parent.name == "store":
            moved = quarantine(path.parent, stamp)
            report.store_quarantined = True
        else:
            moved = quarantine(path, stamp)
        report.quarantined.append(str(moved))
        say(f"  quarantined as {moved}")
    store = RunStore(home)
    reindex_records(store, report)
    say(f"run records: {report.reindexed} put back into {store.db_path} from record.json files")
    for path in report.unreadable:
        say(f"  unreadable record (left in place): {path}")
    folders = store.unrecorded()
    for path in folders:
        say(f"unrecorded run folder: {path}")
    report.removed = [str(p) for p in store.remove_unrecorded(folders)]
    if report.removed:
        say(f"removed {len(report.removed)} unrecorded run folder(s)")
    return report
