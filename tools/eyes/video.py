"""Short videos for the eye tools: read with OpenCV's own VideoCapture (within limits), detect closed eyes
frame by frame, and open them with the same person's open-eye frames of the same clip as references (each
blinking frame is a best take against its nearest open frames). ``read_video_input`` is the ``image`` role's
reader (``ImageRole.reader``) for ``detect_closed_eyes`` and ``open_eyes``: a clip arrives as a
``VideoInput``, its first frame as the pixels, and each tool's ``run`` hands it to ``detect_clip`` or
``open_clip``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from atelier.core.config import Limits
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import ToolOutput

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v")
MAX_FRAMES = 300
MAX_SECONDS = 20.0
MAX_FRAME_PIXELS = 1920 * 1080
MAX_TOTAL_PIXELS = 150_000_000  # every decoded frame is held: 450 MB of RGB, e.g. 72 frames of 1080p


@dataclass
class Video:
    frames: list[np.ndarray]  # RGB uint8
    fps: float

    @property
    def seconds(self) -> float:
        return len(self.frames) / self.fps if self.fps else 0.0


@dataclass
class VideoInput(LoadedImage):
    """A clip on an image role: ``pixels`` is its first frame (what a run record keeps), ``video`` all of it."""

    video: Video = field(default_factory=lambda: Video([], 25.0))


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def read_video(path: str | Path, max_frames: int = MAX_FRAMES, max_seconds: float = MAX_SECONDS,
               max_pixels: int = MAX_FRAME_PIXELS, max_total: int = MAX_TOTAL_PIXELS) -> Video:
    """Every frame of a short video as RGB; clear errors past the frame, duration or pixel limits (checked
    on the header before decoding, and again while decoding, since headers can lie)."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise ToolError(ErrorCode.INVALID_IMAGE, f"no video at {path}")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise ToolError(ErrorCode.INVALID_IMAGE, f"{path.name} could not be opened as a video "
                            f"(corrupt, or not a video OpenCV can decode: use {', '.join(VIDEO_SUFFIXES)})")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 25.0
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w * h > max_pixels:
            raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path.name} is {w}×{h} ({w * h:,} pixels a frame); videos "
                            f"may have at most {max_pixels:,} pixels a frame (1080p)")
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        _check_length(path.name, count, fps, w * h, max_frames, max_seconds, max_total)
        frames = []
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            if bgr.shape[0] * bgr.shape[1] > max_pixels:  # the header said less
                raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path.name} has {bgr.shape[1]}×{bgr.shape[0]} frames; "
                                f"videos may have at most {max_pixels:,} pixels a frame (1080p)")
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            _check_length(path.name, len(frames), fps, bgr.shape[0] * bgr.shape[1], max_frames, max_seconds,
                          max_total)
    finally:
        cap.release()
    if not frames:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path.name} has no frame that OpenCV could decode")
    return Video(frames, fps)


def _check_length(name: str, count: int, fps: float, pixels: int, max_frames: int, max_seconds: float,
                  max_total: int) -> None:
    if count > max_frames or count / fps > max_seconds:
        raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{name} has {count} frames ({count / fps:.1f} s) or more; "
                        f"videos may have at most {max_frames} frames and {max_seconds:g} s — trim it first")
    if count * pixels > max_total:
        raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{name}: {count} frames of {pixels:,} pixels is over the "
                        f"{max_total:,} pixel budget for a whole clip — trim it or scale it down first")


