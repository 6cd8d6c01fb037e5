"""A 2-second synthetic video written with OpenCV is read and processed frame by frame: the blinking frames
are found and opened from the clip's own open-eye frames."""

from __future__ import annotations

import numpy as np
import pytest


def test_two_second_video_is_processed_frame_by_frame(astronaut, tmp_path):
    from atelier.tools.eyes.best_take import BestTakeArgs
    from atelier.tools.eyes.video import detect_video, open_video, read_video, write_video
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    lm = MediaPipeLandmarker()
    small = np.ascontiguousarray(astronaut[:320, 80:400])
    face = lm.detect(small)[0]
    shut = close_eye(close_eye(small, face, "left"), face, "right")
    fps = 5.0
    frames = [shut if k in (4, 5) else small for k in range(10)]  # 2 s; a blink at 0.8-1.0 s
    path = write_video(frames, fps, tmp_path / "clip.mp4")
    video = read_video(path)
    assert len(video.frames) == 10 and video.seconds == pytest.approx(2.0)
    rows = detect_video(video, lm, 0.022)
    assert [k for k, r in enumerate(rows) if r["faces"] and r["faces"][0]["closed_eyes"]] == [4, 5]
    edited, done = open_video(video, lm, BestTakeArgs())
    assert [d["frame"] for d in done] == [4, 5]
    assert all(f["verified_open"] and f["from_frame"] not in (4, 5) for d in done for f in d["faces"])
    again = detect_video(type(video)(edited, fps), lm, 0.022)
    assert not any(r["faces"][0]["closed_eyes"] for r in again)


def test_video_limits_are_clear_errors(astronaut, tmp_path):
    from atelier.core.errors import ErrorCode, ToolError
    from atelier.tools.eyes.video import read_video, write_video

    path = write_video([astronaut[:64, :64]] * 12, 4.0, tmp_path / "long.mp4")
    with pytest.raises(ToolError) as err:
        read_video(path, max_seconds=2.0)
    assert err.value.code == ErrorCode.IMAGE_TOO_LARGE and "trim it" in err.value.message
    with pytest.raises(ToolError) as err:
        read_video(path, max_pixels=1000)
    assert err.value.code == ErrorCode.IMAGE_TOO_LARGE
    (tmp_path / "bad.mp4").write_bytes(b"not a video")
    with pytest.raises(ToolError) as err:
        read_video(tmp_path / "bad.mp4")
    assert err.value.code == ErrorCode.INVALID_IMAGE
