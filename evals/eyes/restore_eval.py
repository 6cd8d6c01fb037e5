"""Restore eval: clean face crops degraded (noise σ 10 and 20, JPEG q30, blur), restored, scored inside the
face against the clean crop (PSNR, SSIM), with the measured noise and texture energy before and after.

Faces: scikit-image's astronaut plus open-eye UTKFace crops (``--faces DIR``, fetched by ``fetch_cew.sh``;
research use only, never committed). Restorers: today's classical and earlier ones read from git
(``--previous REV``, repeatable). Also counted: how many restored faces are bit-identical to their input.

    python evals/eyes/restore_eval.py --faces DATA/open --count 40 --report evals/reports/eyes_restore.md
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image
from report import publish  # evals/eyes/report.py: scripts run from their folder

from atelier.tools.faces.blend import polygon_mask
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
from atelier.tools.faces.quality import noise_sigma, texture_energy
from atelier.tools.restore.restorers import ClassicalRestorer, restore_face_region

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def degrade(rgb: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    import cv2

    if kind == "clean":
        return rgb
    if kind.startswith("noise"):
        sigma = float(kind[5:])
        return np.clip(rgb + rng.normal(0, sigma, rgb.shape) + 0.5, 0, 255).astype(np.uint8)
    if kind == "jpeg30":
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=30)
        return np.asarray(Image.open(buf).convert("RGB"))
    if kind == "blur":
        return cv2.GaussianBlur(rgb, (0, 0), 1.5)
    raise ValueError(kind)


def previous_restorer(rev: str) -> ClassicalRestorer:
    """The classical restorer as it was at git ``rev`` (its own module text, run as it was, given the face
    mask and the JPEG grid offset when that version took them)."""
    import inspect

    source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:tools/restore/classical.py"], check=True,
                            capture_output=True, text=True).stdout
    space: dict = {}
    exec(compile(source, f"{rev}:tools/restore/classical.py", "exec"), space)  # noqa: S102 (our own history)
    then = space["restore_classical"]
    takes = inspect.signature(then).parameters

    class Previous(ClassicalRestorer):
        def restore(self, crop, face, offset=(0, 0)):
            if "mask" not in takes:
                return then(crop, face.inter_ocular)
            return then(crop, face.inter_ocular, mask=polygon_mask(crop.shape[:2], face.outline), offset=offset)

    return Previous(name=f"classical at {rev}")


def scores(clean: np.ndarray, img: np.ndarray, inside: np.ndarray) -> tuple[float, float]:
    from skimage.metrics import structural_similarity

    sel = inside > 0.5
    mse = float(np.mean((clean[sel].astype(float) - img[sel].astype(float)) ** 2))
    psnr = 10 * np.log10(255.0**2 / max(mse, 1e-10))
    _, full = structural_similarity(clean, img, channel_axis=-1, full=True, data_range=255)
    return min(psnr, 99.0), float(full.mean(axis=-1)[sel].mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=Path, help="a folder of clean face crops (UTKFace open-eye crops)")
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--previous", action="append", default=[], help="git revision of an earlier classical restorer "
                    "(repeatable)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    landmarker = MediaPipeLandmarker()
    paths = [SAMPLES / "astronaut.png"]
    if args.faces:
        more = sorted(args.faces.iterdir())
        random.Random(args.seed).shuffle(more)
        paths += more
    restorers = {"classical": ClassicalRestorer()}
    for rev in args.previous:
        restorers[f"classical at {rev}"] = previous_restorer(rev)
    kinds = ("clean", "noise10", "noise20", "jpeg30", "blur")
    table = {(k, r): [] for k in kinds for r in ("input", *restorers)}
    measures = {(k, r): [] for k in kinds for r in restorers}
    same = dict.fromkeys(measures, 0)
    seconds = []
    rng = np.random.default_rng(args.seed)
    used = 0
    for path in paths:
        if used >= args.count:
            break
        clean = np.asarray(Image.open(path).convert("RGB"))
        faces = landmarker.detect(clean)
        if not faces:
            continue
        face = max(faces, key=lambda f: f.inter_ocular)
        inside = polygon_mask(clean.shape[:2], face.outline)
        used += 1
        for kind in kinds:
            bad = degrade(clean, kind, rng)
            table[(kind, "input")].append(scores(clean, bad, inside))
            for name, restorer in restorers.items():
                t0 = time.perf_counter()
                out, _ = restore_face_region(bad, face, restorer)
                if name == "classical":
                    seconds.append(time.perf_counter() - t0)
                same[(kind, name)] += int(np.array_equal(out, bad))
                table[(kind, name)].append(scores(clean, out, inside))
                measures[(kind, name)].append((noise_sigma(bad, inside), noise_sigma(out, inside),
                                               texture_energy(bad, inside), texture_energy(out, inside)))
    lines = [f"# Restore eval ({date.today()}, `python evals/eyes/restore_eval.py --count {args.count}"
             f"{''.join(' --previous ' + rev for rev in args.previous)}`)", "",
             f"{used} faces (astronaut + UTKFace crops); PSNR (dB) / SSIM inside the face outline against the clean "
             "crop; noise = measured σ (grey levels), texture = high-frequency energy, mean before → after.", "",
             "| degradation | " + " | ".join(("input", *restorers)) + " |", "|---|" + "---|" * (1 + len(restorers))]
    for kind in kinds:
        cells = []
        for r in ("input", *restorers):
            v = np.array(table[(kind, r)])
            cells.append(f"{np.mean(v[:, 0]):.2f} / {np.mean(v[:, 1]):.4f}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", "| degradation | restorer | noise before → after | texture before → after | faces unchanged |",
              "|---|---|---|---|---|"]
    for kind in kinds:
        for r in restorers:
            m = np.array(measures[(kind, r)])
            lines.append(f"| {kind} | {r} | {m[:, 0].mean():.2f} → {m[:, 1].mean():.2f} | "
                         f"{m[:, 2].mean():.1f} → {m[:, 3].mean():.1f} | {same[(kind, r)]} of {used} |")
    lines += ["", f"Seconds per face, today's classical (median, this machine): {np.median(seconds):.3f}. CodeFormer: "
              "weights not installed here, not scored."]
    return publish("\n".join(lines) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
