from __future__ import annotations

import json

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
    assert res.ok and res.run_id is None and (tmp_path / "o" / "image.png").exists()
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
