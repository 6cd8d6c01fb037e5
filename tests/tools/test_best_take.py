"""best_take on a synthetic burst: three people, two of them blinking in each frame (a different pair each
time), small camera shifts; every eye ends open, each face from the one frame where it was open."""

from __future__ import annotations

import numpy as np
import pytest
from eye_fixtures import blink, group_of_three, shifted
from PIL import Image

from atelier.core.runner import run_tool


@pytest.fixture(scope="module")
def burst(astronaut):
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    group = group_of_three(astronaut)
    faces = sorted(MediaPipeLandmarker().detect(group), key=lambda f: f.bbox[0])
    assert len(faces) == 3
    frames = [blink(group, faces, [0, 1]),
              shifted(blink(group, faces, [0, 2]), 3.0, -2.0),
              shifted(blink(group, faces, [1, 2]), -2.0, 3.0)]
    return group, frames


def test_three_frame_burst_gives_all_eyes_open_each_face_from_the_right_frame(burst, tmp_path):
    truth, frames = burst
    paths = {}
    for k, frame in enumerate(frames):
        Image.fromarray(frame).save(tmp_path / f"f{k}.png")
        paths["image" if k == 0 else f"frame_{k}"] = tmp_path / f"f{k}.png"
    res = run_tool("best_take", paths, out_dir=tmp_path / "out").result
    assert res.ok, res.error
    faces = res.outputs["faces"]
    assert [f["closed_eyes"] != [] for f in faces] == [True, True, False]
    assert res.outputs["from_frames"] == [3, 2, 1]  # person 1 open only in frame 3, person 2 only in frame 2
    assert all(f["verified_open"] for f in faces if f["opened"])
    assert res.metrics["faces_verified_open"] == 2
    out = np.asarray(Image.open(res.artifacts["image"]).convert("RGB"))
    from atelier.tools.eyes.measure import face_record
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    again = [face_record(f, i) for i, f in enumerate(MediaPipeLandmarker().detect(out))]
    assert len(again) == 3 and not any(r["closed_eyes"] for r in again)
    mse = np.mean((out.astype(float) - truth.astype(float)) ** 2)
    mse_in = np.mean((frames[0].astype(float) - truth.astype(float)) ** 2)
    assert mse < 0.5 * mse_in  # much closer to the truth than the base


def test_one_photo_is_refused_and_the_planner_picks_best_take():
    from atelier.core.errors import ErrorCode

    res = run_tool("best_take", {"image": "samples/astronaut_blink.png"}).result
    assert not res.ok and res.error.code == ErrorCode.BAD_ARGUMENT and "2 to 10 photos" in res.error.message


def test_a_narrow_eyed_person_is_opened_from_their_own_most_open_take():
    """The case the burst eval met: open in frame 3 at 0.0219, a hair under the global 0.022; that take is the
    person's most open and counts as open for them. A burst where they only half-open (0.015) does not."""
    from atelier.tools.eyes.burst import best_frame, person_threshold

    narrow = [0.00084, 0.0012, 0.02199]
    assert person_threshold(narrow, 0.022) == pytest.approx(0.9 * 0.02199)
    assert best_frame([None, *narrow[1:]], person_threshold(narrow, 0.022)) == 2
    half_open = [0.001, 0.015, 0.002]
    assert person_threshold(half_open, 0.022) == pytest.approx(0.75 * 0.022)
    assert best_frame([None, *half_open[1:]], person_threshold(half_open, 0.022)) is None
    wide = [0.001, 0.042, 0.013]
    assert person_threshold(wide, 0.022) == 0.022  # never above the global threshold
    assert best_frame([None, *wide[1:]], 0.022) == 1
