"""Nothing escapes ATELIER_HOME, and every failure to write an output is a recorded ok=false with a code
(issue 18, items 1-3, 11 and 13: run ids, output writing, output names, --no-record, --out '', umask)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.runs.invoke import call_tool
from atelier.runs.store import RunStore

runner = CliRunner()


def _photo(path: Path) -> Path:
    img = np.full((64, 80, 3), 230, np.uint8)
    img[10:40, 10:50] = 40
    Image.fromarray(img).save(path)
    return path


def _victim(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "precious.txt").write_text("keep me")
    return folder


def _intact(folder: Path) -> bool:
    return (folder / "precious.txt").read_text() == "keep me"


def _tool(*args: str):
    res = runner.invoke(app, ["tool", *args, "--json"])
    return res, (json.loads(res.stdout) if res.stdout.strip() else None)


def test_runs_delete_refuses_anything_but_a_known_run_id(atelier_home, tmp_path):
    photo = _photo(tmp_path / "p.png")
    kept = call_tool("sketchify", {"image": photo}, {})
    runs = atelier_home / "runs"
    outside = _victim(atelier_home.parent / "victim")
    inside = _victim(runs / "20260101-000000-x-abcdef")  # our pattern, but no record: not a run to delete
    for bad in ("../victim", "../../victim", ".", "..", "", str(outside), "20260101-000000-x-abcdef", "*"):
        res = runner.invoke(app, ["runs", "delete", bad])
        assert res.exit_code == 2, (bad, res.output)
        assert _intact(outside) and _intact(inside), bad
        assert (runs / kept.run_id / "record.json").exists(), bad
    assert RunStore(atelier_home).get(kept.run_id) is not None


def test_a_tool_name_never_writes_outside_the_home(atelier_home, tmp_path):
    photo = _photo(tmp_path / "p.png")
    (atelier_home / "runs").mkdir(parents=True)
    before = set(atelier_home.parent.iterdir())
    for name in ("../../../../x", "../x", "/tmp/x", "..", "a/b"):
        res, result = _tool(name, "--image", str(photo))
        assert res.exit_code == 2 and result["error"]["code"] == "BAD_ARGUMENT", name
        run_dir = atelier_home / "runs" / result["run_id"]
        assert run_dir.parent == atelier_home / "runs" and (run_dir / "record.json").exists()
    assert set(atelier_home.parent.iterdir()) == before  # nothing new next to the home
    assert not list(Path("/tmp").glob("x-*"))


def _check_refused(atelier_home, out: str, code: str, photo: Path):
    res, result = _tool("sketchify", "--image", str(photo), "--out", out)
    assert res.exit_code == 2, (out, res.output)
    assert result["ok"] is False and result["error"]["code"] == code, (out, result["error"])
    record = RunStore(atelier_home).get(result["run_id"])
    assert record["ok"] is False and record["error"]["code"] == code
    run_dir = atelier_home / "runs" / result["run_id"]
    assert sorted(p.name for p in run_dir.iterdir()) == ["record.json"], out


def test_out_that_cannot_be_written_is_output_unwritable(atelier_home, tmp_path):
    photo = _photo(tmp_path / "p.png")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    _check_refused(atelier_home, str(a_file), "OUTPUT_UNWRITABLE", photo)
    _check_refused(atelier_home, str(a_file / "sub"), "OUTPUT_UNWRITABLE", photo)
    _check_refused(atelier_home, "/dev/null", "OUTPUT_UNWRITABLE", photo)
    assert a_file.read_text() == "x"


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_out_to_a_read_only_folder(atelier_home, tmp_path):
    photo = _photo(tmp_path / "p.png")
    ro = tmp_path / "ro"
    if not _mount_tmpfs(ro, "ro,size=1m"):
        ro.mkdir(exist_ok=True)
        ro.chmod(0o555)
        if os.access(ro, os.W_OK):
            pytest.skip("running as root without mount: a chmod 555 folder is still writable")
    try:
        _check_refused(atelier_home, str(ro), "OUTPUT_UNWRITABLE", photo)
        _check_refused(atelier_home, str(ro / "new"), "OUTPUT_UNWRITABLE", photo)
    finally:
        _umount(ro)


def test_full_disk_is_disk_full_and_leaves_nothing(atelier_home, tmp_path):
    """A 3 MB tmpfs as --out, then as ATELIER_HOME (needs root to mount; skipped otherwise)."""
    small = tmp_path / "small"
    if not _mount_tmpfs(small, "size=3m"):
        pytest.skip("needs root and mount(8) to make a small tmpfs")
    try:
        (small / "filler").write_bytes(b"\0" * (3 * 2**20 - 200_000))  # leave ~200 kB: the record fits
        rng = np.random.default_rng(0)
        noisy = tmp_path / "noisy.png"
        Image.fromarray(rng.integers(0, 255, (700, 700, 3), dtype=np.uint8)).save(noisy)  # ~1.5 MB sketch
        _check_refused(atelier_home, str(small / "out"), "DISK_FULL", noisy)
        assert not (small / "out").exists() or not any((small / "out").iterdir())
        (small / "filler").unlink()
        (small / "filler").write_bytes(b"\0" * (3 * 2**20 - 300_000))
        home = small / "home"
        env = {"ATELIER_HOME": str(home), "ATELIER_MODELS": str(home / "models")}
        res = runner.invoke(app, ["tool", "sketchify", "--image", str(noisy), "--json"], env=env)
        assert res.exit_code == 2, res.output
        result = json.loads(res.stdout)
        assert result["error"]["code"] == "DISK_FULL"
        leftovers = [p for p in (home / "runs").rglob("*") if p.is_file() and p.name != "record.json"]
        assert leftovers == []
    finally:
        _umount(small)


def test_empty_out_is_a_bad_argument_and_writes_nothing_here(atelier_home, tmp_path, monkeypatch):
    photo = _photo(tmp_path / "p.png")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    res, result = _tool("sketchify", "--image", str(photo), "--out", "")
    assert res.exit_code == 2 and result["error"]["code"] == "BAD_ARGUMENT"
    assert list(work.iterdir()) == []


def test_no_record_without_out_leaves_nothing_in_the_temp_folder(atelier_home, tmp_path, monkeypatch):
    photo = _photo(tmp_path / "p.png")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    res, result = _tool("sketchify", "--image", str(photo), "--no-record")
    assert res.exit_code == 0 and result["ok"] and result["run_id"] is None
    assert list(temp.iterdir()) == []
    assert any("not kept" in w for w in result["warnings"])
    assert not (atelier_home / "runs").exists() or not any((atelier_home / "runs").iterdir())


def test_outputs_are_named_from_input_and_tool_and_never_overwritten(atelier_home, tmp_path):
    photo = _photo(tmp_path / "astronaut.png")
    out = tmp_path / "out"
    paths = []
    for _ in range(3):
        res, result = _tool("sketchify", "--image", str(photo), "--out", str(out))
        assert res.exit_code == 0, res.output
        paths.append(Path(result["artifacts"]["image"]).name)
    assert paths == ["astronaut-sketchify.png", "astronaut-sketchify-1.png", "astronaut-sketchify-2.png"]
    res, result = _tool("sketchify", "--image", str(photo), "--out", str(out), "--no-record")
    assert Path(result["artifacts"]["image"]).name == "astronaut-sketchify-3.png"
    assert sorted(p.name for p in out.iterdir()) == sorted([*paths, "astronaut-sketchify-3.png"])


def test_output_files_honour_the_umask(atelier_home, tmp_path):
    photo = _photo(tmp_path / "p.png")
    old = os.umask(0o022)
    try:
        result = call_tool("sketchify", {"image": photo}, {}, out_dir=tmp_path / "o")
        assert (Path(result.artifacts["image"]).stat().st_mode & 0o777) == 0o644
        os.umask(0o077)
        result = call_tool("sketchify", {"image": photo}, {}, out_dir=tmp_path / "o")
        assert (Path(result.artifacts["image"]).stat().st_mode & 0o777) == 0o600
        os.umask(0o002)
        result = call_tool("sketchify", {"image": photo}, {})
        assert (Path(result.artifacts["image"]).stat().st_mode & 0o777) == 0o664
        record = atelier_home / "runs" / result.run_id / "record.json"
        assert (record.stat().st_mode & 0o777) == 0o664
    finally:
        os.umask(old)
