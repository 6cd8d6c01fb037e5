"""Short videos for the eye tools: read with OpenCV's own VideoCapture (within limits), detect closed eyes
frame by frame, and open them with the same person's open-eye frames of the same clip as references (each
blinking frame is a best take against its nearest open frames). The shared image loader reads images only;
this is the video reader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atelier.core.errors import ErrorCode, ToolError

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v")
MAX_FRAMES = 600
MAX_SECONDS = 30.0
MAX_FRAME_PIXELS = 1920 * 1080


@dataclass
class Video:
    frames: list[np.ndarray]  # RGB uint8
    fps: float

    @property
    def seconds(self) -> float:
        return len(self.frames) / self.fps if self.fps else 0.0


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def read_video(path: str | Path, max_frames: int = MAX_FRAMES, max_seconds: float = MAX_SECONDS,
               max_pixels: int = MAX_FRAME_PIXELS) -> Video:
    """Every frame of a short video as RGB; clear errors past the frame, duration or pixel limits."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise ToolError(ErrorCode.INVALID_IMAGE, f"no video at {path}")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise ToolError(ErrorCode.INVALID_IMAGE, f"{path.name} could not be opened as a video")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 25.0
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w * h > max_pixels:
            raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path.name} is {w}×{h} ({w * h:,} pixels a frame); videos "
                            f"may have at most {max_pixels:,} pixels a frame (1080p)")
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if count > max_frames or (count and count / fps > max_seconds):
            raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path.name} has {count} frames ({count / fps:.1f} s); "
                            f"videos may have at most {max_frames} frames and {max_seconds:g} s — trim it first")
        frames = []
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            if len(frames) > max_frames or len(frames) / fps > max_seconds:
                raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path.name} runs past {max_frames} frames or "
                                f"{max_seconds:g} s — trim it first")
    finally:
        cap.release()
    if not frames:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path.name} has no frame that OpenCV could decode")
    return Video(frames, fps)


def write_video(frames: list[np.ndarray], fps: float, path: str | Path) -> Path:
    """The frames as an MP4 (OpenCV's own ``mp4v`` encoder)."""
    import cv2

    path = Path(path)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return path


def detect_video(video: Video, landmarker, threshold: float) -> list[dict[str, Any]]:
    """Per frame: its time and each face's closed eyes and eye scores (faces left to right)."""
    from .measure import face_record

    rows = []
    for k, frame in enumerate(video.frames):
        faces = sorted(landmarker.detect(frame), key=lambda f: (f.bbox[0], f.bbox[1]))
        records = [face_record(f, i, threshold) for i, f in enumerate(faces)]
        rows.append({"frame": k, "time_s": round(k / video.fps, 3),
                     "faces": [{"index": r["index"], "closed_eyes": r["closed_eyes"],
                                "scores": [r["right_eye"]["score"], r["left_eye"]["score"]],
                                "centre": np.mean([r["right_eye"]["centre"], r["left_eye"]["centre"]], 0).round(1)
                                .tolist()} for r in records]})
    return rows


def open_video(video: Video, landmarker, args, references: int = 4) -> tuple[list[np.ndarray], list[dict]]:
    """Every frame with a closed eye opened from the nearest frames (in time) where no one is blinking,
    through the best-take combine; returns the edited frames and what was done per edited frame."""
    from .best_take import combine

    rows = detect_video(video, landmarker, args.threshold)
    clear = [r["frame"] for r in rows if r["faces"] and not any(f["closed_eyes"] for f in r["faces"])]
    out, done = list(video.frames), []
    for row in rows:
        if not any(f["closed_eyes"] for f in row["faces"]):
            continue
        k = row["frame"]
        nearest = sorted(clear, key=lambda j: abs(j - k))[:references]
        if not nearest:
            done.append({"frame": k, "opened": 0, "error": "no frame of this clip shows everyone's eyes open"})
            continue
        image, faces, _ = combine(video.frames[k], [video.frames[k]] + [video.frames[j] for j in nearest],
                                  landmarker, args)
        out[k] = image
        done.append({"frame": k, "references": nearest,
                     "faces": [{"index": f["index"], "opened": f["opened"],
                                "from_frame": nearest[f["from_frame"] - 2] if f["from_frame"] > 1 else k,
                                "verified_open": f.get("verified_open")} for f in faces if f["opened"]]})
    return out, done
