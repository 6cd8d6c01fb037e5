"""A tool's batched path (``ToolSpec.run_batch``) gives exactly the results of one call per item, and a bad item
in a chunk fails alone."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image
from punk_render import random_label, render

from atelier.core.runner import run_tool, run_tool_batch
from atelier.runs.batch import run_batch


def test_batched_punks_match_one_call_each_and_a_bad_file_fails_alone(tmp_path, settings):
    rng = np.random.default_rng(11)
    paths = []
    for i in range(12):
        paths.append(tmp_path / f"p{i}.png")
        Image.fromarray(render(random_label(rng))).save(paths[-1])
    (tmp_path / "bad.png").write_bytes(b"not a png")
    Image.fromarray(np.full((24, 24, 4), (0, 200, 0, 255), np.uint8)).save(tmp_path / "green.png")
    paths[3:3] = [tmp_path / "bad.png", tmp_path / "green.png"]
    batched = run_tool_batch("describe_punk", [{"image": p} for p in paths], {}, [None] * len(paths), settings)
    single = [run_tool("describe_punk", {"image": p}, {}, None, settings) for p in paths]
    for b, s in zip(batched, single, strict=True):
        assert (b.result.ok, b.result.error) == (s.result.ok, s.result.error)
        assert b.result.outputs == s.result.outputs
    assert [b.result.error.code for b in batched[3:5]] == ["INVALID_IMAGE", "NOT_A_PUNK"]

    summary = run_batch("describe_punk", paths, {}, tmp_path / "out.jsonl", settings, show_progress=False)
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (summary.ok, summary.failed) == (12, 2) and [line["input"] for line in lines] == [str(p) for p in paths]
    assert [line["outputs"] for line in lines if line["ok"]] == [s.result.outputs for s in single if s.result.ok]


def test_a_punk_reads_the_same_whatever_chunk_it_lands_in(tmp_path, settings):
    """Ray tasks hand the batched path chunks of other sizes than the local engine's 64: a punk's reported
    confidences must not depend on that (float32 products summed per chunk size differed in the 4th decimal)."""
    rng = np.random.default_rng(5)
    paths = []
    for i in range(200):
        paths.append(tmp_path / f"p{i:03d}.png")
        Image.fromarray(render(random_label(rng))).save(paths[-1])

    def outputs(size: int) -> list[dict]:
        out = []
        for start in range(0, len(paths), size):
            chunk = paths[start:start + size]
            out += [o.result.outputs for o in run_tool_batch("describe_punk", [{"image": p} for p in chunk], {},
                                                             [None] * len(chunk), settings)]
        return out

    by_64 = outputs(64)
    assert len(by_64) == 200 and all(o for o in by_64)
    assert outputs(25) == by_64
    assert outputs(7) == by_64
