"""``atelier sprite train-ranker``: fit the candidate ranker from synthetic corruptions and feedback.

Training cases are corruptions (``corrupt.KINDS``, in turn) of the sprites cut from the given sheets, or of
sprites drawn in code when none are given, with a fixed seed: the same inputs give the same weights. Feedback
rows add real images: an ``incorrect`` verdict with an ``override_cell_size`` says which grid was right, a
``correct`` verdict confirms the grid that was shown; the image is the run's stored input
(``ATELIER_HOME/inputs/<sha[:2]>/<sha>.png``). When no candidate matches a correction, the corrected grid
is added to that image's pool, so the ranker learns to prefer it over the heuristic's picks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .corrupt import KINDS, blob_sprite, identifiable, make_case, sheet_tiles
from .grid import GridCandidate, all_profiles
from .rank import WEIGHTS, evaluate, feature_matrix, fit, matches
from .reconstruct import candidate_pool

FEEDBACK_WEIGHT = 5.0


def load_sheets(paths: list[Path], tile: int) -> list[np.ndarray]:
    """Tiles (and 2x2 groups of tiles) of ``tile`` px from each RGBA sheet."""
    from PIL import Image

    out: list[np.ndarray] = []
    for path in paths:
        out += sheet_tiles(np.asarray(Image.open(path).convert("RGBA")), tile, tile, (1, 2))
    return out


def _group(img: np.ndarray, cell_x: float, cell_y: float, integer: bool,
           offsets: tuple[float, float] | None = None) -> tuple[np.ndarray, int] | None:
    """An image's candidate features and the index of the one matching the truth (added if missing)."""
    raw, impulses = all_profiles(img)
    pool, feats = candidate_pool(img, raw, impulses)
    hits = [i for i, e in enumerate(pool) if matches(e.grid, cell_x, cell_y, integer)]
    if hits:
        return feats, hits[0]
    if offsets is None or not pool:
        return None
    pool.append(evaluate(img, GridCandidate(cell_x, cell_y, offsets[0], offsets[1], 0.0), raw, impulses))
    conc = [0.0] * len(pool)
    return feature_matrix(pool, conc), len(pool) - 1


def synthetic_groups(sprites: list[np.ndarray], n: int, seed: int) -> list[tuple[np.ndarray, int, float]]:
    rng = np.random.default_rng(seed)
    groups = []
    kinds = KINDS + ("small_scale", "small_scale", "sub2")  # sub-3 px cells are the hardest to rank
    for i in range(n):
        kind = kinds[i % len(kinds)]
        sprite = sprites[int(rng.integers(len(sprites)))] if sprites and rng.random() < 0.8 else \
            blob_sprite(rng, int(rng.choice([12, 16, 24, 32])))
        if kind == "sub2":  # 1.4-2 px cells: rare among the eval's scales, and where the 2x harmonic wins most
            img, truth_sprite, truth = make_case(sprite, "small_scale", rng, float(np.round(rng.uniform(1.4, 2.0), 2)))
        else:
            img, truth_sprite, truth = make_case(sprite, kind, rng)
        if not identifiable(truth_sprite):
            continue
        g = _group(img, truth.cell_x, truth.cell_y, truth.integer)
        if g is not None:
            groups.append((g[0], g[1], 1.0))
    return groups


def feedback_groups(rows: list[dict[str, str]], inputs_dir: Path) -> list[tuple[np.ndarray, int, float]]:
    """Training groups from feedback rows whose input image is still stored."""
    from PIL import Image

    groups = []
    for row in rows:
        sha = row.get("input_sha256") or ""
        path = inputs_dir / sha[:2] / f"{sha}.png"
        if not sha or not path.exists():
            continue
        if row["verdict"] == "incorrect" and row.get("override_cell_size"):
            cx = cy = float(row["override_cell_size"])
        elif row["verdict"] == "correct" and row.get("cell_size_x"):
            cx, cy = float(row["cell_size_x"]), float(row["cell_size_y"] or row["cell_size_x"])
        else:
            continue
        off = (float(row.get("override_offset_x") or row.get("offset_x") or 0.0),
               float(row.get("override_offset_y") or row.get("offset_y") or 0.0))
        img = np.asarray(Image.open(path).convert("RGB"))
        g = _group(img, cx, cy, abs(cx - round(cx)) < 1e-6 and abs(cy - round(cy)) < 1e-6, off)
        if g is not None:
            groups.append((g[0], g[1], FEEDBACK_WEIGHT))
    return groups


def top1(groups: list[tuple[np.ndarray, int, float]], scores: list[np.ndarray] | None = None) -> float:
    """Share of groups whose first candidate (heuristic order, or by ``scores``) is the right one."""
    if not groups:
        return 0.0
    picks = [0 if scores is None else int(np.argmax(s)) for s in scores or [None] * len(groups)]
    return float(np.mean([p == t for p, (_, t, _) in zip(picks, groups, strict=True)]))


def train_ranker(sheets: list[Path] | None = None, tile: int = 16, n: int = 1300, seed: int = 0,
                 feedback: list[dict[str, str]] | None = None, inputs_dir: Path | None = None,
                 out: Path = WEIGHTS) -> dict[str, float | int | str]:
    """Fit and save the ranker; returns what it was trained on and its top-1 accuracy on that data."""
    sprites = load_sheets(sheets or [], tile)
    groups = synthetic_groups(sprites, n, seed)
    fb = feedback_groups(feedback or [], inputs_dir) if feedback and inputs_dir else []
    ranker = fit(groups + fb, seed=seed)
    scores = [ranker.scores(f) for f, _, _ in groups + fb]
    meta = {"seed": str(seed), "cases": str(n), "tile": str(tile),
            "sheets": ",".join(p.name for p in sheets or []), "feedback_rows": str(len(fb))}
    ranker.save(out, meta)
    return {"path": str(out), "synthetic_groups": len(groups), "feedback_groups": len(fb),
            "heuristic_top1": round(top1(groups + fb), 4), "ranker_top1": round(top1(groups + fb, scores), 4)}
