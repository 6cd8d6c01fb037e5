from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.runs.batch import done_inputs, expand_inputs, run_batch
from atelier.runs.invoke import CallContext, call_tool
from atelier.runs.store import RunStore

runner = CliRunner()


def _photo(path, seed=0, size=(80, 64)):
    rng = np.random.default_rng(seed)
    img = np.full((size[1], size[0], 3), 230, np.uint8)
    img[10:40, 10 + seed: 50 + seed] = rng.integers(0, 80, 3)
    Image.fromarray(img).save(path)
    return path


def test_success_and_failure_records(atelier_home, tmp_path):
    good = _photo(tmp_path / "good.png")
    ok = call_tool("sketchify", {"image": good}, {"seed": 4},
                   context=CallContext(request="sketch it", thread_id="t1", step_id="step1"))
    (tmp_path / "bad.png").write_bytes(b"nope")
    bad = call_tool("sketchify", {"image": tmp_path / "bad.png"}, {})
    store = RunStore(atelier_home)
    rec = store.get(ok.run_id)
    assert rec["ok"] and rec["params"]["seed"] == 4 and rec["context"]["thread_id"] == "t1"
    assert rec["artifacts"]["image"].startswith(str(atelier_home / "runs" / ok.run_id))
    failed = store.get(bad.run_id)
    assert failed["ok"] is False and failed["error"]["code"] == "INVALID_IMAGE"
    assert [r.run_id for r in store.list()] == [bad.run_id, ok.run_id]
    assert store.list(tool="sketchify")[0].error_code == "INVALID_IMAGE"


def test_inputs_are_stored_once_without_exif(atelier_home, tmp_path):
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # a GPS block
    exif[0x010F] = "PhoneMaker"
    img = np.full((64, 64, 3), 200, np.uint8)
    img[20:40, 20:40] = 30
    Image.fromarray(img).save(tmp_path / "gps.jpg", exif=exif.tobytes())
    a = call_tool("sketchify", {"image": tmp_path / "gps.jpg"}, {})
    b = call_tool("sketchify", {"image": tmp_path / "gps.jpg"}, {"seed": 9})
    store = RunStore(atelier_home)
    stored = {store.get(r.run_id)["inputs"]["image"]["stored"] for r in (a, b)}
    assert len(stored) == 1
    kept = Image.open(stored.pop())
    assert not kept.getexif() and "exif" not in kept.info
    assert store.delete(a.run_id)
    assert Image.open(store.get(b.run_id)["inputs"]["image"]["stored"])  # still used by b
    assert store.delete(b.run_id)
    assert not list((atelier_home / "inputs").rglob("*.png"))
    assert not (atelier_home / "runs" / b.run_id).exists()


def test_runs_cli_list_show_delete(atelier_home, tmp_path):
    r = call_tool("sketchify", {"image": _photo(tmp_path / "p.png")}, {})
    listed = json.loads(runner.invoke(app, ["runs", "list", "--json"]).stdout)
    assert [x["run_id"] for x in listed] == [r.run_id]
    shown = json.loads(runner.invoke(app, ["runs", "show", r.run_id]).stdout)
    assert shown["tool"] == "sketchify" and shown["ok"] is True
    assert runner.invoke(app, ["runs", "delete", r.run_id]).exit_code == 0
    assert runner.invoke(app, ["runs", "show", r.run_id]).exit_code == 2


def test_no_record_keeps_nothing(atelier_home, tmp_path):
    res = call_tool("sketchify", {"image": _photo(tmp_path / "p.png")}, {}, record=False, out_dir=tmp_path / "o")
    assert res.ok and res.run_id is None and (tmp_path / "o" / "p-sketchify.png").exists()
    assert RunStore(atelier_home).list() == []


