"""Sketchify (classical path) against OpenCV's ``cv2.pencilSketch`` (default parameters), side by side.

Same images, same process settings; each (method, size) runs in a fresh subprocess so that peak memory
(ru_maxrss growth over the loaded images) is not polluted by the other method. Reports the time ratio
(Sketchify / pencilSketch, lower is better), peak memory and the three quality metrics for both, as a
markdown table and a PNG plot.

    .venv/bin/python evals/bench_sketch.py [--out evals/reports] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"512²": (512, 512), "1080p": (1920, 1080), "4K": (3840, 2160)}
PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg")
METHODS = ("sketchify", "pencilSketch")

WORKER = r"""
import json, resource, sys, time
import cv2, numpy as np
from PIL import Image
from atelier.tools.sketchify.backends.classical import ClassicalShading
from atelier.tools.sketchify.metrics import sketch_metrics
from atelier.tools.sketchify.pipeline import sketch

method, w, h, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
photos = json.loads(sys.argv[5])

def fit(path):
    img = Image.open(path).convert("RGB")
    scale = max(w / img.width, h / img.height)
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    left, top = (img.width - w) // 2, (img.height - h) // 2
    return np.asarray(img.crop((left, top, left + w, top + h)))

images = [fit(p) for p in photos]
shading = ClassicalShading()
def run(rgb):
    if method == "sketchify":
        return sketch(rgb, shading)
    gray, _ = cv2.pencilSketch(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return gray

base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # images loaded, nothing run yet
run(images[0])  # warm-up: first-call allocations and thread pools
times, metrics = [], []
for rgb in images:
    per = []
    for _ in range(repeats):
        t = time.perf_counter(); out = run(rgb); per.append(time.perf_counter() - t)
    times.append(sorted(per)[len(per) // 2])
    metrics.append(sketch_metrics(out, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def mean(key):
    vals = [m[key] for m in metrics if m[key] is not None]
    return sum(vals) / len(vals) if vals else None
print(json.dumps({"seconds": sum(times) / len(times), "peak_mib": max(peak - base, 0) / 1024,
                  **{k: mean(k) for k in ("background_purity", "tonal_range", "edge_fidelity")}}))
"""


def measure(method: str, size: tuple[int, int], repeats: int) -> dict:
    photos = [str(REPO / "samples" / p) for p in PHOTOS]
    proc = subprocess.run([sys.executable, "-c", WORKER, method, str(size[0]), str(size[1]), str(repeats),
                           json.dumps(photos)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def table(rows: dict) -> str:
    lines = [
        "| size | method | time (s) | time ratio | peak mem (MiB) | background purity % | tonal range % | edge F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, by_method in rows.items():
        ref = by_method["pencilSketch"]["seconds"]
        for method, r in by_method.items():
            lines.append(f"| {size} | {method} | {r['seconds']:.3f} | {r['seconds'] / ref:.2f}× | "
                         f"{r['peak_mib']:.0f} | {fmt(r['background_purity'], '.2f')} | "
                         f"{fmt(r['tonal_range'], '.1f')} | {fmt(r['edge_fidelity'], '.3f')} |")
    return "\n".join(lines)


def plot(rows: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    sizes = list(rows)
    for i, method in enumerate(METHODS):
        xs = [j + i * 0.38 for j in range(len(sizes))]
        axes[0].bar(xs, [rows[s][method]["seconds"] for s in sizes], width=0.38, label=method)
        axes[1].bar(xs, [rows[s][method]["peak_mib"] for s in sizes], width=0.38, label=method)
    for ax, title in zip(axes, ("median seconds per image", "peak memory growth (MiB)"), strict=True):
        ax.set_xticks([j + 0.19 for j in range(len(sizes))], sizes)
        ax.set_title(title)
        ax.set_yscale("log")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    parser.add_argument("--repeats", type=int, default=5)
    opts = parser.parse_args()
    rows = {label: {m: measure(m, size, opts.repeats if label != "4K" else max(1, opts.repeats // 2))
                    for m in METHODS} for label, size in SIZES.items()}
    opts.out.mkdir(parents=True, exist_ok=True)
    header = (f"Sketchify vs cv2.pencilSketch — {date.today().isoformat()}, {platform.machine()}, "
              f"{__import__('os').cpu_count()} cores; images: {', '.join(PHOTOS)} fitted to each size; "
              f"median of {opts.repeats} runs per image (4K: {max(1, opts.repeats // 2)}), mean over images.")
    md = f"{header}\n\n{table(rows)}\n"
    (opts.out / "bench_sketch.md").write_text(md)
    (opts.out / "bench_sketch.json").write_text(json.dumps(rows, indent=2))
    plot(rows, opts.out / "bench_sketch.png")
    print(md)


if __name__ == "__main__":
    main()