def read_video_input(path: Path, limits: Limits) -> VideoInput | None:
    """The image role's reader: a clip (by its suffix) as a ``VideoInput``; None for anything else."""
    if not is_video(path):
        return None
    if path.is_file() and path.stat().st_size > limits.max_bytes:
        raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path}: {path.stat().st_size / 2**20:.1f} MiB is over the "
                        f"{limits.max_bytes / 2**20:.0f} MiB limit")
    video = read_video(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return VideoInput(pixels=video.frames[0], path=path, sha256=digest, format=path.suffix[1:].upper(),
                      video=video)


def write_video(frames: list[np.ndarray], fps: float, path: str | Path) -> Path:
    """The frames as an MP4 (OpenCV's own ``mp4v`` encoder)."""
    import cv2

    path = Path(path)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not writer.isOpened():
        raise ToolError(ErrorCode.INTERNAL, f"OpenCV cannot write an MP4 of {w}×{h} at {path}")
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return path


def detect_video(video: Video, landmarker, threshold: float, look: bool = True) -> list[dict[str, Any]]:
    """Per frame: its time and each face's closed eyes and eye scores (faces left to right); ``look`` adds
    the eye-patch CNN to the landmark score (opening a clip ranks frames by the score alone, as best take
    does)."""
    from .measure import face_record

    rows = []
    for k, frame in enumerate(video.frames):
        faces = sorted(landmarker.detect(frame), key=lambda f: (f.bbox[0], f.bbox[1]))
        records = [face_record(f, i, threshold, frame if look else None) for i, f in enumerate(faces)]
        rows.append({"frame": k, "time_s": round(k / video.fps, 3),
                     "faces": [{"index": r["index"], "closed_eyes": r["closed_eyes"],
                                "scores": [r["right_eye"]["score"], r["left_eye"]["score"]],
                                "centre": np.mean([r["right_eye"]["centre"], r["left_eye"]["centre"]], 0).round(1)
                                .tolist()} for r in records]})
    return rows


def reference_frames(rows: list[dict[str, Any]], k: int, count: int) -> list[int]:
    """The frames to open frame ``k`` from: those where no one blinks, nearest in time first; when there are
    too few, the frames with the fewest closed eyes (the best take picks, per person, the most open one)."""
    closed = {r["frame"]: sum(len(f["closed_eyes"]) for f in r["faces"]) for r in rows if r["faces"]}
    others = [j for j in closed if j != k]
    return sorted(others, key=lambda j: (closed[j] > 0, closed[j], abs(j - k)))[:count]


def open_video(video: Video, landmarker, args, references: int = 4, progress=None,
               rows: list[dict[str, Any]] | None = None) -> tuple[list[np.ndarray], list[dict]]:
    """Every frame with a closed eye opened from the clip's other frames (``reference_frames``) through the
    best-take combine; returns the edited frames and, per edited frame, what was done to each face."""
    from .best_take import combine

    rows = rows if rows is not None else detect_video(video, landmarker, args.threshold, look=False)
    out, done = list(video.frames), []
    blinking = [r for r in rows if any(f["closed_eyes"] for f in r["faces"])]
    for n, row in enumerate(blinking):
        k = row["frame"]
        if progress is not None:
            progress(n / len(blinking), f"frame {k + 1} of {len(video.frames)}: opening the eyes")
        nearest = reference_frames(rows, k, references)
        if not nearest:
            done.append({"frame": k, "references": [], "faces": [],
                         "error": "no other frame of this clip shows these faces"})
            continue
        image, faces, _ = combine(video.frames[k], [video.frames[k]] + [video.frames[j] for j in nearest],
                                  landmarker, args)
        out[k] = image
        done.append({"frame": k, "references": nearest, "error": None,
                     "faces": [{"index": f["index"], "closed_eyes": f["closed_eyes"], "opened": f["opened"],
                                "from_frame": nearest[f["from_frame"] - 2] if f["from_frame"] > 1 else k,
                                "verified_open": f.get("verified_open"),
                                "error": f["error"]["message"] if f["error"] else None}
                               for f in faces if f["closed_eyes"]]})
    return out, done


def clip_info(video: Video) -> dict[str, Any]:
    h, w = video.frames[0].shape[:2]
    return {"frames": len(video.frames), "fps": round(video.fps, 3), "seconds": round(video.seconds, 3),
            "width": w, "height": h}


def detect_clip(clip: VideoInput, landmarker, threshold: float, ctx) -> ToolOutput:
    """``detect_closed_eyes`` on a clip: every frame's faces and closed eyes; the frame with the most closed
    eyes is the one shown (with its overlay)."""
    from .measure import draw_eye_boxes, face_record

    video = clip.video
    with ctx.stage("landmarks"):
        rows = detect_video(video, landmarker, threshold)
    closed = [r["frame"] for r in rows if any(f["closed_eyes"] for f in r["faces"])]
    shown = max(range(len(rows)), key=lambda k: (sum(len(f["closed_eyes"]) for f in rows[k]["faces"]), -k))
    faces = sorted(landmarker.detect(video.frames[shown]), key=lambda f: (f.bbox[0], f.bbox[1]))
    records = [face_record(f, i, threshold, video.frames[shown]) for i, f in enumerate(faces)]
    seconds = ctx.timings["landmarks"] / len(rows)
    return ToolOutput(
        backend=landmarker.name, backends={"landmarks": landmarker.name},
        outputs={"video": clip_info(video), "frames": rows, "closed_frames": closed, "shown_frame": shown,
                 "faces": records, "closed_count": sum(1 for r in records if r["closed_eyes"]),
                 "closed_eyes": sum(len(r["closed_eyes"]) for r in records), "threshold": threshold},
        images={"frame": video.frames[shown], "overlay": draw_eye_boxes(video.frames[shown], records)},
        metrics={"frames": len(rows), "frames_with_closed_eyes": len(closed),
                 "faces": max((len(r["faces"]) for r in rows), default=0), "seconds_per_frame": round(seconds, 4)},
        warnings=[] if any(r["faces"] for r in rows) else ["no face in any frame of the clip"],
    )


def open_clip(clip: VideoInput, landmarker, args, ctx) -> ToolOutput:
    """``open_eyes`` on a clip: each blinking frame opened from the clip's own open frames; the edited clip
    (``video.mp4``) and the first edited frame before and after."""
    import tempfile

    from .best_take import BestTakeArgs

    video = clip.video
    take = BestTakeArgs(landmarks=args.landmarks, threshold=args.threshold, feather=args.feather)
    with ctx.stage("detect"):
        rows = detect_video(video, landmarker, args.threshold, look=False)
    if not any(r["faces"] for r in rows):
        raise ToolError(ErrorCode.NO_FACE, "no face found in any frame of the clip")
    with ctx.stage("open"):
        edited, done = open_video(video, landmarker, take, progress=ctx.progress, rows=rows)
    faces = [f for d in done for f in d["faces"]]
    opened = [f for f in faces if f["opened"]]
    with ctx.stage("encode"), tempfile.TemporaryDirectory() as tmp:
        data = write_video(edited, video.fps, Path(tmp) / "video.mp4").read_bytes()
    changed = [d["frame"] for d in done if any(f["opened"] for f in d["faces"])]
    shown = changed[0] if changed else 0
    warnings = [f"frame {d['frame'] + 1}: {d['error']}" for d in done if d["error"]]
    warnings += [f"frame {d['frame'] + 1}, face {f['index'] + 1}: {f['error'] or 'still reads as closed'}"
                 for d in done for f in d["faces"] if f["error"] or (f["opened"] and not f["verified_open"])]
    if not done:
        warnings.append("no closed eyes in any frame, so the clip is returned unchanged")
    seconds = sum(ctx.timings.get(k, 0.0) for k in ("detect", "open", "encode")) / len(video.frames)
    return ToolOutput(
        backend="reference", backends={"landmarks": landmarker.name, "inpaint": "reference", "restore": "none"},
        outputs={"video": clip_info(video), "edited_frames": done, "changed": bool(opened), "shown_frame": shown,
                 "frames": rows},
        images={"before": video.frames[shown], "image": edited[shown]}, files={"video.mp4": data},
        metrics={"frames": len(video.frames), "frames_edited": len(changed), "faces_opened": len(opened),
                 "faces_verified_open": sum(1 for f in opened if f["verified_open"]),
                 "faces_not_opened": len(faces) - len(opened), "seconds_per_frame": round(seconds, 4)},
        warnings=warnings,
    )
