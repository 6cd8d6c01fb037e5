"""Second features beside the area score for closed-eye detection, scored out of fold (not shipped).

The same photos as ``run.py`` (CEW closed-eye crops, UTKFace open-eye crops, the astronaut; the same seed,
shuffle and two-fold split by photo, both eyes of a photo in one half). Per eye: the shipped score (polygon
area / inter-ocular²); geometric features from MediaPipe's 478 points (the lid opening over the eye width,
the share of the iris disc inside the eye outline, iris radius / inter-ocular, outline area / iris disc); and
appearance features from the eye warped to a 64×32 patch (eye width 40 px) in grey levels over the skin
below it (darkest tenth, centre mean and spread, spread inside the outline, the lid edges' strength), plus
the patch's own pixels. A logistic regression is fitted on one half and scored on the other, and the reverse.

    python evals/eyes/detect_features.py --closed DATA/closed --open DATA/open --report REPORT.md
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image
from report import publish  # evals/eyes/report.py: scripts run from their folder

from atelier.tools.eyes.backends import iris_points
from atelier.tools.faces.geometry import eye_score, shoelace_area
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
GEOMETRIC = ("score", "aspect", "iris_visible", "iris_radius", "area_over_iris")
APPEARANCE = ("darkest", "centre", "spread", "centre_spread", "lid_edges")


def eye_patch(gray: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The eye warped level to 64×32 (eye width 40 px, centred) and the 2×3 matrix used."""
    import cv2

    width = float(np.hypot(*(corners[1] - corners[0])))
    axis = (corners[1] - corners[0]) / max(width, 1e-6)
    mid = corners.mean(axis=0)
    scale = 40.0 / max(width, 1e-6)
    m = cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), float(np.degrees(np.arctan2(axis[1], axis[0]))), scale)
    m[:, 2] += np.array([32.0, 16.0]) - mid
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.warpAffine(gray, m, (64, 32), flags=flags, borderMode=cv2.BORDER_REPLICATE).astype(float), m


def eye_features(gray: np.ndarray, face, side: str) -> tuple[dict[str, float], np.ndarray]:
    import cv2

    poly, corners = face.eye(side), face.corners(side)
    width = float(np.hypot(*(corners[1] - corners[0])))
    across = np.array([-(corners[1] - corners[0])[1], (corners[1] - corners[0])[0]]) / max(width, 1e-6)
    height = float(np.ptp((poly - poly.mean(axis=0)) @ across))
    iris = iris_points(face, side)
    radius = float(np.mean(np.hypot(*(iris[1:] - iris[0]).T)))
    disc = np.zeros(gray.shape, np.uint8)
    cv2.circle(disc, tuple(int(v) for v in np.round(iris[0])), max(1, round(radius)), 1, -1)
    outline = np.zeros(gray.shape, np.uint8)
    cv2.fillPoly(outline, [np.round(poly).astype(np.int32)], 1)
    patch, m = eye_patch(gray, corners)
    inside = np.zeros((32, 64), np.uint8)
    cv2.fillPoly(inside, [np.round(np.c_[poly, np.ones(len(poly))] @ m.T).astype(np.int32)], 1)
    skin = float(np.median(patch[26:32, 12:52])) + 1.0
    interior = patch[inside > 0] if inside.sum() >= 3 else patch[14:18, 24:40].ravel()
    centre = patch[12:20, 26:38]
    edges = np.abs(np.diff(patch[:, 16:48], axis=0)).mean(axis=1)
    feats = {
        "score": eye_score(poly, face.inter_ocular), "aspect": height / max(width, 1e-6),
        "iris_visible": float((disc & outline).sum()) / max(1, int(disc.sum())),
        "iris_radius": radius / face.inter_ocular, "area_over_iris": shoelace_area(poly) / (np.pi * radius**2 + 1e-6),
        "darkest": float(np.percentile(interior, 10)) / skin, "centre": float(centre.mean()) / skin,
        "spread": float(interior.std()) / skin, "centre_spread": float(centre.std()) / skin,
        "lid_edges": float(np.sort(edges)[-3]) / skin,
    }
    return feats, cv2.resize(patch / skin, (32, 16), interpolation=cv2.INTER_AREA).ravel()


