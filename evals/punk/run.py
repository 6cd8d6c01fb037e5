"""Describe-punk eval on the 10 000 CryptoPunks (fetched by whoever runs it; the artwork is never committed).

Accuracy is out-of-fold: the punks are split into k folds and each fold is described by a model trained on
the others, so no punk is judged by a model that saw it. Confidences are calibrated the same way (each
fold's temperatures are fitted on the other folds' answers). Robustness compares each corrupted punk's
answer with the same model's answer on the native punk. Timing runs `atelier batch describe_punk` over a
folder of the 10 000 native PNGs with the shipped model, in one process.

    python evals/punk/run.py --composite punks.png --table cryptopunks.csv --report evals/reports/punk.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from atelier.tools.punk.model import expected_calibration_error, fit_temperature, softmax
from atelier.tools.punk.train import (
    TrainConfig,
    augmented,
    feature_rows,
    fit,
    folds,
    jpeg_roundtrip,
    load_cryptopunks,
    on_background,
    targets,
)
from atelier.tools.punk.traits import OUTPUTS, SLOT_SLICES, SLOTS, slot_classes

CORRUPTIONS = ("x8 nearest", "x7.3 bilinear", "JPEG q60", "x8 nearest + JPEG q60")


def corrupt(rgba: np.ndarray, kind: str) -> np.ndarray:
    """The corruptions of the issue; JPEG has no alpha, so the punk is first put on a white background."""
    if kind == "x8 nearest":
        return cv2.resize(rgba, (192, 192), interpolation=cv2.INTER_NEAREST)
    if kind == "x7.3 bilinear":
        return cv2.resize(rgba, (175, 175), interpolation=cv2.INTER_LINEAR)
    flat = on_background(rgba, (255, 255, 255))
    if kind == "JPEG q60":
        return jpeg_roundtrip(flat, 60)
    return jpeg_roundtrip(cv2.resize(flat, (192, 192), interpolation=cv2.INTER_NEAREST), 60)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--composite", type=Path, required=True)
    ap.add_argument("--table", type=Path, required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--limit", type=int, default=None, help="first N punks only (a quick look)")
    ap.add_argument("--skip-timing", action="store_true")
    ap.add_argument("--timing-only", action="store_true", help="only time `atelier batch` -> punk_timing.md")
    ap.add_argument("--report", type=Path, default=Path("evals/reports/punk.md"))
    a = ap.parse_args()

    punks, labels = load_cryptopunks(a.composite, a.table)
    if a.limit:
        punks, labels = punks[: a.limit], labels[: a.limit]
    if a.timing_only:
        line = f"{timing(punks)} ({date.today()}; `python evals/punk/run.py ... --timing-only`)"
        Path("evals/reports/punk_timing.md").write_text(line + "\n")
        print(line)
        return
    n = len(punks)
    y = targets(labels)
    views = {"native": feature_rows(punks)}
    for kind in CORRUPTIONS:
        views[kind] = feature_rows([corrupt(p, kind) for p in punks])
    sl = SLOT_SLICES
    logits = {k: np.zeros((n, OUTPUTS), np.float32) for k in views}
    fold_of = np.zeros(n, int)
    t0 = time.perf_counter()
    for f, test in enumerate(folds(n, a.folds)):
        train = np.setdiff1d(np.arange(n), test)
        x, yy = augmented(punks[train], [labels[i] for i in train], a.copies, seed=f)
        model = fit(x, yy, TrainConfig(epochs=a.epochs, seed=f))
        for k, v in views.items():
            logits[k][test] = model.logits(v[test])
        fold_of[test] = f
        print(f"fold {f + 1}/{a.folds} done, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)

    # cross-fitted temperatures: fold f's answers use temperatures fitted on the other folds' native answers
    probs = {k: {} for k in views}
    for slot_i, slot in enumerate(SLOTS):
        for k in views:
            probs[k][slot] = np.zeros((n, sl[slot].stop - sl[slot].start), np.float32)
        for f in range(a.folds):
            other, mine = fold_of != f, fold_of == f
            t = fit_temperature(logits["native"][other][:, sl[slot]], y[other, slot_i])
            for k in views:
                probs[k][slot][mine] = softmax(logits[k][mine][:, sl[slot]], t)

    pred = {k: np.stack([probs[k][s].argmax(1) for s in SLOTS], 1) for k in views}
    conf = np.stack([probs["native"][s].max(1) for s in SLOTS], 1)
    right = pred["native"] == y
    lines = [f"# describe_punk on the 10 000 CryptoPunks ({date.today()})", "",
             f"Command: `python evals/punk/run.py --composite punks.png --table cryptopunks.csv --folds {a.folds} "
             f"--epochs {a.epochs} --copies {a.copies}`; {n} punks, {a.folds}-fold out-of-fold answers "
             "(no punk judged by a model trained on it).", "",
             "| attribute group | accuracy | macro (mean per-class recall) | ECE | classes |",
             "|---|---|---|---|---|"]
    per_class = {}
    for i, slot in enumerate(SLOTS):
        classes = slot_classes(slot)
        recalls = {}
        for c, name in enumerate(classes):
            sel = y[:, i] == c
            if sel.any():
                recalls[name] = (float(right[sel, i].mean()), int(sel.sum()))
        per_class[slot] = recalls
        macro = np.mean([r for r, _ in recalls.values()])
        ece = expected_calibration_error(conf[:, i], right[:, i])
        lines.append(f"| {slot} | {right[:, i].mean():.2%} | {macro:.2%} | {ece:.4f} | {len(recalls)} |")
    exact = right.all(axis=1).mean()
    pooled_ece = expected_calibration_error(conf.ravel(), right.ravel())
    lines += ["", f"Exact match of the full attribute set: **{exact:.2%}**. Expected calibration error over all "
              f"{conf.size} answers: **{pooled_ece:.4f}** (15 bins).", "",
              "| corruption | agreement with the native answer (all attributes) | exact-set agreement |",
              "|---|---|---|"]
    for k in CORRUPTIONS:
        agree = pred[k] == pred["native"]
        lines.append(f"| {k} | {agree.mean():.2%} | {agree.all(axis=1).mean():.2%} |")
    weakest = min(SLOTS, key=lambda s: right[:, list(SLOTS).index(s)].mean())
    wi = list(SLOTS).index(weakest)
    conf_pairs = Counter((slot_classes(weakest)[t], slot_classes(weakest)[p])
                         for t, p in zip(y[:, wi], pred["native"][:, wi], strict=True) if t != p)
    lines += ["", f"Weakest group: **{weakest}**. Its confusions (truth → answer, count):", "",
              "| truth | answer | count |", "|---|---|---|"]
    lines += [f"| {t} | {p} | {c} |" for (t, p), c in conf_pairs.most_common(12)]
    lines += ["", "Per-class recall (classes with < 99 % recall):", "", "| group | class | recall | n |",
              "|---|---|---|---|"]
    for slot, recalls in per_class.items():
        for name, (r, cnt) in sorted(recalls.items(), key=lambda kv: kv[1][0]):
            if r < 0.99:
                lines.append(f"| {slot} | {name} | {r:.1%} | {cnt} |")
    if not a.skip_timing:
        lines += ["", timing(punks)]
    a.report.parent.mkdir(parents=True, exist_ok=True)
    a.report.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def timing(punks: np.ndarray) -> str:
    """`atelier batch describe_punk` over a folder of the native PNGs, one process, shipped model."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "punks"
        folder.mkdir()
        for i, p in enumerate(punks):
            Image.fromarray(p).save(folder / f"punk{i:05d}.png")
        cmd = [str(Path(sys.executable).with_name("atelier")), "batch", "describe_punk", "--input", str(folder),
               "--jsonl", str(Path(tmp) / "out.jsonl")]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "ATELIER_HOME": tmp})
        seconds = time.perf_counter() - t
    return (f"Timing: `atelier batch describe_punk --input <folder of {len(punks)} PNGs>` took **{seconds:.1f} s** "
            f"wall, start-up included ({len(punks) / seconds:.0f} punks/s), on this 2-core CPU.")


if __name__ == "__main__":
    main()
