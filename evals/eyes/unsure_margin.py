"""How far an unsure eye should lean on its partner (``measure.settle_unsure``): per-eye accuracy out of fold
against synthetic winks, for a few margins.

On the face photos of ``detect_patch.py`` (its ``--cache`` of out-of-fold logits; the combiner fitted on the
other folds each time) every photo has both eyes in the same state, so leaning on the partner can only look
good there. Winks are the cost: open UTKFace photos no model was fitted on get one eye shut synthetically
(``tools/faces/synth.py``), each side in turn, and a wink counts as right when both eyes are called right. The
shipped margin was chosen as the largest on the grid whose wink share on the **selection** photos (the 150
after the first ``--limit``) fell by under 2 points; the **fresh** photos (the next 300) were scored after.

    python evals/eyes/unsure_margin.py --patches DATA/dataset_B_Eye_Images --closed DATA/closed --open DATA/open \\
        --cache OOF.npz --report evals/reports/eyes_unsure_margin.md
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
from detect_patch import (
    add_protocol_args,
    combiner_logits_out_of_fold,
    per_source,
    protocol_faces,
    row,
    settle_pairs,
)
from report import publish  # evals/eyes/report.py: scripts run from their folder
from winks import open_photos, read_eyes

from atelier.tools.eyes.measure import (
    UNSURE_MARGIN,
    closed_logit,
    settle_unsure,
)
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
from atelier.tools.faces.synth import close_eye

MARGINS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def wink_logits(open_dir: Path, start: int, count: int, seed: int) -> list[tuple[np.ndarray, str]]:
    """The shipped joint logits (right, left) of photos with one eye shut synthetically, and which."""
    landmarker = MediaPipeLandmarker()

    def logits(rgb):
        eyes = read_eyes(landmarker, rgb)
        if eyes is None:
            return None
        return np.array([closed_logit(*eyes[s]) for s in ("right", "left")])

    out = []
    for rgb, face in open_photos(landmarker, open_dir, start, count, seed):
        for side in ("right", "left"):
            z = logits(close_eye(rgb, face, side))
            if z is not None:
                out.append((z, side))
    return out


def by_the_rule(selection: list[tuple[np.ndarray, str]], margins: tuple[float, ...] = MARGINS,
                cost: float = 0.02) -> float:
    """The largest margin whose share of selection winks right falls by under ``cost`` from margin 0 (counted
    in winks, so a fall of exactly 2 points on 300 winks does not pass)."""
    right = {m: round(wink_share(selection, m) * len(selection)) for m in margins}
    return max(m for m in margins if right[0.0] - right[m] < cost * len(selection))


def wink_share(winks: list[tuple[np.ndarray, str]], margin: float) -> float:
    right = [np.array_equal(np.array(settle_unsure(tuple(z), margin)) > 0, [side == "right", side == "left"])
             for z, side in winks]
    return float(np.mean(right))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_protocol_args(ap)
    ap.add_argument("--cache", type=Path, required=True, help="detect_patch.py's out-of-fold logits")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    faces, _ = protocol_faces(args)
    cache = np.load(args.cache)
    z, y = combiner_logits_out_of_fold(faces, cache["both_faces"], cache["hog_both_faces"]), faces.closed
    selection = wink_logits(args.open, args.limit, 150, args.seed)
    fresh = wink_logits(args.open, args.limit + 150, 300, args.seed)
    lines = [f"# Leaning on the other eye when unsure ({date.today()}, `python evals/eyes/unsure_margin.py`)", "",
             f"{len(y)} eyes of the face photos (out of fold, folds as in `eyes_detect_patch.md`); synthetic winks "
             f"on unseen UTKFace photos: {len(selection)} for selection, {len(fresh)} fresh. Shipped margin: "
             f"{UNSURE_MARGIN}.", "",
             "| margin (joint logit) | per-eye accuracy | wrong | winks right (selection) | winks right (fresh) |",
             "|---|---|---|---|---|"]
    for m in MARGINS:
        pred = settle_pairs(z, m) > 0
        lines.append(f"| {m:g}{' (shipped)' if m == UNSURE_MARGIN else ''} | {100 * (pred == y).mean():.2f} % | "
                     f"{int((pred != y).sum())} | {100 * wink_share(selection, m):.1f} % | "
                     f"{100 * wink_share(fresh, m):.1f} % |")
    lines += ["", f"By the rule (the largest margin on the grid whose selection winks fall by under 2 points from "
              f"margin 0): **{by_the_rule(selection):g}**."]
    shipped = settle_pairs(z, UNSURE_MARGIN) > 0
    head = "| rule | per-eye accuracy | closed recall | open kept | wrong |\n|---|---|---|---|---|"
    lines += ["", "At the shipped margin:", "", head, row("each eye on its own (margin 0)", z > 0, y),
              row(f"margin {UNSURE_MARGIN}", shipped, y), "", "Per source, at the shipped margin:", "",
              *per_source(shipped, faces)]
    return publish("\n".join(lines) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