def collect(paths, landmarker):
    import cv2

    rows, pixels, labels = [], [], []
    for path, closed in paths:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        faces = landmarker.detect(rgb)
        if not faces:
            continue
        face = max(faces, key=lambda f: f.inter_ocular)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        for side in ("right", "left"):
            feats, patch = eye_features(gray, face, side)
            rows.append([feats[k] for k in (*GEOMETRIC, *APPEARANCE)])
            pixels.append(patch)
            labels.append(closed)
    return np.array(rows), np.array(pixels), np.array(labels, bool)


def out_of_fold(z: np.ndarray, labels: np.ndarray, half: np.ndarray, c: float = 1.0) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pred = np.zeros(len(labels), bool)
    for part in (half, ~half):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000)).fit(z[~part], labels[~part])
        pred[part] = model.predict(z[part])
    return float((pred == labels).mean())


def threshold_out_of_fold(score: np.ndarray, labels: np.ndarray, half: np.ndarray) -> float:
    grid = np.round(np.arange(0.005, 0.045, 0.0005), 4)
    pred = np.zeros(len(labels), bool)
    for part in (half, ~half):
        t = grid[int(np.argmax([((score[~part] < t) == labels[~part]).mean() for t in grid]))]
        pred[part] = score[part] < t
    return float((pred == labels).mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--closed", type=Path, required=True)
    ap.add_argument("--open", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=1200, help="photos per class")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    closed, opened = sorted(args.closed.iterdir()), sorted(args.open.iterdir())
    rng.shuffle(closed)
    rng.shuffle(opened)
    paths = [(p, True) for p in closed[: args.limit]] + [(p, False) for p in opened[: args.limit]]
    paths.append((SAMPLES / "astronaut.png", False))
    feats, pixels, labels = collect(paths, MediaPipeLandmarker())
    photo = np.repeat(np.arange(len(labels) // 2), 2)
    half = np.array([rng.random() < 0.5 for _ in range(photo.max() + 1)])[photo]
    logs = np.log(np.clip(feats, 1e-4, None))
    names = [*GEOMETRIC, *APPEARANCE]
    col = lambda *ks: logs[:, [names.index(k) for k in ks]]  # noqa: E731
    rows = [("area score < threshold (shipped rule)", threshold_out_of_fold(feats[:, 0], labels, half)),
            ("area score alone, logistic", out_of_fold(col("score"), labels, half)),
            ("+ lid opening / eye width", out_of_fold(col("score", "aspect"), labels, half)),
            ("+ iris visibility (share of the iris disc inside the outline)",
             out_of_fold(col("score", "iris_visible"), labels, half)),
            ("all five geometric features", out_of_fold(col(*GEOMETRIC), labels, half)),
            ("geometric + appearance (10 features)", out_of_fold(logs, labels, half)),
            ("geometric + appearance + the 32×16 eye patch's pixels",
             out_of_fold(np.c_[logs, pixels], labels, half, c=0.01))]
    lines = [f"# Second features for closed-eye detection ({date.today()}, `python evals/eyes/detect_features.py "
             f"--limit {args.limit}`)", "",
             f"{int(labels.sum())} closed-labelled eyes (CEW), {int((~labels).sum())} open (UTKFace + astronaut); "
             "two folds by photo; per-eye accuracy out of fold.", "", "| rule | per-eye accuracy |", "|---|---|",
             *[f"| {name} | {100 * acc:.2f} % |" for name, acc in rows], ""]
    return publish("\n".join(lines), args.report)


if __name__ == "__main__":
    sys.exit(main())
