"""Closed-eye detection on photos from sources the eye-patch models never saw.

Two checks, both with the shipped weights (or ``--weights``), nothing fitted here:

* **YED** (``fetch_yed.sh``): 726 closed and 726 open colour close-ups of one eye, both classes from one
  source that is neither CEW, LFW nor UTKFace. There is no whole face, so no landmarks: the patch is the
  photo's centre square (side = its shorter side, about 1.4 eye widths, as ``patch.eye_patch`` cuts), 24×24.
  Which eye it is is unknown, so each model also reads the mirrored patch and the two logits are averaged.
  This tests the patch models alone, not the full detector. YED is split once (``yed_half``: a CRC-32 of
  ``Closed/<file>`` or ``Open/<file>``, even → **selection**, odd → **report**): variants of the models were
  chosen on the selection half only, and the report half was scored once, at the end (``--halves``).
* **Unseen UTKFace**: open-eye face photos that no model and no combiner was fitted on (the ones after the
  first ``--skip`` of the shuffled list the other evals use), through the full detector (MediaPipe → score +
  both patch models → the combiner). Only open eyes: it measures false alarms on new photos.

    python evals/eyes/cross_source.py --yed DATA/yed --open DATA/open --report evals/reports/eyes_cross_source.md
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import zlib
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image
from report import publish  # evals/eyes/report.py: scripts run from their folder

from atelier.tools.eyes.patch import (
    PATCH,
    WEIGHTS,
    forward,
    hog_features,
    hog_logits,
    load_weights,
    normalise,
    style_of,
)


def centre_square_patch(gray: np.ndarray, size: int = PATCH) -> np.ndarray:
    """The centre square of a one-eye photo (side = its shorter side), resized to ``size``² with area
    averaging."""
    import cv2

    h, w = gray.shape
    s = min(h, w)
    y0, x0 = (h - s) // 2, (w - s) // 2
    return cv2.resize(gray[y0:y0 + s, x0:x0 + s], (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)


HALVES = ("selection", "report")


def yed_half(name: str) -> str:
    """Which half of YED a photo (``Closed/_0.jpg``) is in: fixed by its name alone, about even per class."""
    return HALVES[zlib.crc32(name.encode()) % 2]


def load_yed(root: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patches, closed labels and half (``yed_half``) of ``root/Closed`` and ``root/Open``."""
    patches, closed, half = [], [], []
    for folder, shut in (("Closed", True), ("Open", False)):
        for path in sorted((root / folder).glob("*.jpg")):
            patches.append(centre_square_patch(np.asarray(Image.open(path).convert("L"))))
            closed.append(shut)
            half.append(yed_half(f"{folder}/{path.name}"))
    return np.stack(patches), np.array(closed), np.array(half)


def look_logits(patches: np.ndarray, weights: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """CNN and HOG logits, each the mean over the patch and its mirror image."""
    mirrored = np.ascontiguousarray(patches[:, :, ::-1])
    cnn = (forward(normalise(patches), weights) + forward(normalise(mirrored), weights)) / 2
    style = style_of(weights)
    hog = (hog_logits(hog_features(patches, style), weights) + hog_logits(hog_features(mirrored, style), weights)) / 2
    return cnn, hog


def yed_rows(label: str, patches: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray]) -> list[str]:
    """CNN, HOG, their mean logit and the two as the combiner weighs them, for one weights file."""
    cnn, hog = look_logits(patches, weights)
    b, c = (float(v) for v in weights["combine"][1:3])
    return [row(f"`{label}` | {name}", pred, y) for name, pred in (
        ("CNN", cnn > 0), ("HOG model", hog > 0), ("CNN + HOG (mean logit)", cnn + hog > 0),
        (f"CNN + HOG as weighed ({b:.2f}, {c:.2f})", b * cnn + c * hog > 0))]


