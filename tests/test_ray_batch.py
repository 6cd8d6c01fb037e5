"""The Ray engine against the local one on a real two-CPU Ray cluster: the same JSONL for the same items, and a
worker killed mid-batch loses or repeats no line, also across a resume."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ray = pytest.importorskip("ray")
psutil = pytest.importorskip("psutil")

from atelier.core.registry import get_tool  # noqa: E402
from atelier.runs.batch import expand_inputs, run_batch  # noqa: E402
from atelier.runs.ray_engine import chunked, item_resources, task_options  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    before = os.environ.get("ATELIER_HOME")
    os.environ["ATELIER_HOME"] = str(tmp_path_factory.mktemp("ray-home"))  # what the workers inherit
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()
    if before is None:
        os.environ.pop("ATELIER_HOME", None)
    else:
        os.environ["ATELIER_HOME"] = before


def sprites(folder: Path, n: int = 40) -> list[Path]:
    """Random 12×12 pixel-art sprites, upscaled ×5–9 with a random crop: what reconstruct_sprite reads."""
    folder.mkdir()
    for i in range(n):
        rng = np.random.default_rng(i)
        palette = rng.integers(0, 256, (5, 3), dtype=np.uint8)
        art = palette[rng.integers(0, 5, (12, 12))]
        scale = int(rng.integers(5, 10))
        big = np.kron(art, np.ones((scale, scale, 1), np.uint8))[int(rng.integers(0, scale)):]
        Image.fromarray(big).save(folder / f"s{i:02d}.png")
    return expand_inputs(str(folder))


def normalised(jsonl: Path) -> list[dict]:
    """The lines without what two identical batches differ in: the batch's run id (in ids and item paths)
    and the timings."""
    lines = []
    for raw in jsonl.read_text().splitlines():
        line = json.loads(raw)
        run_id = line.pop("run_id")
        line.pop("timings")
        lines.append(json.loads(json.dumps(line).replace(run_id, "RUN")))
    return lines


def run_dir(settings, line: dict) -> Path:
    return settings.runs_dir / line["item_id"].split("/")[0]


def test_ray_batch_matches_the_local_engine_and_survives_a_killed_worker(cluster, tmp_path, settings):
    inputs = sprites(tmp_path / "sprites")
    local = run_batch("reconstruct_sprite", inputs, {}, tmp_path / "local.jsonl", settings, show_progress=False)
    fanned = run_batch("reconstruct_sprite", inputs, {}, tmp_path / "ray.jsonl", settings, show_progress=False,
                       engine="ray")
    assert (local.ok, fanned.ok) == (40, 40)
    assert normalised(tmp_path / "ray.jsonl") == normalised(tmp_path / "local.jsonl")
    for a, b in zip(*(map(json.loads, (tmp_path / f).read_text().splitlines()) for f in ("local.jsonl", "ray.jsonl")),
                    strict=True):
        assert np.array_equal(np.asarray(Image.open(a["artifacts"]["image"])),
                              np.asarray(Image.open(b["artifacts"]["image"])))

    # a worker killed while it runs a chunk: Ray runs the chunk again, its lines come back once
    jsonl = tmp_path / "killed.jsonl"
    killed: list[int] = []
    done = threading.Event()

    def kill_a_worker() -> None:
        while not done.is_set() and not killed:
            for proc in psutil.process_iter(["pid", "cmdline"]):
                if "ray::_run_chunk" in " ".join(proc.info["cmdline"] or []):
                    os.kill(proc.info["pid"], signal.SIGKILL)
                    killed.append(proc.info["pid"])
                    break
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        first = run_batch("reconstruct_sprite", inputs, {}, jsonl, settings, show_progress=False, engine="ray")
    finally:
        done.set()
        killer.join()
    assert killed, "no worker was running a chunk to kill"
    assert first.ok == 40
    assert normalised(jsonl) == normalised(tmp_path / "local.jsonl")

    # the driver dies after 13 lines and half of the 14th: resuming adds exactly the missing ones
    lines = jsonl.read_text().splitlines(keepends=True)
    jsonl.write_text("".join(lines[:13]) + lines[13][:40])
    resumed = run_batch("reconstruct_sprite", inputs, {}, jsonl, settings, show_progress=False, engine="ray")
    assert (resumed.skipped, resumed.ok) == (13, 27)
    after = normalised(jsonl)
    assert [x["input"] for x in after] == [str(p) for p in inputs]  # each input once, in order
    assert after == normalised(tmp_path / "local.jsonl")


def test_gpu_tools_ask_ray_for_a_gpu_and_cpu_tools_do_not(cluster, settings):
    from atelier.core.errors import ToolError

    assert task_options(item_resources(get_tool("reconstruct_sprite"), {}, settings))["num_gpus"] == 0
    diffusion = item_resources(get_tool("stylize"), {"backend": "diffusion"}, settings)
    assert diffusion.get("GPU") == 1  # no weights here, so it must go where the model could run
    assert item_resources(get_tool("stylize"), {}, settings).get("GPU", 0) == 0  # auto picks the palette here
    with pytest.raises(ToolError) as caught:  # this cluster has no GPU: say so instead of waiting forever
        run_batch("stylize", [Path("x.png")], {"backend": "diffusion"}, settings.home / "g.jsonl", settings,
                  show_progress=False, engine="ray")
    assert caught.value.code == "BACKEND_UNAVAILABLE" and "GPU" in caught.value.message
    assert [len(c) for c in chunked(list(range(10)), 2)] == [2, 2, 2, 2, 2]
