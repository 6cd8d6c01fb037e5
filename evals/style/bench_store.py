"""Index latency: p50/p95 of a k=5 query against the Chroma store at 50, 1 000 and 10 000 entries
(384-d unit vectors, the MiniLM size; random, so no query is easier than another).

    .venv/bin/python evals/style/bench_store.py [--out evals/reports]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    parser.add_argument("--queries", type=int, default=200)
    opts = parser.parse_args()
    from atelier.knowledge.store import Store

    rng = np.random.default_rng(0)
    store = Store(Path(tempfile.mkdtemp(prefix="atelier-bench-")))
    rows, have = [], 0
    for size in (50, 1000, 10000):
        t = time.perf_counter()
        while have < size:
            n = min(1000, size - have)
            vecs = rng.standard_normal((n, 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            store.upsert("runs_text", [f"r{have + i}" for i in range(n)], vecs,
                         [{"run_id": f"r{have + i}", "tool": "sketchify"} for i in range(n)])
            have += n
        insert_s = time.perf_counter() - t
        times = []
        for _ in range(opts.queries):
            q = rng.standard_normal(384).astype(np.float32)
            t = time.perf_counter()
            store.query("runs_text", q / np.linalg.norm(q), 5)
            times.append(1000 * (time.perf_counter() - t))
        rows.append((size, float(np.percentile(times, 50)), float(np.percentile(times, 95)), insert_s))
    lines = [f"Index latency — {date.today().isoformat()}, Chroma PersistentClient, 384-d, k=5, "
             f"{opts.queries} queries per size, 2-core CPU", "",
             "| entries | p50 query | p95 query | time to add this step's entries |", "|---|---|---|---|"]
    lines += [f"| {s:,} | {p50:.2f} ms | {p95:.2f} ms | {ins:.1f} s |" for s, p50, p95, ins in rows]
    md = "\n".join(lines) + "\n"
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "store_latency.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
