"""Damaged or read-only state never gives a traceback, and `atelier repair` brings a damaged home back with
every run listed (issue 18, item 4 and the repair deliverable)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.runs.invoke import call_tool

runner = CliRunner()


def _photo(path: Path, shade: int = 40) -> Path:
    img = np.full((64, 80, 3), 230, np.uint8)
    img[10:40, 10:50] = shade
    Image.fromarray(img).save(path)
    return path


@pytest.fixture
def home_with_runs(atelier_home, tmp_path):
    ids = [call_tool("sketchify", {"image": _photo(tmp_path / f"p{i}.png", 20 + i)}, {}).run_id for i in range(3)]
    return atelier_home, ids


def _listed() -> list[str]:
    res = runner.invoke(app, ["runs", "list", "--json", "--limit", "100"])
    assert res.exit_code == 0, res.output
    return [r["run_id"] for r in json.loads(res.stdout)]


def _says_repair(res) -> None:
    assert res.exit_code == 2, res.output
    assert "atelier repair" in res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)


def _garbage(path: Path, size: int = 8192) -> None:
    path.write_bytes(os.urandom(size))


def test_corrupt_atelier_sqlite_then_repair(home_with_runs, tmp_path):
    home, ids = home_with_runs
    _garbage(home / "atelier.sqlite")
    for wal in ("atelier.sqlite-wal", "atelier.sqlite-shm"):
        (home / wal).unlink(missing_ok=True)
    _says_repair(runner.invoke(app, ["runs", "list"]))
    _says_repair(runner.invoke(app, ["runs", "show", ids[0]]))
    _says_repair(runner.invoke(app, ["runs", "delete", ids[0]]))
    res = runner.invoke(app, ["tool", "sketchify", "--image", str(_photo(tmp_path / "q.png")), "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["error"]["code"] == "DAMAGED_STATE"
    assert "atelier repair" in json.loads(res.stdout)["error"]["message"]
    res = runner.invoke(app, ["repair", "--no-index"])
    assert res.exit_code == 0, res.output
    quarantined = list(home.glob("atelier.sqlite.corrupt-*"))
    assert len(quarantined) == 1 and quarantined[0].stat().st_size == 8192  # kept, not deleted
    assert sorted(_listed()) == sorted(ids)
    assert runner.invoke(app, ["runs", "show", ids[1]]).exit_code == 0


def test_a_missing_database_is_rebuilt_from_records(home_with_runs):
    home, ids = home_with_runs
    for name in ("atelier.sqlite", "atelier.sqlite-wal", "atelier.sqlite-shm"):
        (home / name).unlink(missing_ok=True)
    assert runner.invoke(app, ["repair", "--no-index"]).exit_code == 0
    assert sorted(_listed()) == sorted(ids)


def test_corrupt_chroma_store_then_repair(home_with_runs):
    home, ids = home_with_runs
    res = runner.invoke(app, ["tool", "search_runs", "--set", "query=sketch", "--json"])
    assert res.exit_code in (0, 2), res.output  # builds the store
    assert (home / "store" / "chroma.sqlite3").exists()
    _garbage(home / "store" / "chroma.sqlite3", 200_000)
    res = runner.invoke(app, ["tool", "search_runs", "--set", "query=sketch", "--json"])
    assert res.exit_code == 2, res.output
    result = json.loads(res.stdout)
    assert result["error"]["code"] == "DAMAGED_STATE" and "atelier repair" in result["error"]["message"]
    _says_repair(runner.invoke(app, ["index", "rebuild"]))
    res = runner.invoke(app, ["repair"])
    assert res.exit_code == 0, res.output
    assert list(home.glob("store.corrupt-*"))
    res = runner.invoke(app, ["tool", "search_runs", "--set", "query=sketch", "--json"])
    assert res.exit_code == 0, res.output
    assert sorted(_listed()) == sorted([*ids, *[r for r in _listed() if r not in ids]])


def test_corrupt_threads_sqlite_is_reported_then_repaired(home_with_runs):
    home, ids = home_with_runs
    _garbage(home / "threads.sqlite")
    res = runner.invoke(app, ["ask", "hello, what can you do?", "--planner", "semantic", "--json"])
    _says_repair(res)
    assert runner.invoke(app, ["repair", "--no-index"]).exit_code == 0
    assert list(home.glob("threads.sqlite.corrupt-*"))
    assert not (home / "threads.sqlite").exists()
    assert sorted(_listed()) == sorted(ids)


@pytest.mark.parametrize("config", [b"limits = 5\n", b"[limits\nmax_bytes = 1", b"\xff\xfe\x00garbage\x00\x01",
                                    b"[limits]\nmax_pixels = 'many'\n", b"[tools]\nsketchify = 3\n"])
def test_a_bad_config_names_the_file_for_every_command(config, atelier_home, tmp_path):
    atelier_home.mkdir(parents=True, exist_ok=True)
    (atelier_home / "config.toml").write_bytes(config)
    photo = _photo(tmp_path / "p.png")
    commands = [["runs", "list"], ["runs", "show", "20260101-000000-x-abcdef"], ["doctor"], ["tools"],
                ["index", "rebuild"], ["repair"], ["runs", "delete", "--all"],
                ["batch", "sketchify", "--input", str(photo), "--jsonl", str(tmp_path / "b.jsonl")],
                ["styles", "list"], ["plan", "sketch this", "--planner", "semantic"]]
    for command in commands:
        res = runner.invoke(app, command)
        assert res.exit_code == 2, (command, res.output)
        assert "config.toml" in res.output, (command, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), (command, res.exception)
    res = runner.invoke(app, ["tool", "sketchify", "--image", str(photo), "--json"])
    assert res.exit_code == 2 and "config.toml" in json.loads(res.stdout)["error"]["message"]


def test_unrecorded_run_folders_are_listed_and_removed(home_with_runs):
    home, ids = home_with_runs
    killed = home / "runs" / "20260101-000000-batch_sketchify-abcdef"
    (killed / "items" / "000000-p").mkdir(parents=True)
    (killed / "items" / "000000-p" / "image.png").write_bytes(b"x")
    stray = home / "runs" / "not-ours"
    stray.mkdir()
    res = runner.invoke(app, ["repair", "--no-index"])
    assert res.exit_code == 0 and str(killed) in res.output
    assert not killed.exists() and stray.exists()
    assert sorted(_listed()) == sorted(ids)
    killed.mkdir()
    res = runner.invoke(app, ["runs", "delete", "--all"])
    assert res.exit_code == 0, res.output
    assert not killed.exists() and _listed() == []


def _read_only_copy(home: Path, mount: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    mount.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)]).returncode != 0:
        return False
    shutil.copytree(home, mount, dirs_exist_ok=True)
    if subprocess.run(["mount", "-o", "remount,ro", str(mount)]).returncode != 0:
        subprocess.run(["umount", "-l", str(mount)])
        return False
    return True


def test_a_read_only_home_still_lists_shows_and_runs_without_recording(home_with_runs, tmp_path, monkeypatch):
    home, ids = home_with_runs
    ro = tmp_path / "ro-home"
    if not _read_only_copy(home, ro):
        ro.mkdir(exist_ok=True)
        shutil.copytree(home, ro, dirs_exist_ok=True)
        for path in [ro, *ro.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        if os.access(ro, os.W_OK):
            pytest.skip("root without mount(8): cannot make a read-only home")
    try:
        monkeypatch.setenv("ATELIER_HOME", str(ro))
        assert sorted(_listed()) == sorted(ids)
        res = runner.invoke(app, ["runs", "show", ids[0]])
        assert res.exit_code == 0 and json.loads(res.stdout)["run_id"] == ids[0]
        res = runner.invoke(app, ["tool", "sketchify", "--image", str(_photo(tmp_path / "q.png")), "--no-record",
                                  "--out", str(tmp_path / "out"), "--json"])
        assert res.exit_code == 0, res.output
        assert Path(json.loads(res.stdout)["artifacts"]["image"]).exists()
        res = runner.invoke(app, ["tool", "sketchify", "--image", str(tmp_path / "q.png"), "--json"])
        assert res.exit_code == 2 and json.loads(res.stdout)["error"]["code"] == "OUTPUT_UNWRITABLE"
        assert "--no-record" in json.loads(res.stdout)["error"]["message"]
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True)
