"""Which input the linear HOG model should see, so it learns lids and not the datasets' look: each style
(``patch.HogStyle``: histogram equalisation, a blur before HOG, the cell size, the coarse pixels, augmented
copies) scored three ways, with the CNN's out-of-fold logits (``detect_patch.py --cache``) unchanged.

* **Main protocol**: the face eyes of ``detect_patch.py`` out of fold (5 folds by photo / person; HOG trained
  on CEW patches + faces of the other folds; the combiner fitted on the other folds), each eye alone and
  with the unsure-eye rule (``measure.settle_unsure``).
* **YED selection half** (``cross_source.yed_half``; never trained on): the HOG model trained on everything,
  the shipped CNN, and the two as the combiner weighs them. The report half is not read here.
* **Selection winks** (``unsure_margin.py``'s 150 selection photos, one eye shut synthetically, each side in
  turn): share with both eyes right under the unsure-eye rule.

    python evals/eyes/hog_styles.py --patches DATA/dataset_B_Eye_Images --closed DATA/closed --open DATA/open \\
        --yed DATA/yed --cache OOF.npz --report evals/reports/eyes_hog_styles.md
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from cross_source import load_yed
from detect_patch import add_protocol_args, combiner_logits_out_of_fold, protocol_faces, settle_pairs
from report import publish  # evals/eyes/report.py: scripts run from their folder
from winks import largest_face, open_photos

from atelier.tools.eyes.measure import CLOSED_BELOW, eye_state, grey
from atelier.tools.eyes.patch import ROUND3, WEIGHTS, HogStyle, eye_patch, forward, load_weights, normalise
from atelier.tools.eyes.patch_train import (
    FOLDS,
    EyeSet,
    fit_combiner,
    load_patch_set,
    mirror_mean,
    train_hog,
)
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
from atelier.tools.faces.synth import close_eye

STYLES: tuple[tuple[str, HogStyle, int], ...] = (
    ("round 3 (shipped before): z-scored patch, 4 px cells, + coarse pixels", ROUND3, 0),
    ("no coarse pixels", HogStyle(False, 0.0, 4, pixels=False), 0),
    ("2 augmented copies (`augment.py`)", ROUND3, 2),
    ("histogram-equalised", HogStyle(True, 0.0, 4), 0),
    ("blurred (σ 1 px) before HOG", HogStyle(False, 1.0, 4), 0),
    ("6 px cells", HogStyle(False, 0.0, 6), 0),
    ("**equalised + blurred** (shipped now)", HogStyle(True, 1.0, 4), 0),
    ("equalised + blurred, 1 augmented copy", HogStyle(True, 1.0, 4), 1),
    ("equalised + blurred, 6 px cells", HogStyle(True, 1.0, 6), 0),
)


def wink_eyes(open_dir: Path, start: int, count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic winks on ``count`` open photos after the first ``start`` of the shuffled list: per wink the
    (right, left) patches (left-eye view), landmark scores, and which eye was shut."""
    landmarker = MediaPipeLandmarker()
    patches, scores, shut = [], [], []
    for rgb, found in open_photos(landmarker, open_dir, start, count, seed):
        for side in ("right", "left"):
            img = close_eye(rgb, found, side)
            face = largest_face(landmarker, img)
            if face is None:
                continue
            gray = grey(img)
            patches.append([eye_patch(gray, face.corners(s), mirror=s == "right") for s in ("right", "left")])
            scores.append([eye_state(face, s)["score"] for s in ("right", "left")])
            shut.append(side)
    return np.array(patches, np.float32), np.array(scores), np.array(shut)


def hog_out_of_fold(cew: EyeSet, faces: EyeSet, style: HogStyle, copies: int) -> np.ndarray:
    """HOG logits of every face eye from a model trained on the other folds of both sets."""
    from atelier.tools.eyes.patch import hog_features, hog_logits

    out = np.zeros(len(faces.closed), np.float32)
    for fold in range(FOLDS):
        mc, mf = cew.folds() != fold, faces.folds() != fold
        w = train_hog(np.r_[cew.patches[mc], faces.patches[mf]], np.r_[cew.closed[mc], faces.closed[mf]],
                      style=style, copies=copies, seed=1000 * fold)
        out[~mf] = hog_logits(hog_features(faces.patches[~mf], style), w)
    return out


def pct(pred: np.ndarray, truth: np.ndarray) -> str:
    return f"{100 * (pred == truth).mean():.2f} %"


