"""The fuzz corpus (tests/corpus.py, >= 60 odd and corrupt files of our own making) through every tool:
never INTERNAL, a record for every call, no output file on failure; a few through the real CLI, where stdout
is JSON only, the exit status 0 or 2 and the peak RSS under the 1.5 GB budget (issue 18)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES
from corpus import fuzz_corpus

from atelier.core.registry import get_tool, tool_names
from atelier.runs.invoke import call_tool
from atelier.runs.store import RunStore

RSS_BUDGET_MB = 1536
IMAGE_TOOLS = [n for n in tool_names() if get_tool(n).role("image") is not None]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return fuzz_corpus(tmp_path_factory.mktemp("fuzz"))


def test_the_corpus_is_big_and_varied(corpus):
    assert len(corpus) >= 60
    for kind in ("bad_png_cut", "bad_jpeg_cut", "bad_tiff_no_dimensions", "bad_dds", "odd_mpo", "odd_tiff_g4",
                 "odd_palette", "huge_blank"):
        assert any(name.startswith(kind) for name in corpus), kind


def _inputs(tool: str, path: Path) -> dict[str, Path]:
    images = {"image": path}
    if get_tool(tool).role("ref") is not None:
        images["ref"] = SAMPLES / "coffee.png"
    return images


@pytest.mark.parametrize("tool", IMAGE_TOOLS)
def test_every_file_through_every_tool(tool, corpus, atelier_home, tmp_path):
    store = RunStore(atelier_home)
    args = {"query": "sketch"} if tool in ("retrieve_style", "search_runs") else {}
    for name, path in corpus.items():
        if name.startswith("huge_") and tool in ("sketchify", "detect_closed_eyes"):
            continue  # decoded and downscaled: the CLI sweep below covers them (with their memory)
        out = tmp_path / f"out-{name}"
        result = call_tool(tool, _inputs(tool, path), args, out_dir=out)
        assert result.error is None or result.error.code != "INTERNAL", (name, result.error)
        record = store.get(result.run_id)
        assert record is not None and record["ok"] == result.ok, name
        if name.startswith("bad_"):
            assert not result.ok and result.error.code in ("INVALID_IMAGE", "IMAGE_TOO_LARGE"), (name, result)
        if name.startswith("odd_") and not result.ok:
            assert result.error.code not in ("INVALID_IMAGE",), (name, result.error)
        if not result.ok:
            assert not out.exists() or not any(out.iterdir()), name
            run_dir = atelier_home / "runs" / result.run_id
            assert sorted(p.name for p in run_dir.iterdir()) == ["record.json"], name


CLI_FILES = ("huge_blank_7000.png", "huge_blank_8000.png", "bad_tiff_no_dimensions.tif", "bad_dds_unimplemented.dds",
             "odd_mpo_phone.jpg", "bad_png_cut_chunk1_mid.png")


@pytest.mark.slow
def test_the_real_cli_on_the_worst_files_stays_under_the_memory_budget(corpus, atelier_home, tmp_path):
    """Each call is its own process: its peak RSS (ru_maxrss of the child) is the tool's on that file."""
    exe = Path(sys.executable).with_name("atelier")
    env = {**os.environ, "ATELIER_HOME": str(atelier_home)}
    peaks = {}
    for tool in IMAGE_TOOLS:
        for name in CLI_FILES:
            images = _inputs(tool, corpus[name])
            flags = [x for role, p in images.items() for x in (f"--{role}", str(p))]
            extra = ["--set", "query=sketch"] if tool in ("retrieve_style", "search_runs") else []
            code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
                    "sys.stdout.buffer.write(p.stdout); sys.stderr.buffer.write(p.stderr); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                    "sys.exit(p.returncode)")
            proc = subprocess.run([sys.executable, "-c", code, str(exe), "tool", tool, *flags, *extra,
                                   "--out", str(tmp_path / "out"), "--json"], capture_output=True, text=True,
                                  env=env, timeout=600)
            assert proc.returncode in (0, 2), (tool, name, proc.stderr[-2000:])
            result = json.loads(proc.stdout)  # JSON only on stdout
            assert result["tool"] == tool and RunStore(atelier_home).get(result["run_id"]) is not None
            peak_mb = int(proc.stderr.strip().splitlines()[-1]) // 1024
            peaks[(tool, name)] = peak_mb
            assert peak_mb < RSS_BUDGET_MB, (tool, name, peak_mb, result.get("warnings"))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 < 4 * RSS_BUDGET_MB
    print("peak RSS (MB):", json.dumps({f"{t} {n}": mb for (t, n), mb in peaks.items()}, indent=1))
