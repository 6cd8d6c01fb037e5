"""The SDXL eye inpainter's real loading and sampling code (base + refiner) on tiny random SDXL models."""

from __future__ import annotations

import numpy as np
from conftest import backend_row
from PIL import Image
from tiny_diffusion import write_tiny_sdxl_inpaint

from atelier.core.runner import run_tool


def test_sdxl_opens_both_eyes_with_seeded_variations_and_only_inside_the_mask(astronaut, atelier_home, tmp_path):
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    face = MediaPipeLandmarker().detect(astronaut)[0]
    shut = close_eye(close_eye(astronaut, face, "left"), face, "right")
    Image.fromarray(shut).save(tmp_path / "shut.png")
    row = backend_row("open_eyes", "sdxl")
    assert not row["available"] and "sdxl" in row["reason"]
    write_tiny_sdxl_inpaint(atelier_home / "models")
    row = backend_row("open_eyes", "sdxl")
    assert row["available"] and "refiner" in row["reason"]

    args = {"steps": 2, "variations": 2, "seed": 5}
    res = run_tool("open_eyes", {"image": tmp_path / "shut.png"}, args, out_dir=tmp_path / "a").result
    assert res.ok, res.error
    assert res.backend == "sdxl" and res.backends["inpaint"] == "sdxl"  # auto: no reference, SDXL installed
    assert res.outputs["faces"][0]["seeds"] == [5, 6] and res.outputs["faces"][0]["opened"] == ["right", "left"]
    one, two = (np.asarray(Image.open(res.artifacts[f"variation_{k}"])) for k in (1, 2))
    assert np.array_equal(np.asarray(Image.open(res.artifacts["image"])), one)
    changed = np.any(one != shut, axis=-1)
    assert changed.any() and (one != two).any()  # two seeds, two results
    pts = np.vstack([face.right_eye, face.left_eye])
    (x0, y0), (x1, y1) = pts.min(0) - 40, pts.max(0) + 40
    ys, xs = np.nonzero(changed)
    assert ys.min() >= y0 and ys.max() <= y1 and xs.min() >= x0 and xs.max() <= x1  # only around the eyes
    again = run_tool("open_eyes", {"image": tmp_path / "shut.png"}, args, out_dir=tmp_path / "b").result
    assert np.array_equal(np.asarray(Image.open(again.artifacts["variation_2"])), two)  # seeded


def test_sdxl_base_alone_and_a_clear_error_without_weights(astronaut, atelier_home, tmp_path):
    Image.fromarray(astronaut).save(tmp_path / "a.png")
    res = run_tool("open_eyes", {"image": tmp_path / "a.png"}, {"backend": "sdxl", "eyes": "both"},
                   out_dir=tmp_path / "x").result
    assert not res.ok and res.error.code == "BACKEND_UNAVAILABLE" and "atelier models add sdxl-base" in (
        res.error.message)
    write_tiny_sdxl_inpaint(atelier_home / "models", refiner=False)
    res = run_tool("open_eyes", {"image": tmp_path / "a.png"}, {"backend": "sdxl", "eyes": "both", "steps": 2,
                   "preset": "fast"}, out_dir=tmp_path / "y").result
    assert res.ok and res.outputs["faces"][0]["opened"] == ["right", "left"]
