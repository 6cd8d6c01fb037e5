"""Variants of the closed-eye detector tried against the shipped one, on the same eyes and folds as
``detect_patch.py`` (whose ``--cache`` of out-of-fold logits this reads), and a synthetic-wink check.

Each variant changes one thing and is scored out of fold (5 folds by photo / person) on the face photos:
mirrored training copies with mirror-averaged reading (HOG model, CNN), jittered training copies for the HOG
model, a second CNN seed averaged with the first, no HOG model, and the other eye's inputs beside each
eye's own. The last one knows that both eyes of a photo share a label, which is true of every photo here and
false for a wink, so it is also run on unseen UTKFace photos with one eye shut synthetically
(``tools/faces/synth.py``): a detector that cannot see a wink is no good.

    python evals/eyes/detect_variants.py --patches DATA/dataset_B_Eye_Images --closed DATA/closed \\
        --open DATA/open --cache /tmp/oof.npz --report evals/reports/eyes_detect_variants.md
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from detect_patch import add_protocol_args, combined_out_of_fold, protocol_faces, row
from report import publish  # evals/eyes/report.py: scripts run from their folder
from winks import open_photos, read_eyes

from atelier.tools.eyes.measure import CLOSED_BELOW, closed_probability
from atelier.tools.eyes.patch_train import (
    FOLDS,
    EyeSet,
    _augment,
    load_patch_set,
    out_of_fold_logits,
    train_hog,
)
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
from atelier.tools.faces.synth import close_eye


def other_eye(v: np.ndarray) -> np.ndarray:
    """Each eye's partner's value (eyes come in (right, left) pairs per photo)."""
    return v.reshape(-1, 2)[:, ::-1].reshape(v.shape)


def logistic_out_of_fold(faces: EyeSet, x: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    folds, pred = faces.folds(), np.zeros(len(faces.closed), bool)
    for fold in range(FOLDS):
        tr = folds != fold
        pred[~tr] = LogisticRegression(max_iter=3000).fit(x[tr], faces.closed[tr]).predict(x[~tr])
    return pred


def jittered_hog_out_of_fold(train: list[EyeSet], faces: EyeSet, copies: int = 2, seed: int = 0) -> np.ndarray:
    """HOG logits of the face eyes, the model trained on the other folds plus ``copies`` jittered copies
    (the CNN's augmentation: rotation, scale, shift, contrast)."""
    import torch

    from atelier.tools.eyes.patch import hog_features, hog_logits

    out = np.zeros(len(faces.closed), np.float32)
    for fold in range(FOLDS):
        x = np.concatenate([s.patches[s.folds() != fold] for s in train])
        y = np.concatenate([s.closed[s.folds() != fold] for s in train])
        gen, t = torch.Generator().manual_seed(seed), torch.tensor(x)[:, None]
        xs = [x] + [_augment(t, gen)[:, 0].numpy() for _ in range(copies)]
        weights = train_hog(np.concatenate(xs), np.tile(y, copies + 1))
        sel = faces.folds() == fold
        out[sel] = hog_logits(hog_features(faces.patches[sel]), weights)
    return out


def wink_check(open_dir: Path, skip: int, count: int, seed: int, cross_model) -> list[str]:
    """On ``count`` unseen open photos: both eyes open, the subject's right eye shut, both shut; per rule the
    share of photos where both eyes were called right."""
    landmarker = MediaPipeLandmarker()

    def inputs(rgb):
        eyes = read_eyes(landmarker, rgb)
        if eyes is None:
            return None
        return {s: (score, *look) for s, (score, look) in eyes.items()}

    cases = []
    for rgb, face in open_photos(landmarker, open_dir, skip, count, seed):
        wink = close_eye(rgb, face, "right")
        got = [inputs(rgb), inputs(wink), inputs(close_eye(wink, face, "left"))]
        if all(got):
            cases.append(got)

    def z(e):
        return [np.log(CLOSED_BELOW / max(e[0], 1e-4)), e[1], e[2]]

    def shipped(d, side):
        return closed_probability(d[side][0], d[side][1:]) > 0.5

    def cross(d, side):
        other = "left" if side == "right" else "right"
        return bool(cross_model.predict(np.array([z(d[side]) + z(d[other])]))[0])

    truth = [(False, False), (True, False), (True, True)]
    lines = ["| rule | both open | right eye shut (a wink) | both shut |", "|---|---|---|---|"]
    for name, rule in (("each eye on its own (the weights shipped)", shipped), ("with the other eye's inputs", cross)):
        shares = [np.mean([(rule(c[k], "right"), rule(c[k], "left")) == truth[k] for c in cases]) for k in range(3)]
        lines.append(f"| {name} | " + " | ".join(f"{100 * v:.1f} %" for v in shares) + " |")
    return [f"{len(cases)} unseen UTKFace photos (after the first {skip} of the shuffled list); the shut eyes "
            "are synthetic. Share of photos with both eyes called right:", "", *lines]


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_protocol_args(ap)
    ap.add_argument("--cache", type=Path, required=True, help="detect_patch.py's out-of-fold logits")
    ap.add_argument("--wink-count", type=int, default=150)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    cew = load_patch_set(args.patches)
    faces, _ = protocol_faces(args)
    z = dict(np.load(args.cache))
    y, cnn, hog = faces.closed, z["both_faces"], z["hog_both_faces"]
    t0 = time.perf_counter()
    hog_flip = out_of_fold_logits([cew, faces], [faces], args.seed, kind="hog", flip=True)[0]
    hog_jitter = jittered_hog_out_of_fold([cew, faces], faces, seed=args.seed)
    cnn_flip = out_of_fold_logits([cew, faces], [faces], args.seed, flip=True)[0]
    cnn_seed1 = out_of_fold_logits([cew, faces], [faces], args.seed + 1)[0]
    seconds = time.perf_counter() - t0
    s = np.log(CLOSED_BELOW / np.clip(faces.scores, 1e-4, None))
    cross_x = np.c_[s, cnn, hog, other_eye(s), other_eye(cnn), other_eye(hog)]
    cross_model = LogisticRegression(max_iter=3000).fit(cross_x, y)
    head = "| rule | per-eye accuracy | closed recall | open kept | wrong |\n|---|---|---|---|---|"
    lines = [f"# Closed-eye detector variants ({date.today()}, `python evals/eyes/detect_variants.py`)", "",
             f"{len(y)} eyes of the face photos (CEW closed, UTKFace + astronaut open), {FOLDS} folds by photo / "
             "person as in `eyes_detect_patch.md`; every number out of fold; each variant changes one thing.",
             "", head,
             row("score + CNN + HOG, each eye on its own (the weights shipped)",
                 combined_out_of_fold(faces, cnn, hog), y),
             row("HOG trained on mirrored copies too, read mirror-averaged",
                 combined_out_of_fold(faces, cnn, hog_flip), y),
             row("HOG trained on 2 jittered copies too", combined_out_of_fold(faces, cnn, hog_jitter), y),
             row("CNN trained on mirrored halves, read mirror-averaged",
                 combined_out_of_fold(faces, cnn_flip, hog), y),
             row("CNN: seeds 0 and 1 averaged", combined_out_of_fold(faces, (cnn + cnn_seed1) / 2, hog), y),
             row("CNN seed 1 instead of 0", combined_out_of_fold(faces, cnn_seed1, hog), y),
             row("score + CNN (no HOG model)", combined_out_of_fold(faces, cnn), y),
             row("score + CNN (seeds 0, 1 averaged), no HOG model", combined_out_of_fold(faces, (cnn + cnn_seed1) / 2),
                 y),
             row("with the other eye's score and logits (sees no winks: see below)",
                 logistic_out_of_fold(faces, cross_x), y),
             "", f"Training the variants' fold models took {seconds:.0f} s on this shared machine.", "",
             "## Winks", "", *wink_check(args.open, args.limit, args.wink_count, args.seed, cross_model)]
    return publish("\n".join(lines) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