def test_batch_writes_a_line_per_input_survives_bad_files_and_resumes(atelier_home, tmp_path, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        _photo(folder / f"p{i}.png", seed=i)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    (folder / "notes.txt").write_text("ignored: not an image suffix")
    jsonl = tmp_path / "out.jsonl"
    inputs = expand_inputs(str(folder))
    assert [p.name for p in inputs] == ["broken.png", "p0.png", "p1.png", "p2.png"]
    first = run_batch("sketchify", inputs[:2], {}, jsonl, settings, show_progress=False)
    assert (first.ok, first.failed, first.skipped) == (1, 1, 0)
    with jsonl.open("a") as fh:  # a killed run leaves a torn last line
        fh.write('{"input": "torn')
    second = run_batch("sketchify", inputs, {}, jsonl, settings, show_progress=False)
    assert (second.ok, second.failed, second.skipped) == (2, 0, 2)
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [line["input"] for line in lines] == [str(p) for p in inputs]
    assert lines[0]["ok"] is False and lines[0]["error"]["code"] == "INVALID_IMAGE"
    assert all(line["ok"] for line in lines[1:])
    assert done_inputs(jsonl) == {str(p) for p in inputs}
    record = RunStore(atelier_home).get(second.run_id)
    assert record["kind"] == "batch" and record["outputs"]["ok"] == 2
    # a batch is one run, not one per item
    assert len(RunStore(atelier_home).list()) == 2


def test_batch_cli_with_glob(tmp_path):
    for i in range(2):
        _photo(tmp_path / f"s{i}.png", seed=i)
    res = runner.invoke(app, ["batch", "sketchify", "--input", str(tmp_path / "s*.png"),
                              "--jsonl", str(tmp_path / "r.jsonl"), "--set", "grain=0"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and all(x["ok"] for x in lines)


def _folder_with(tmp_path, good: int, bad: int):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for i in range(good):
        _photo(folder / f"g{i}.png", seed=i)
    for i in range(bad):
        (folder / f"b{i}.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    return folder


def _batch(*args):
    return runner.invoke(app, ["batch", "sketchify", *args])


def test_batch_exit_codes_summary_and_item_ids(atelier_home, tmp_path):
    folder = _folder_with(tmp_path, 0, 2)
    res = _batch("--input", str(folder), "--jsonl", str(tmp_path / "bad.jsonl"))
    assert res.exit_code == 2, res.output  # nothing succeeded
    assert "0 ok, 2 failed, 0 skipped" in res.output
    folder = _folder_with(tmp_path, 2, 0)
    res = _batch("--input", str(folder), "--jsonl", str(tmp_path / "mixed.jsonl"))
    assert res.exit_code == 0 and "2 ok, 2 failed, 0 skipped" in res.output, res.output
    lines = [json.loads(x) for x in (tmp_path / "mixed.jsonl").read_text().splitlines()]
    run_ids = {line["run_id"] for line in lines}
    assert len(run_ids) == 1 and None not in run_ids
    rid = next(iter(run_ids))
    assert [line["item_id"] for line in lines] == [f"{rid}/{i:06d}" for i in range(4)]
    res = _batch("--input", str(folder), "--jsonl", str(tmp_path / "mixed.jsonl"))
    assert res.exit_code == 0 and "0 ok, 0 failed, 4 skipped" in res.output
    assert "2 of them failed before, --retry-failed" in res.output


def test_batch_retry_failed_runs_only_the_failed_ones(atelier_home, tmp_path, settings):
    folder = _folder_with(tmp_path, 2, 1)
    jsonl = tmp_path / "r.jsonl"
    first = run_batch("sketchify", expand_inputs(str(folder)), {}, jsonl, settings, show_progress=False)
    assert (first.ok, first.failed) == (2, 1)
    _photo(folder / "b0.png", seed=5)  # the user fixes the broken file
    again = run_batch("sketchify", expand_inputs(str(folder)), {}, jsonl, settings, show_progress=False)
    assert (again.ok, again.failed, again.skipped, again.skipped_failed) == (0, 0, 3, 1)
    assert again.exit_code == 0  # two inputs succeeded in the first run
    res = _batch("--input", str(folder), "--jsonl", str(jsonl), "--retry-failed")
    assert res.exit_code == 0 and "1 ok, 0 failed, 2 skipped" in res.output, res.output
    assert done_inputs(jsonl) == {str(p) for p in expand_inputs(str(folder))}


def test_batch_arguments_are_checked_before_the_first_item(atelier_home, tmp_path):
    folder = _folder_with(tmp_path, 2, 0)
    for bad in (["--set", "shading=7"], ["--set", "nope=1"], ["--set", "shading=true"]):
        res = _batch("--input", str(folder), "--jsonl", str(tmp_path / "x.jsonl"), *bad)
        assert res.exit_code == 2 and "BAD_ARGUMENT" in res.output, (bad, res.output)
        assert not (tmp_path / "x.jsonl").exists() or not (tmp_path / "x.jsonl").read_text()
    res = _batch("--input", str(folder), "--jsonl", str(tmp_path))
    assert res.exit_code == 2 and "is a folder" in res.output and res.exception is None or \
        isinstance(res.exception, SystemExit)
    res = runner.invoke(app, ["batch", "sketchfy", "--input", str(folder), "--jsonl", str(tmp_path / "y.jsonl")])
    assert res.exit_code == 2 and "did you mean 'sketchify'" in res.output
    assert RunStore(atelier_home).list() == []  # nothing started


def test_batch_out_writes_collision_free_names(atelier_home, tmp_path):
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    _photo(folder / "a" / "same.png", seed=1)
    _photo(folder / "same.png", seed=2)
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", "sketchify", "--input", str(folder / "**" / "same.png"), "--jsonl",
                              str(tmp_path / "o.jsonl"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["same-sketchify-1.png", "same-sketchify.png"]
    lines = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert sorted(Path(x["artifacts"]["image"]).name for x in lines) == sorted(p.name for p in out.iterdir())


def test_ctrl_c_prints_how_to_resume(atelier_home, tmp_path, monkeypatch):
    import atelier.runs.batch as batch

    folder = _folder_with(tmp_path, 3, 0)
    real = batch.run_item
    calls = []

    def interrupting(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "run_item", interrupting)
    res = _batch("--input", str(folder), "--jsonl", str(tmp_path / "k.jsonl"))
    assert res.exit_code == 130, res.output
    assert "interrupted" in res.output and "Resume with the same command" in res.output
    assert "atelier batch sketchify --input" in res.output
    monkeypatch.setattr(batch, "run_item", real)
    res = _batch("--input", str(folder), "--jsonl", str(tmp_path / "k.jsonl"))
    assert res.exit_code == 0 and "2 ok, 0 failed, 1 skipped" in res.output, res.output


def test_a_killed_batch_folder_is_removed_by_delete_all(atelier_home, tmp_path):
    call_tool("sketchify", {"image": _photo(tmp_path / "p.png")}, {})
    store = RunStore(atelier_home)
    run_id, run_dir = store.new_run("batch-sketchify")  # what a kill -9 leaves: a folder, no record
    (run_dir / "items").mkdir()
    res = runner.invoke(app, ["runs", "delete", "--all"])
    assert res.exit_code == 0 and str(run_dir) in res.output
    assert not run_dir.exists() and list((atelier_home / "runs").iterdir()) == []
