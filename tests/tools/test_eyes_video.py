"""A 2-second synthetic video written with OpenCV goes through the image role of ``detect_closed_eyes`` and
``open_eyes`` (the role's video reader): the blinking frames are found, opened from the clip's own open-eye
frames, and read as open in the edited video; clips past the limits and corrupt clips are clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from atelier.core.errors import ErrorCode
from atelier.core.runner import run_tool

BLINK = (4, 5)  # the shut frames of the 10-frame, 5 fps clip (0.8-1.0 s)
SCENE: dict = {}  # the clip's open frame (the truth), its blinking frame, and a box round the eyes


@pytest.fixture(scope="module")
def clip(astronaut, tmp_path_factory):
    from atelier.tools.eyes.video import write_video
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    small = np.ascontiguousarray(astronaut[:320, 80:400])
    face = MediaPipeLandmarker().detect(small)[0]
    shut = close_eye(close_eye(small, face, "left"), face, "right")
    frames = [shut if k in BLINK else small for k in range(10)]
    pts = np.vstack([face.right_eye, face.left_eye])
    (x0, y0), (x1, y1) = pts.min(axis=0) - 12, pts.max(axis=0) + 12
    SCENE.update(truth=small, shut=shut, eyes=(slice(int(y0), int(y1)), slice(int(x0), int(x1))))
    return write_video(frames, 5.0, tmp_path_factory.mktemp("clip") / "clip.mp4")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255**2 / max(1e-9, np.mean((a.astype(float) - b.astype(float)) ** 2))))


def closed_frames(path) -> list[int]:
    from atelier.tools.eyes.video import detect_video, read_video
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    rows = detect_video(read_video(path), MediaPipeLandmarker(), 0.022)
    return [r["frame"] for r in rows if any(f["closed_eyes"] for f in r["faces"])]


def test_the_video_reader_reads_two_seconds_frame_by_frame(clip):
    from atelier.tools.eyes.video import read_video

    video = read_video(clip)
    assert len(video.frames) == 10 and video.seconds == pytest.approx(2.0)
    assert closed_frames(clip) == list(BLINK)


def test_detect_closed_eyes_takes_a_video_on_its_image_role(clip, tmp_path):
    res = run_tool("detect_closed_eyes", {"image": clip}, out_dir=tmp_path).result
    assert res.ok, res.error
    assert res.outputs["closed_frames"] == list(BLINK)
    assert res.outputs["video"]["frames"] == 10 and res.outputs["video"]["seconds"] == pytest.approx(2.0)
    assert res.outputs["shown_frame"] in BLINK and res.outputs["faces"][0]["closed_eyes"] == ["right", "left"]
    assert res.metrics["seconds_per_frame"] > 0


def test_open_eyes_opens_a_video_from_its_own_open_frames(clip, tmp_path):
    res = run_tool("open_eyes", {"image": clip}, out_dir=tmp_path).result
    assert res.ok, res.error
    done = res.outputs["edited_frames"]
    assert [d["frame"] for d in done] == list(BLINK)
    assert all(f["opened"] == ["right", "left"] and f["verified_open"] and f["from_frame"] not in BLINK
               for d in done for f in d["faces"])
    assert res.metrics["frames_edited"] == 2 and res.metrics["faces_verified_open"] == 2
    edited = res.artifacts["video.mp4"]
    assert closed_frames(edited) == []  # the edited clip, decoded again: every frame reads open
    from atelier.tools.eyes.video import read_video

    before, after = read_video(clip).frames, read_video(edited).frames
    # the frames without a blink only went through one more MP4 encoding; round the eyes, the edited ones
    # are far nearer the unblinked truth than the blinking input was
    assert all(psnr(after[k], before[k]) > 38.0 for k in range(10) if k not in BLINK)
    eyes, truth = SCENE["eyes"], SCENE["truth"][SCENE["eyes"]]
    assert all(psnr(after[k][eyes], truth) > psnr(before[k][eyes], truth) + 3.0 for k in BLINK)


def test_a_too_long_video_and_a_corrupt_one_are_clear_errors(astronaut, tmp_path):
    from atelier.tools.eyes.video import MAX_SECONDS, write_video

    fps = 4.0
    long = write_video([astronaut[:64, :64]] * int(fps * MAX_SECONDS + 4), fps, tmp_path / "long.mp4")
    res = run_tool("open_eyes", {"image": long}).result
    assert res.error.code == ErrorCode.IMAGE_TOO_LARGE and "trim it" in res.error.message
    assert f"{MAX_SECONDS:g} s" in res.error.message
    (tmp_path / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 this is not a video at all" * 20)
    res = run_tool("detect_closed_eyes", {"image": tmp_path / "bad.mp4"}).result
    assert res.error.code == ErrorCode.INVALID_IMAGE and "bad.mp4" in res.error.message


def test_video_limits_on_frames_and_pixels(astronaut, tmp_path):
    from atelier.core.errors import ToolError
    from atelier.tools.eyes.video import read_video, write_video

    path = write_video([astronaut[:64, :64]] * 12, 4.0, tmp_path / "short.mp4")
    with pytest.raises(ToolError) as err:
        read_video(path, max_frames=10)
    assert err.value.code == ErrorCode.IMAGE_TOO_LARGE and "at most 10 frames" in err.value.message
    with pytest.raises(ToolError) as err:
        read_video(path, max_pixels=1000)
    assert err.value.code == ErrorCode.IMAGE_TOO_LARGE and "pixels a frame" in err.value.message
    with pytest.raises(ToolError) as err:
        read_video(path, max_total=10 * 64 * 64)
    assert err.value.code == ErrorCode.IMAGE_TOO_LARGE and "whole clip" in err.value.message


def test_the_cli_takes_a_video_as_input(clip, tmp_path):
    cli = os.path.join(os.path.dirname(sys.executable), "atelier")
    proc = subprocess.run([cli, "tool", "open_eyes", "--input", f"image={clip}", "--json", "--no-record",
                           "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert [d["frame"] for d in result["outputs"]["edited_frames"]] == list(BLINK)
    videos = [p for p in result["artifacts"].values() if p.endswith(".mp4")]
    assert len(videos) == 1 and closed_frames(videos[0]) == []


def test_a_tiny_video_is_refused_like_a_tiny_image(tmp_path):
    """A role's own reader (the clip reader) is held to the role's minimum size, as an image would be."""
    from atelier.tools.eyes.video import write_video

    tiny = write_video([np.full((8, 8, 3), 20 * i, np.uint8) for i in range(5)], 10, tmp_path / "tiny.mp4")
    for path in (tiny,):
        res = run_tool("detect_closed_eyes", {"image": path}).result
        assert res.error.code == ErrorCode.INVALID_IMAGE and "too small" in res.error.message
