"""Dev set for the image descriptor's blocks and weights (``knowledge/embedders/descriptor.py``): the
30 must-have styles rendered on dev inputs that are neither the style eval's inputs (astronaut, coffee,
chelsea) nor the photos the references are rendered from (rocket, camera): two halves of scikit-image's
stereo motorcycle pair and its coins, plus their Sketchify sketches (used in memory, never shipped).
Each output is described and retrieved among all references, as in ``run_styles.py``; the table gives
the share with the output's own style in the top 3 for each descriptor variant.

    .venv/bin/python evals/style/tune_descriptor.py [--out evals/reports]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def dev_inputs() -> list[np.ndarray]:
    """Three dev photos (512 px wide) and their Sketchify sketches."""
    import skimage

    from atelier.tools.sketchify.backends.classical import ClassicalShading
    from atelier.tools.sketchify.pipeline import sketch

    data = Path(skimage.__file__).parent / "data"
    load = lambda name: np.asarray(Image.open(data / name).convert("RGB"))  # noqa: E731
    photos = [load("motorcycle_left.png")[:, :500], load("motorcycle_right.png")[:, -500:], load("coins.png")]
    photos = [cv2.resize(p, (512, round(512 * p.shape[0] / p.shape[1])), interpolation=cv2.INTER_AREA)
              for p in photos]
    return photos + [np.dstack([sketch(p, ClassicalShading())] * 3) for p in photos]


def blocks(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Each candidate block of the descriptor for one image."""
    from atelier.knowledge.embedders import descriptor as d

    small = d.resize_long_side(rgb)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mag, ang = cv2.cartToPolar(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    joint = cv2.calcHist([lab], [0, 1, 2], None, [4, 5, 5], [0, 256, 0, 256, 0, 256]).ravel()
    profile = d.colour_profile(lab)
    return {"joint": np.sqrt(joint / max(joint.sum(), 1.0)), "marginals": profile[:24], "wheel": profile[24:],
            "orient": d.orientation_histogram(mag, ang),
            "texture": (d.texture_statistics(small, lab) - d.TEXTURE_CENTRE) / d.TEXTURE_SPREAD}


def top3(refs: list[dict], outs: list[tuple[str, dict]], names: list[str], weights: dict[str, float]) -> float:
    """Mean over styles of the share of its outputs whose own style ranks in the top 3."""
    def vec(b: dict) -> np.ndarray:
        v = np.concatenate([b[k] * w for k, w in weights.items() if w])
        return v / max(float(np.linalg.norm(v)), 1e-9)

    ref_vecs = np.stack([vec(b) for b in refs])
    hits: dict[str, list[bool]] = {}
    for style, b in outs:
        ranked = [names[i] for i in np.argsort(-(ref_vecs @ vec(b)))[:3]]
        hits.setdefault(style, []).append(style in ranked)
    return 100 * float(np.mean([np.mean(h) for h in hits.values()]))


VARIANTS = {
    "v2: joint 4x5x5 histogram + orientations + 8 stats": None,  # the shipped v2 descriptor, recomputed below
    "joint histogram + orientations": {"joint": 1.0, "orient": 0.35},
    "joint histogram + orientations + texture 0.05": {"joint": 1.0, "orient": 0.35, "texture": 0.05},
    "marginals + orientations": {"marginals": 1.0, "orient": 0.35},
    "marginals + orientations + texture 0.05": {"marginals": 1.0, "orient": 0.35, "texture": 0.05},
    "marginals + hue wheel + orientations": {"marginals": 1.0, "wheel": 1.0, "orient": 0.35},
    "marginals + hue wheel + orientations + texture 0.03": {"marginals": 1.0, "wheel": 1.0, "orient": 0.35,
                                                            "texture": 0.03},
    "v3 (shipped): marginals + hue wheel + orientations + texture 0.05": {"marginals": 1.0, "wheel": 1.0,
                                                                          "orient": 0.35, "texture": 0.05},
    "marginals + hue wheel + orientations + texture 0.08": {"marginals": 1.0, "wheel": 1.0, "orient": 0.35,
                                                            "texture": 0.08},
}


def v2_descriptor(rgb: np.ndarray) -> np.ndarray:
    """The v2 descriptor (before this dev set): 100-bin joint Lab histogram, orientations, 8 statistics."""
    from atelier.knowledge.embedders import descriptor as d

    small = d.resize_long_side(rgb)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    mag, ang = cv2.cartToPolar(gx, gy)
    hist = cv2.calcHist([lab], [0, 1, 2], None, [4, 5, 5], [0, 256, 0, 256, 0, 256]).ravel()
    edges = cv2.Canny(small, 60, 150) > 0
    stats = np.array([edges.mean() * 4, gray.mean() / 255, gray.std() / 128, lab[..., 1].std() / 64,
                      lab[..., 2].std() / 64, min(mag.mean() / 64, 2.0), (gray > 235).mean(), (gray < 20).mean()])
    vec = np.concatenate([np.sqrt(hist / max(hist.sum(), 1.0)), d.orientation_histogram(mag, ang) * 0.5, stats * 0.5])
    return vec / max(float(np.linalg.norm(vec)), 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    opts = parser.parse_args()
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from run_styles import MUST_HAVE

    from atelier.knowledge.styles import shipped_cards
    from atelier.tools.style.palette import is_line_art
    from atelier.tools.style.renderers import apply
    from atelier.tools.style.stylize import _palette

    cards = {c.name: c for c in shipped_cards()}
    names = list(cards)
    ref_images = [np.asarray(Image.open(cards[n].image).convert("RGB")) for n in names]
    inputs = dev_inputs()
    outputs = []
    for style in MUST_HAVE:
        card = cards[style]
        pal = _palette(card, np.asarray(Image.open(card.image).convert("RGB")), 0)
        outputs += [(style, apply(card.family, img, pal, card.params, seed=1, line_art=is_line_art(img)))
                    for img in inputs]
    refs = [blocks(img) for img in ref_images]
    outs = [(style, blocks(img)) for style, img in outputs]
    v2_refs = [{"v2": v2_descriptor(img)} for img in ref_images]
    v2_outs = [(style, {"v2": v2_descriptor(img)}) for style, img in outputs]
    rows = []
    for label, weights in VARIANTS.items():
        score = top3(v2_refs, v2_outs, names, {"v2": 1.0}) if weights is None else top3(refs, outs, names, weights)
        rows.append((label, score))
    lines = [f"Image descriptor dev set — {date.today().isoformat()}: 30 must-have styles x {len(inputs)} dev inputs "
             "(motorcycle left/right halves and coins from scikit-image's wheel, and their sketches), retrieved among "
             f"all {len(names)} references; own style in the top 3.", "",
             "| descriptor | top-3 |", "|---|---|"]
    lines += [f"| {label} | {score:.1f} % |" for label, score in rows]
    md = "\n".join(lines) + "\n"
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "style_descriptor_dev.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
