"""Latency budgets of issue 19, measured in one run, each with its ratio to ``atelier tools`` (a cold process that
lists the tools) measured in the same run, so a busy or a faster machine shifts both alike.

    .venv/bin/python evals/bench_latency.py [--repeats 3] [--punks 10000] [--ray-items 2000]

Rows: cold CLI calls (a new process each, the home already set up), a warm server (``atelier serve`` on
127.0.0.1, p50 over many requests), a batch of synthetic punks in one process (``tests/punk_render.py``'s
renderer; the CryptoPunks sheet is not in the repository), and Ray throughput with 1 and 2 workers plus Ray's
own overheads (start-up, per task). Writes ``evals/reports/latency.md`` (and ``.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
ATELIER = str(Path(sys.executable).parent / "atelier")
REPORTS = REPO / "evals" / "reports"


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def cli(env: dict[str, str], *args: str) -> None:
    proc = subprocess.run([ATELIER, *args], env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 2):
        raise RuntimeError(f"atelier {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")


def synth_punks(folder: Path, n: int) -> list[Path]:
    sys.path.insert(0, str(REPO / "tests"))
    from punk_render import random_label, render

    folder.mkdir(parents=True, exist_ok=True)
    have = sorted(folder.glob("punk*.png"))
    if len(have) >= n:
        return have[:n]
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(render(random_label(rng))).save(folder / f"punk{i:05d}.png")
    return sorted(folder.glob("punk*.png"))[:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def warm_server(env: dict[str, str], photo: Path, repeats: int) -> dict[str, list[float]]:
    port = free_port()
    proc = subprocess.Popen([ATELIER, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=2).json().get("warm"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        data = photo.read_bytes()
        with httpx.Client(base_url=base, timeout=120) as c:
            def plan() -> None:
                assert c.post("/plan", json={"request": "make it a pencil sketch", "n_attachments": 1}).is_success

            def retrieve() -> None:
                r = c.post("/tools/retrieve_style", data={"args": json.dumps({"query": "neon rainy city"})})
                assert r.is_success, r.text

            def sketch() -> None:
                r = c.post("/tools/sketchify", files={"image": ("p.png", data)})
                assert r.is_success, r.text

            def ask_hello() -> None:
                assert c.post("/ask", json={"request": "hello"}).is_success

            for fn in (plan, retrieve, sketch, ask_hello):  # first calls open stores and caches
                fn()
            n = max(repeats * 10, 20)
            times = {"plan": timed(plan, n), "retrieve_style": timed(retrieve, n), "sketchify 512²": timed(sketch, n),
                     "ask hello": timed(ask_hello, n)}
        remote_env = {**env, "ATELIER_SERVER": base}
        times["cold CLI → server: ask hello"] = timed(lambda: cli(remote_env, "ask", "hello", "--json"), repeats)
        times["cold CLI → server: tool sketchify 512²"] = timed(
            lambda: cli(remote_env, "tool", "sketchify", "--image", str(photo), "--json"), repeats)
        return times
    finally:
        proc.terminate()
        proc.wait(30)


def batch_local(settings, inputs: list[Path], jsonl: Path) -> float:
    from atelier.runs.batch import run_batch

    jsonl.unlink(missing_ok=True)
    t0 = time.perf_counter()
    summary = run_batch("describe_punk", inputs, {}, jsonl, settings, show_progress=False)
    seconds = time.perf_counter() - t0
    assert summary.ok == len(inputs), summary
    return seconds


def ray_runs(settings, inputs: list[Path], tmp: Path) -> dict[str, float]:
    import ray

    from atelier.runs.batch import run_batch

    out: dict[str, float] = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        out[f"ray init ({workers} CPU)"] = time.perf_counter() - t0
        run_batch("describe_punk", inputs[:50], {}, tmp / f"warm{workers}.jsonl", settings, show_progress=False,
                  engine="ray")  # workers start and import the tool once
        jsonl = tmp / f"ray{workers}.jsonl"
        t0 = time.perf_counter()
        summary = run_batch("describe_punk", inputs, {}, jsonl, settings, show_progress=False, engine="ray")
        out[f"ray {workers} worker(s) s"] = time.perf_counter() - t0
        assert summary.ok == len(inputs), summary
        if workers == 1:  # Ray's own cost per task: one-item chunks against the same items in big chunks
            from atelier.runs.ray_engine import ray_items

            store_dir = tmp / "tasks"
            few = [(i, p) for i, p in enumerate(inputs[:200])]
            t0 = time.perf_counter()
            list(ray_items(few, "describe_punk", {}, store_dir, "bench", settings, chunk_size=1))
            one_each = time.perf_counter() - t0
            t0 = time.perf_counter()
            list(ray_items(few, "describe_punk", {}, store_dir, "bench", settings, chunk_size=200))
            one_chunk = time.perf_counter() - t0
            out["ray per-task overhead ms"] = 1000 * (one_each - one_chunk) / (len(few) - 1)
        ray.shutdown()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--punks", type=int, default=10_000)
    ap.add_argument("--ray-items", type=int, default=2000)
    ap.add_argument("--punk-dir", type=Path, default=Path(tempfile.gettempdir()) / "atelier-bench-punks")
    ap.add_argument("--skip-ray", action="store_true")
    opts = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    home = tmp / "home"
    env = {**os.environ, "ATELIER_HOME": str(home), "ATELIER_MODELS": str(home / "models"), "HF_HUB_OFFLINE": "1"}
    for key in ("ATELIER_SERVER", "ATELIER_TOKEN"):
        env.pop(key, None)
    os.environ.update({k: env[k] for k in ("ATELIER_HOME", "ATELIER_MODELS", "HF_HUB_OFFLINE")})
    photo = tmp / "photo512.png"
    Image.open(REPO / "samples" / "astronaut.png").convert("RGB").resize((512, 512)).save(photo)

    cold = {
        "tools": ("tools", "--json"),
        "tool sketchify 512²": ("tool", "sketchify", "--image", str(photo), "--json"),
        "tool retrieve_style": ("tool", "retrieve_style", "--set", "query=neon rainy city", "--json"),
        "ask hello": ("ask", "hello", "--json"),
        "ask with a style": ("ask", "make it cyberpunk", "--image", str(photo), "--json"),
    }
    rows: list[tuple[str, str, float, float | None]] = []  # (group, what, seconds, budget)
    budgets = {"tool sketchify 512²": 1.0, "tool retrieve_style": 2.0, "ask hello": 1.5, "ask with a style": 3.0}
    for args in cold.values():  # set-up runs: the home's stores and indexes exist before timing
        cli(env, *args)
    cold_times = {name: statistics.median(timed(lambda a=args: cli(env, *a), opts.repeats))
                  for name, args in cold.items()}
    base = cold_times["tools"]
    for name, seconds in cold_times.items():
        rows.append(("cold CLI", name, seconds, budgets.get(name)))

    warm = warm_server(env, photo, opts.repeats)
    warm_budgets = {"plan": 0.05, "retrieve_style": 0.1, "sketchify 512²": 0.2}
    for name, times in warm.items():
        group = "cold CLI → warm server" if name.startswith("cold CLI") else "warm server (p50)"
        rows.append((group, name.removeprefix("cold CLI → server: "), statistics.median(times),
                     warm_budgets.get(name)))

    from atelier.core.config import load_settings

    settings = load_settings()
    inputs = synth_punks(opts.punk_dir, opts.punks)
    seconds = batch_local(settings, inputs, tmp / "local.jsonl")
    rows.append(("batch, one process", f"describe_punk × {len(inputs):,}", seconds, 10.0))
    per_item_ms = 1000 * seconds / len(inputs)
    extra: dict[str, float] = {"per_item_ms": per_item_ms}
    if not opts.skip_ray:
        ray_out = ray_runs(settings, inputs[:opts.ray_items], tmp)
        extra.update(ray_out)
        for workers in (1, 2):
            s = ray_out[f"ray {workers} worker(s) s"]
            rows.append(("Ray", f"describe_punk × {opts.ray_items:,}, {workers} worker(s): "
                         f"{opts.ray_items / s:.0f} items/s", s, None))
        rows.append(("Ray", "ray.init, local cluster (2 CPU)", ray_out["ray init (2 CPU)"], None))

    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {socket.gethostname()} ({os.cpu_count()} cores; load "
             f"{os.getloadavg()[0]:.1f} at the end); `atelier tools` cold = {base:.3f} s.", "",
             "| group | what | time (s) | × `atelier tools` | budget (s) | met |", "|---|---|---|---|---|---|"]
    for group, what, secs, budget in rows:
        met = "" if budget is None else ("yes" if secs <= budget else "**no**")
        lines.append(f"| {group} | {what} | {secs:.3f} | {secs / base:.2f}× | {budget if budget else ''} | {met} |")
    lines += ["", f"Per punk in one process: {per_item_ms:.2f} ms."]
    if "ray per-task overhead ms" in extra:
        lines.append(f"Ray: per-task overhead {extra['ray per-task overhead ms']:.1f} ms; local cluster start "
                     f"{extra['ray init (1 CPU)']:.1f} s (1 CPU), {extra['ray init (2 CPU)']:.1f} s (2 CPU).")
    text = "\n".join(lines) + "\n"
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "latency.md").write_text(text)
    (REPORTS / "latency.json").write_text(json.dumps({"rows": rows, "tools_s": base, **extra}, indent=2))
    print(text)


if __name__ == "__main__":
    main()