def main(argv: list[str] | None = None) -> int:
    from atelier.tools.eyes.patch import hog_features, hog_logits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_protocol_args(ap)
    ap.add_argument("--yed", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True, help="detect_patch.py's out-of-fold logits (CNN)")
    ap.add_argument("--weights", type=Path, default=WEIGHTS, help="its CNN is read on YED and the winks")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    cew = load_patch_set(args.patches)
    faces, _ = protocol_faces(args)
    cnn_oof, y = np.load(args.cache)["both_faces"], faces.closed
    yed, yed_y, half = load_yed(args.yed)
    yed, yed_y = yed[half == "selection"], yed_y[half == "selection"]
    cnn_weights = dict(load_weights(args.weights))
    cnn_yed = mirror_mean(lambda p: forward(normalise(p), cnn_weights), yed)
    wp, ws, wside = wink_eyes(args.open, args.limit, 150, args.seed)
    cnn_wink = forward(normalise(wp.reshape(-1, 24, 24)), cnn_weights).reshape(-1, 2)
    truth = np.c_[wside == "right", wside == "left"]
    lines = [f"# Inputs for the linear HOG model ({date.today()}, `python evals/eyes/hog_styles.py`)", "",
             f"{len(y)} face eyes out of fold (as `eyes_detect_patch.md`; the CNN's logits fixed), the YED selection "
             f"half ({int(yed_y.sum())} closed, {int((~yed_y).sum())} open; HOG trained on everything, CNN of "
             f"`{args.weights.name}`), {len(wside)} selection winks. *As weighed*: b·CNN + c·HOG with the "
             "combiner's coefficients.", "",
             "| HOG input | main: each eye | main: unsure rule | YED sel.: HOG | YED sel.: HOG closed recall | "
             "YED sel.: as weighed | winks right (sel.) | combiner (score, CNN, HOG) |",
             "|---|---|---|---|---|---|---|---|"]
    t0 = time.perf_counter()
    for name, style, copies in STYLES:
        hog = hog_out_of_fold(cew, faces, style, copies)
        z = combiner_logits_out_of_fold(faces, cnn_oof, hog)
        comb = fit_combiner(faces.scores, np.c_[cnn_oof, hog], y, CLOSED_BELOW)
        w = train_hog(np.r_[cew.patches, faces.patches], np.r_[cew.closed, faces.closed], style=style,
                      copies=copies, seed=99)
        hog_yed = mirror_mean(lambda p, w=w, s=style: hog_logits(hog_features(p, s), w), yed)
        hog_wink = hog_logits(hog_features(wp.reshape(-1, 24, 24), style), w).reshape(-1, 2)
        zw = comb[0] * np.log(CLOSED_BELOW / np.clip(ws, 1e-4, None)) + comb[1] * cnn_wink + comb[2] * hog_wink
        winks = (settle_pairs((zw + comb[3]).ravel()).reshape(-1, 2) > 0) == truth
        lines.append(f"| {name} | {pct(z > 0, y)} | {pct(settle_pairs(z) > 0, y)} | {pct(hog_yed > 0, yed_y)} | "
                     f"{100 * (hog_yed[yed_y] > 0).mean():.1f} % | "
                     f"{pct(comb[1] * cnn_yed + comb[2] * hog_yed > 0, yed_y)} | {100 * winks.all(1).mean():.1f} % | "
                     f"{comb[0]:.2f}, {comb[1]:.2f}, {comb[2]:.2f} |")
    z = combiner_logits_out_of_fold_without_hog(faces, cnn_oof)
    lines += [f"| no HOG model at all (score + CNN) | {pct(z > 0, y)} | {pct(settle_pairs(z) > 0, y)} | — | — | "
              f"{pct(cnn_yed > 0, yed_y)} (CNN) | — | — |", "",
              f"{len(STYLES)} styles × {FOLDS + 1} HOG fits took {time.perf_counter() - t0:.0f} s on this shared CPU."]
    return publish("\n".join(lines) + "\n", args.report)


def combiner_logits_out_of_fold_without_hog(faces: EyeSet, cnn: np.ndarray) -> np.ndarray:
    """Joint logits of score + CNN alone, the combiner fitted on the other folds."""
    folds, z = faces.folds(), np.zeros(len(faces.closed))
    x = np.c_[np.log(CLOSED_BELOW / np.clip(faces.scores, 1e-4, None)), cnn]
    for fold in range(FOLDS):
        tr = folds != fold
        w = fit_combiner(faces.scores[tr], x[tr, 1:], faces.closed[tr], CLOSED_BELOW)
        z[~tr] = x[~tr] @ w[:-1] + w[-1]
    return z


if __name__ == "__main__":
    sys.exit(main())
