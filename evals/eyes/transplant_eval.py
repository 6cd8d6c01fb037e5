"""Transplant colour and best-take evals, plus the README's before/after pictures.

Colour: open-eye photos (astronaut + UTKFace crops, ``--faces``; research use only, never committed) with
both eyes shut synthetically; the reference is the same photo recoloured (a random white balance and
exposure), rotated 4-8° and saved as JPEG q70. The CIEDE2000 difference between the original's and the
result's mean iris colour (MediaPipe iris points), for today's colour-true transplant and for the previous
one (the whole donor eye Lab-matched to the skin below it).

Best take: groups of three faces side by side; three frames, a different pair blinking in each, shifted a
few px; share of closed faces that end open and verified, PSNR against the unblinked group.

    python evals/eyes/transplant_eval.py --faces DATA/open --count 40 --report evals/reports/eyes_transplant.md
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image
from report import publish  # evals/eyes/report.py: scripts run from their folder

from atelier.tools.eyes.backends import EyeJob, iris_points, transplant, transplant_eye
from atelier.tools.eyes.best_take import BestTakeArgs, combine
from atelier.tools.eyes.measure import face_record
from atelier.tools.faces.blend import apply_gains, paste
from atelier.tools.faces.geometry import align_eyes, eye_centre, warp_to_frame
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
from atelier.tools.faces.synth import close_eye

REPO = Path(__file__).resolve().parents[2]
PICTURES = REPO / "evals" / "reports" / "eyes"


def iris_mask(face, shape) -> np.ndarray:
    import cv2

    mask = np.zeros(shape[:2], np.uint8)
    for side in ("right", "left"):
        iris = iris_points(face, side)
        r = float(np.mean(np.hypot(*(iris[1:] - iris[0]).T)))
        disc = np.zeros(shape[:2], np.uint8)
        cv2.circle(disc, tuple(int(v) for v in np.round(iris[0])), max(1, int(0.85 * r)), 1, -1)
        eye = np.zeros(shape[:2], np.uint8)
        cv2.fillPoly(eye, [np.round(face.eye(side)).astype(np.int32)], 1)
        mask |= disc & eye
    return mask.astype(bool)


def reference_copy(rgb: np.ndarray, rng: random.Random) -> np.ndarray:
    import cv2

    gains = np.array([rng.uniform(0.75, 1.35), 1.0, rng.uniform(0.7, 1.3)]) * rng.uniform(0.8, 1.2)
    out = apply_gains(rgb, gains)
    h, w = out.shape[:2]
    angle = rng.choice([-1, 1]) * rng.uniform(4, 8)
    out = cv2.warpAffine(out, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h),
                         flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=70)
    return np.asarray(Image.open(buf).convert("RGB"))


def open_with(shut, face, ref, ref_face, new: bool):
    align = align_eyes(eye_centre(face.right_eye), eye_centre(face.left_eye))
    job = EyeJob(warp_to_frame(shut, align), align, face, ["right", "left"], 25.0)
    patch = job.frame.copy()
    for side in ("right", "left"):
        if new:
            transplant_eye(ref, ref_face, job, side, patch)
        else:
            transplant(ref, ref_face.corners(side), job, side, patch)
    return paste(shut, patch, job.alpha, align), job.report


def mean_lab(rgb, sel):
    from skimage.color import rgb2lab

    return rgb2lab(rgb[sel][None].astype(float) / 255.0)[0].mean(axis=0)


def colour_eval(paths, count, lm, rng):
    from skimage.color import deltaE_ciede2000

    rows, residuals, seconds, example = [], [], [], None
    for path in paths:
        if len(rows) >= count:
            break
        original = np.asarray(Image.open(path).convert("RGB"))
        faces = lm.detect(original)
        if not faces or face_record(faces[0], 0)["closed_eyes"] or len(faces[0].points) < 478:
            continue
        face = faces[0]
        ref = reference_copy(original, rng)
        ref_faces = lm.detect(ref)
        if not ref_faces or face_record(ref_faces[0], 0)["closed_eyes"]:
            continue
        shut = close_eye(close_eye(original, face, "left"), face, "right")
        sel = iris_mask(face, original.shape)
        if sel.sum() < 6:
            continue
        truth = mean_lab(original, sel)
        t0 = time.perf_counter()
        new, report = open_with(shut, face, ref, ref_faces[0], True)
        seconds.append(time.perf_counter() - t0)
        old, _ = open_with(shut, face, ref, ref_faces[0], False)
        rows.append((float(deltaE_ciede2000(truth, mean_lab(new, sel))),
                     float(deltaE_ciede2000(truth, mean_lab(old, sel))),
                     float(deltaE_ciede2000(truth, mean_lab(ref, iris_mask(ref_faces[0], ref.shape))))))
        residuals += [r["residual_rms_px"] for r in report.values()]
        if example is None:
            example = (original, ref, shut, new, old, face)
    return np.array(rows), residuals, seconds, example


def burst_eval(paths, count, lm, rng):
    from eye_scenes import blink3

    rows, seconds = [], []
    faces_pool = []
    for path in paths:
        img = np.asarray(Image.open(path).convert("RGB"))
        if img.shape[:2] != (200, 200):
            img = np.asarray(Image.fromarray(img).resize((200, 200)))
        faces_pool.append(img)
        if len(faces_pool) >= 3 * count:
            break
    for g in range(0, len(faces_pool) - 2, 3):
        group = np.ascontiguousarray(np.hstack(faces_pool[g:g + 3]))
        faces = sorted(lm.detect(group), key=lambda f: f.bbox[0])
        if len(faces) != 3 or any(face_record(f, 0)["closed_eyes"] for f in faces):
            continue
        frames = blink3(group, faces, rng)
        if any(len(lm.detect(f)) != 3 for f in frames):
            continue
        t0 = time.perf_counter()
        out, records, _ = combine(frames[0], frames, lm, BestTakeArgs())
        seconds.append((time.perf_counter() - t0) / 3)
        closed = [r for r in records if r["closed_eyes"]]
        ok = [r for r in closed if r["opened"] and r.get("verified_open")]
        right = [r for r in ok if r["from_frame"] == {0: 3, 1: 2}.get(r["index"])]
        mse_base = float(np.mean((frames[0].astype(float) - group.astype(float)) ** 2))
        mse_out = float(np.mean((out.astype(float) - group.astype(float)) ** 2))
        rows.append((len(closed), len(ok), len(right), 10 * np.log10(255**2 / max(mse_base, 1e-9)),
                     10 * np.log10(255**2 / max(mse_out, 1e-9))))
    return np.array(rows), seconds


def label(img: np.ndarray, text: str) -> np.ndarray:
    import cv2

    out = np.ascontiguousarray(img).copy()
    cv2.rectangle(out, (0, 0), (12 + 9 * len(text), 22), (255, 255, 255), -1)
    cv2.putText(out, text, (5, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
    return out


def burst_picture(frames, out, faces, from_frames) -> np.ndarray:
    """The burst at half size (top), then the eyes of frame 1 and of the best take at 1.5×, labelled."""
    half = lambda im: np.asarray(Image.fromarray(im).resize((im.shape[1] // 2, im.shape[0] // 2), Image.LANCZOS))  # noqa
    top = np.hstack([label(half(f), f"frame {k + 1}") for k, f in enumerate(frames)])
    ys = [float(np.mean([f.right_eye[:, 1].mean(), f.left_eye[:, 1].mean()])) for f in faces]
    y0 = max(0, int(np.mean(ys)) - 40)
    band = lambda im: np.asarray(Image.fromarray(im[y0:y0 + 80]).resize((top.shape[1], 120), Image.LANCZOS))  # noqa
    gap = np.full((4, top.shape[1], 3), 255, np.uint8)
    return np.vstack([top, gap, label(band(frames[0]), "frame 1, eyes"), gap,
                      label(band(out), "best take, eyes (faces from frames " + ", ".join(map(str, from_frames)) + ")")])


def pictures(lm, astronaut):
    """The README's two before/after pictures, from the public-domain astronaut only."""
    sys.path.insert(0, str(REPO / "tests" / "tools"))
    from eye_fixtures import blink, blue_eyed, group_of_three, shifted

    PICTURES.mkdir(parents=True, exist_ok=True)
    face = lm.detect(astronaut)[0]
    blue = blue_eyed(astronaut, face)
    warm = apply_gains(blue, np.array([1.35, 1.0, 0.65]))
    import cv2

    warm = cv2.warpAffine(warm, cv2.getRotationMatrix2D((256, 256), 7, 1.0), (512, 512), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REFLECT)
    shut = close_eye(close_eye(astronaut, face, "left"), face, "right")
    ref_face = lm.detect(warm)[0]
    new, _ = open_with(shut, face, warm, ref_face, True)
    old, _ = open_with(shut, face, warm, ref_face, False)
    crop = lambda im: np.asarray(Image.fromarray(im[80:200, 150:330]).resize((360, 240), Image.LANCZOS))  # noqa
    strip = np.hstack([label(crop(shut), "shut"), label(crop(warm), "reference (other photo)"),
                       label(crop(old), "before: Lab-matched"), label(crop(new), "now: colour-true")])
    Image.fromarray(strip).save(PICTURES / "reference_colour.jpg", quality=90)
    group = group_of_three(astronaut)
    faces = sorted(lm.detect(group), key=lambda f: f.bbox[0])
    frames = [blink(group, faces, [0, 1]), shifted(blink(group, faces, [0, 2]), 3, -2),
              shifted(blink(group, faces, [1, 2]), -2, 3)]
    out, records, _ = combine(frames[0], frames, lm, BestTakeArgs())
    picture = burst_picture(frames, out, faces, [r["from_frame"] for r in records])
    Image.fromarray(picture).save(PICTURES / "best_take.jpg", quality=88)
    return [r["from_frame"] for r in records], [r.get("verified_open") for r in records]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=Path, required=True)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--bursts", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    lm = MediaPipeLandmarker()
    rng = random.Random(args.seed)
    paths = sorted(args.faces.iterdir())
    rng.shuffle(paths)
    astronaut = np.asarray(Image.open(REPO / "samples" / "astronaut.png").convert("RGB"))
    colour, residuals, seconds, _ = colour_eval([REPO / "samples" / "astronaut.png", *paths], args.count, lm, rng)
    bursts, burst_s = burst_eval(paths[args.count * 3:], args.bursts, lm, rng)
    frames, verified = pictures(lm, astronaut)
    lines = [f"# Transplant colour and best take ({date.today()}, `python evals/eyes/transplant_eval.py "
             f"--count {args.count} --bursts {args.bursts}`)", "",
             f"## Iris colour: {len(colour)} pairs (astronaut + UTKFace), reference recoloured, rotated 4-8°, JPEG q70",
             "", "| iris CIEDE2000 vs the original | median | mean | 90th pct |", "|---|---|---|---|"]
    for name, col in (("colour-true transplant (now)", 0), ("previous: whole eye Lab-matched to skin", 1),
                      ("the reference itself (no correction)", 2)):
        v = colour[:, col]
        lines.append(f"| {name} | {np.median(v):.2f} | {np.mean(v):.2f} | {np.percentile(v, 90):.2f} |")
    lines += ["", f"Eye-contour fit residual (RMS, image px): median {np.median(residuals):.2f}, 90th pct "
              f"{np.percentile(residuals, 90):.2f}. Seconds per face (both eyes, median): {np.median(seconds):.3f}.",
              "", f"## Best take: {len(bursts)} synthetic bursts (3 UTKFace faces side by side, 3 frames, a different "
              "pair blinking in each, shifts of 2-3 px)", ""]
    if len(bursts):
        closed, ok, right = bursts[:, 0].sum(), bursts[:, 1].sum(), bursts[:, 2].sum()
        lines += ["| closed faces in the base | opened and verified open | from the only open frame | "
                  "PSNR base vs truth | PSNR best take vs truth |", "|---|---|---|---|---|",
                  f"| {int(closed)} | {int(ok)} ({100 * ok / closed:.1f} %) | {int(right)} | "
                  f"{bursts[:, 3].mean():.2f} dB | {bursts[:, 4].mean():.2f} dB |", "",
                  f"Seconds per face (3 frames, incl. alignment and re-check, median): {np.median(burst_s):.3f}."]
    lines += ["", f"README pictures (astronaut only): evals/reports/eyes/best_take.jpg (faces took frames {frames}, "
              f"verified {verified}), evals/reports/eyes/reference_colour.jpg."]
    return publish("\n".join(lines) + "\n", args.report)


if __name__ == "__main__":
    sys.exit(main())