def row(name: str, pred: np.ndarray, truth: np.ndarray) -> str:
    acc = (pred == truth).mean()
    recall = (pred & truth).sum() / max(1, truth.sum())
    kept = (~pred & ~truth).sum() / max(1, (~truth).sum())
    tp, fn = int((pred & truth).sum()), int((~pred & truth).sum())
    fp, tn = int((pred & ~truth).sum()), int((~pred & ~truth).sum())
    return f"| {name} | {100 * acc:.2f} % | {100 * recall:.2f} % | {100 * kept:.2f} % | {tp} / {fn} / {fp} / {tn} |"


def unseen_open(open_dir: Path, skip: int, count: int, seed: int) -> tuple[list[bool], int, float, float]:
    """Closed calls per eye of the largest face in ``count`` open photos after the first ``skip`` of the
    shuffled list; photos without a face; median ms per face for the landmarks and for the rest (score, both
    eyes' patches and models, combiner)."""
    from atelier.tools.eyes.measure import face_record
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    opened = sorted(open_dir.iterdir())
    random.Random(seed).shuffle(opened)
    landmarker, calls, missed, ms_mesh, ms_look = MediaPipeLandmarker(), [], 0, [], []
    for path in opened[skip:skip + count]:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        t0 = time.perf_counter()
        faces = landmarker.detect(rgb)
        t1 = time.perf_counter()
        if not faces:
            missed += 1
            continue
        rec = face_record(max(faces, key=lambda f: f.inter_ocular), 0, image=rgb)
        ms_mesh.append(1000 * (t1 - t0))
        ms_look.append(1000 * (time.perf_counter() - t1))
        calls += [bool(rec[f"{s}_eye"]["closed"]) for s in ("right", "left")]
    return calls, missed, float(np.median(ms_mesh)), float(np.median(ms_look))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--yed", type=Path, required=True, help="the YED folder (Closed/, Open/) from fetch_yed.sh")
    ap.add_argument("--open", type=Path, help="UTKFace open-eye photos (fetch_cew.sh): the unseen ones are scored")
    ap.add_argument("--skip", type=int, default=1200, help="photos of the shuffled list the models were fitted on")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weights", type=Path, default=WEIGHTS)
    ap.add_argument("--compare", type=Path, help="other weights to score beside, e.g. an earlier round's")
    ap.add_argument("--halves", default="selection", help="YED halves to score, comma-separated: selection,report")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    patches, y, half = load_yed(args.yed)
    head = ("| weights | rule | accuracy | closed recall | open kept | "
            "closed→closed / closed→open / open→closed / open→open |")
    lines = [f"# Closed-eye detection on unseen sources ({date.today()}, `python evals/eyes/cross_source.py "
             f"--halves {args.halves}`, weights `{args.weights.name}`)", "",
             "## YED eye close-ups (patch models alone, never trained on)", "",
             "Split once by `yed_half` (CRC-32 of the file's name): variants were chosen on the selection half; "
             "the report half was scored once, at the end. *As weighed* = b·CNN + c·HOG with the combiner's own "
             "coefficients (the landmark score, which YED has not, left out): how the detector leans on the two.",
             ""]
    for name in args.halves.split(","):
        sel = half == name
        lines += [f"### {name} half: {int(y[sel].sum())} closed, {int((~y[sel]).sum())} open", "", head,
                  "|---|---|---|---|---|---|"]
        for path in [p for p in (args.compare, args.weights) if p]:
            lines += yed_rows(path.name, patches[sel], y[sel], dict(load_weights(path)))
        lines.append("")
    if args.open:
        calls, missed, ms_mesh, ms_look = unseen_open(args.open, args.skip, args.count, args.seed)
        c = np.array(calls)
        lines += ["", f"## Unseen UTKFace open-eye photos (full detector; {args.count} photos after the first "
                  f"{args.skip}, {missed} without a face)", "",
                  "| eyes | called open | called closed | open kept |", "|---|---|---|---|",
                  f"| {len(c)} | {int((~c).sum())} | {int(c.sum())} | {100 * (~c).mean():.2f} % |", "",
                  f"Median per face on this shared machine: landmarks {ms_mesh:.1f} ms, then score, both eyes' "
                  f"patches, models and combiner {ms_look:.1f} ms."]
    return publish("\n".join(lines) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
