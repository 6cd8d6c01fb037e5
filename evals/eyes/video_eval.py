"""Video speed and outcome: a 2-second, 30 fps clip made from a photo (the astronaut by default, or
``--photo``), with a blink (both eyes shut synthetically) in 6 frames, run through the
``detect_closed_eyes`` and ``open_eyes`` tools as a video input. Reports seconds per frame for each, which
frames were found and edited, and whether the edited clip, decoded again, reads open in every frame.

    python evals/eyes/video_eval.py --report evals/reports/eyes_video.md
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image
from report import publish  # evals/eyes/report.py: scripts run from their folder

from atelier.core.runner import run_tool
from atelier.tools.eyes.video import detect_video, read_video, write_video
from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
from atelier.tools.faces.synth import close_eye

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
BLINK = range(24, 30)  # 0.8-1.0 s


def clip_frames(rgb: np.ndarray, landmarker, fps: int, seconds: float) -> list[np.ndarray]:
    shut = rgb
    for face in landmarker.detect(rgb):
        shut = close_eye(close_eye(shut, face, "left"), face, "right")
    return [shut if k in BLINK else rgb for k in range(int(fps * seconds))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", type=Path, default=SAMPLES / "astronaut.png")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args(argv)
    lm = MediaPipeLandmarker()
    rgb = np.asarray(Image.open(args.photo).convert("RGB"))
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_video(clip_frames(rgb, lm, args.fps, 2.0), args.fps, Path(tmp) / "clip.mp4")
        found = run_tool("detect_closed_eyes", {"image": clip}, out_dir=Path(tmp) / "d").result
        opened = run_tool("open_eyes", {"image": clip}, out_dir=Path(tmp) / "o").result
        if not (found.ok and opened.ok):
            print(found.error, opened.error)
            return 1
        again = detect_video(read_video(opened.artifacts["video.mp4"]), lm, 0.022)
        still = [r["frame"] for r in again if any(f["closed_eyes"] for f in r["faces"])]
    h, w = rgb.shape[:2]
    edited = [d["frame"] for d in opened.outputs["edited_frames"]]
    closed = found.outputs["closed_frames"]
    per_edit = (opened.timings.get("open", 0.0)) / max(1, len(edited))
    lines = [f"# Video ({date.today()}, `python evals/eyes/video_eval.py --fps {args.fps}`)", "",
             f"{args.photo.name} ({w}×{h}) as a 2-second clip at {args.fps} fps ({int(2 * args.fps)} frames, MP4), "
             f"both eyes shut in frames {BLINK.start + 1}-{BLINK.stop}.", "",
             "| tool | frames found / edited | seconds per frame (all frames) | other |", "|---|---|---|---|",
             f"| detect_closed_eyes | closed in {len(closed)} frames "
             f"({'the shut ones' if closed == list(BLINK) else closed})"
             f" | {found.metrics['seconds_per_frame']:.3f} s | |",
             f"| open_eyes | edited {len(edited)} frames, {opened.metrics['faces_verified_open']} of "
             f"{opened.metrics['faces_opened']} faces verified open | {opened.metrics['seconds_per_frame']:.3f} s | "
             f"{per_edit:.2f} s per edited frame; decoded again, {len(still)} frames still read closed |", ""]
    return publish("\n".join(lines), args.report)


if __name__ == "__main__":
    sys.exit(main())
