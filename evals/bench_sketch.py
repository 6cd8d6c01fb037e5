"""Sketchify (graphite / charcoal / ink) against ``cv2.pencilSketch`` and a plain Lu et al. 2012, side by side.

Same images at 512², 1080p and 4K; each (method, size) runs in a fresh subprocess so that peak memory
(ru_maxrss growth over the loaded images) is not polluted by another method. Reports the time ratio
(method / pencilSketch, lower is better), peak memory, tone fidelity, edge F1 and dark coverage on the
photos, background purity on a noisy, light, plain wall (the photos' own paper share too), as a markdown
table, plus a contact sheet PNG of every method on every photo.

    .venv/bin/python evals/bench_sketch.py [--out evals/reports] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"512²": (512, 512), "1080p": (1920, 1080), "4K": (3840, 2160)}
PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg")
METHODS = ("graphite", "charcoal", "ink", "pencilSketch", "lu2012")
KEYS = ("tone_fidelity", "edge_fidelity", "dark_coverage", "background_purity", "stroke_f1")

WORKER = r"""
import json, resource, sys, time
import cv2, numpy as np
from PIL import Image
sys.path.insert(0, sys.argv[6])
from lu2012 import lu2012
from atelier.tools.sketchify.backends.classical import ClassicalShading
from atelier.tools.sketchify.metrics import background_purity, sketch_metrics, stroke_f1
from atelier.tools.sketchify.pipeline import SketchParams, sketch

method, w, h, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
photos = json.loads(sys.argv[5])

def fit(path):
    img = Image.open(path).convert("RGB")
    scale = max(w / img.width, h / img.height)
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    left, top = (img.width - w) // 2, (img.height - h) // 2
    return np.asarray(img.crop((left, top, left + w, top + h)))

def wall():
    rng = np.random.default_rng(0)
    light = 226.0 + 6.0 * np.linspace(-1, 1, w)[None, :] + rng.normal(0, 1.2, (h, w))
    return np.dstack([np.clip(light, 0, 255).astype(np.uint8)] * 3)

images = [fit(p) for p in photos]
shading = ClassicalShading()
def run(rgb):
    if method == "pencilSketch":
        return cv2.pencilSketch(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[0]
    if method == "lu2012":
        return lu2012(rgb)
    return sketch(rgb, shading, SketchParams(medium=method))

base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # images loaded, nothing run yet
run(images[0])  # warm-up: first-call allocations and thread pools
times, metrics = [], []
for rgb in images:
    per = []
    for _ in range(repeats):
        t = time.perf_counter(); out = run(rgb); per.append(time.perf_counter() - t)
    times.append(sorted(per)[len(per) // 2])
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    m = sketch_metrics(out, gray)
    m["stroke_f1"] = stroke_f1(out, gray)
    metrics.append(m)
    if w == 512:
        Image.fromarray(out).save(f"{sys.argv[7]}/{method}_{len(metrics)}.png")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
plain = wall()
purity = background_purity(run(plain), cv2.cvtColor(plain, cv2.COLOR_RGB2GRAY))
def mean(key):
    vals = [m[key] for m in metrics if m[key] is not None]
    return sum(vals) / len(vals) if vals else None
print(json.dumps({"seconds": sum(times) / len(times), "peak_mib": max(peak - base, 0) / 1024,
                  **{k: mean(k) for k in ("tone_fidelity", "edge_fidelity", "dark_coverage", "stroke_f1")},
                  "background_purity": purity, "photo_purity": mean("background_purity")}))
"""


def measure(method: str, size: tuple[int, int], repeats: int, tiles: Path) -> dict:
    """Run one method at one size in a fresh interpreter; its JSON line of results."""
    photos = [str(REPO / "samples" / p) for p in PHOTOS]
    proc = subprocess.run([sys.executable, "-c", WORKER, method, str(size[0]), str(size[1]), str(repeats),
                           json.dumps(photos), str(REPO / "evals"), str(tiles)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(v: float | None, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


def table(rows: dict) -> str:
    """The markdown table: one row per size and method."""
    lines = [
        "| size | method | time (s) | time ratio | peak mem (MiB) | tone fidelity | edge F1 | dark coverage | "
        "wall purity % | photo paper purity % | stroke F1 (old) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, by_method in rows.items():
        ref = by_method["pencilSketch"]["seconds"]
        for method, r in by_method.items():
            lines.append(f"| {size} | {method} | {r['seconds']:.3f} | {r['seconds'] / ref:.2f}× | "
                         f"{r['peak_mib']:.0f} | {fmt(r['tone_fidelity'], '.3f')} | "
                         f"{fmt(r['edge_fidelity'], '.3f')} | {fmt(r['dark_coverage'], '.3f')} | "
                         f"{fmt(r['background_purity'], '.2f')} | {fmt(r['photo_purity'], '.2f')} | "
                         f"{fmt(r['stroke_f1'], '.3f')} |")
    return "\n".join(lines)


def contact_sheet(tiles: Path, path: Path, cell: int = 256) -> None:
    """Every method (columns, after the photo) on every photo (rows), at 512², with labels."""
    import numpy as np
    from PIL import Image, ImageDraw

    columns = ("photo", *METHODS)
    label_h = 18
    sheet = Image.new("L", (cell * len(columns), label_h + cell * len(PHOTOS)), 255)
    draw = ImageDraw.Draw(sheet)
    for c, name in enumerate(columns):
        draw.text((c * cell + 6, 3), name, fill=0)
    for r, photo in enumerate(PHOTOS):
        src = Image.open(REPO / "samples" / photo).convert("L")
        scale = max(512 / src.width, 512 / src.height)
        src = src.resize((round(src.width * scale), round(src.height * scale)), Image.LANCZOS)
        left, top = (src.width - 512) // 2, (src.height - 512) // 2
        images = [src.crop((left, top, left + 512, top + 512))]
        images += [Image.open(tiles / f"{m}_{r + 1}.png") for m in METHODS]
        for c, img in enumerate(images):
            sheet.paste(img.resize((cell, cell), Image.LANCZOS), (c * cell, label_h + r * cell))
    sheet.save(path, optimize=True)
    assert np.asarray(sheet).std() > 0


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tiles = Path(tmp)
        rows = {label: {m: measure(m, size, opts.repeats if label != "4K" else 1, tiles) for m in METHODS}
                for label, size in SIZES.items()}
        contact_sheet(tiles, opts.out / "bench_sketch_contact_sheet.png")
    header = (f"Sketchify vs cv2.pencilSketch and Lu et al. 2012 — {date.today().isoformat()}, "
              f"{platform.machine()}, {os.cpu_count()} cores (shared); images: {', '.join(PHOTOS)} fitted to "
              f"each size; median of {opts.repeats} runs per image (4K: 1), mean over images. Wall purity: a "
              f"noisy (σ 1.2), light, plain wall at the same size. Edge F1: the drawing's edges (Canny on the "
              f"sketch smoothed over a stroke spacing) against the photo's; stroke F1 (old): every pixel "
              f"darker than 200 counted as an edge, the line-art measure of earlier reports.")
    md = f"{header}\n\n{table(rows)}\n\nContact sheet: `bench_sketch_contact_sheet.png`.\n"
    (opts.out / "bench_sketch.md").write_text(md)
    (opts.out / "bench_sketch.json").write_text(json.dumps(rows, indent=2))
    print(md)


if __name__ == "__main__":
    main()
