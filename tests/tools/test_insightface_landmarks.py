"""The InsightFace landmark backend through insightface's real loader, on tiny constant ONNX models."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from tiny_insightface import face_layout, write_tiny_buffalo

from atelier.core.runner import run_tool
from atelier.tools.faces.geometry import shoelace_area


def test_insightface_backend_reads_106_points_and_names_the_subjects_sides(astronaut, atelier_home, tmp_path):
    Image.fromarray(astronaut).save(tmp_path / "a.png")
    res = run_tool("detect_closed_eyes", {"image": tmp_path / "a.png"}, {"landmarks": "insightface"}).result
    assert not res.ok and res.error.code == "BACKEND_UNAVAILABLE" and "insightface" in res.error.message
    box = (224.0, 89.0, 339.0, 221.0)  # the astronaut's face in the 640×640 detection input (512 px × 1.25)
    write_tiny_buffalo(atelier_home / "models" / "insightface" / "models" / "buffalo_l", box,
                       face_layout(open_a=0.35, open_b=0.03))
    res = run_tool("detect_closed_eyes", {"image": tmp_path / "a.png"}, {"landmarks": "insightface"}).result
    assert res.ok, res.error
    face = res.outputs["faces"][0]
    assert res.backend == "insightface" and face["landmarks_backend"] == "insightface" and face["landmarks"] == 106
    assert face["confidence"] == pytest.approx(0.9)
    # eye A (image left, the subject's right) is open, eye B closed, wherever the face's box puts them
    assert face["closed_eyes"] == ["left"] and not face["right_eye"]["closed"]
    side = 0.75 * max(box[2] - box[0], box[3] - box[1]) / 1.25  # insightface crops 1.5× the box into ±1
    cx = (box[0] + box[2]) / 2 / 1.25
    assert face["right_eye"]["centre"][0] == pytest.approx(cx - 0.3 * side, abs=1.0)
    assert face["left_eye"]["centre"][0] == pytest.approx(cx + 0.3 * side, abs=1.0)
    hexagon_area = shoelace_area(np.array([[0, 0], [0.25, -0.5], [0.75, -0.5], [1, 0], [0.75, 0.5], [0.25, 0.5]]))
    expected = hexagon_area * 0.35 * 0.3**2 * side**2  # that hexagon's area at width 0.3 and opening 0.35
    assert face["right_eye"]["area_px"] == pytest.approx(expected, rel=0.02)
    assert face["inter_ocular_px"] == pytest.approx(0.6 * side, rel=0.01)
