"""A contact sheet of eval cases for looking at results as a pixel artist would: input | truth | Atelier.

    .venv/bin/python evals/sprite/contact_sheet.py --split tune --out evals/reports/sprite_contact_sheet.png

Rows are the first ``--per-kind`` cases of each corruption (``--misses`` keeps only cases whose sprite is
not pixel-exact); each panel is scaled by an integer factor (nearest neighbour) to fit ``--side`` pixels.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from run import REPO, load_cases, sprite_scores

from atelier.tools.sprite.reconstruct import reconstruct


def panel(img: np.ndarray, side: int) -> np.ndarray:
    """``img`` on a white ``side`` x ``side`` square, upscaled by the largest integer that fits (or shrunk)."""
    im = Image.fromarray(np.ascontiguousarray(img[..., :3]))
    k = max(1, side // max(im.size))
    im = im.resize((im.width * k, im.height * k), Image.NEAREST)
    im.thumbnail((side, side), Image.NEAREST)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(im, (0, 0))
    return np.asarray(canvas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="tune")
    parser.add_argument("--per-kind", type=int, default=1)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--side", type=int, default=160)
    parser.add_argument("--out", type=Path, required=True)
    opts = parser.parse_args()
    taken: dict[str, int] = {}
    rows = []
    gap = np.full((opts.side, 4, 3), 255, np.uint8)
    for img, truth_sprite, truth in load_cases(REPO / "evals" / "sprite" / "cases" / opts.split):
        kind = truth["corruption"]
        if taken.get(kind, 0) >= opts.per_kind:
            continue
        sprite = reconstruct(img).sprite
        exact, right = sprite_scores(sprite[..., :3], truth_sprite)
        if opts.misses and exact:
            continue
        taken[kind] = taken.get(kind, 0) + 1
        rows.append(np.concatenate([panel(img, opts.side), gap, panel(truth_sprite, opts.side), gap,
                                    panel(sprite, opts.side)], axis=1))
        print(f"{truth['name']} {kind}: {100 * right:.1f} % cells right, shape {sprite.shape[:2]} "
              f"(truth {truth_sprite.shape[:2]})")
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(opts.out)


if __name__ == "__main__":
    main()
