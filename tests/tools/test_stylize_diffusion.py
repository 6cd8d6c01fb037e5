"""The diffusion stylise backend's real loading and sampling code, on tiny random SD1.5 + ControlNet."""

from __future__ import annotations

import numpy as np
from conftest import SAMPLES, backend_row
from PIL import Image
from tiny_diffusion import write_tiny_sd15_controlnet

from atelier.knowledge.styles import shipped_cards
from atelier.runs.invoke import call_tool
from atelier.tools.style.diffusion import canny_control, working_size


def test_doctor_says_missing_then_runs_two_steps_at_the_input_size(atelier_home):
    row = backend_row("stylize", "diffusion")
    assert not row["available"] and "sd15" in row["reason"]
    write_tiny_sd15_controlnet(atelier_home / "models")
    assert backend_row("stylize", "diffusion")["available"]
    card = next(c for c in shipped_cards() if c.name == "ukiyo-e")
    r = call_tool("stylize", {"image": SAMPLES / "coffee.png", "ref": card.image},
                  {"backend": "diffusion", "steps": 2, "side": 64, "seed": 1})
    assert r.ok, r.error
    assert r.backend == "diffusion" and r.outputs["mode"] == "controlnet" and r.outputs["style"] == "ukiyo-e"
    out = np.asarray(Image.open(r.artifacts["image"]))
    assert out.shape == (400, 600, 3) and out.std() > 0  # the input's size, and not a blank image
    again = call_tool("stylize", {"image": SAMPLES / "coffee.png", "ref": card.image},
                      {"backend": "diffusion", "steps": 2, "side": 64, "seed": 1})
    assert np.array_equal(out, np.asarray(Image.open(again.artifacts["image"])))  # seeded


def test_control_image_and_working_size():
    assert working_size(400, 600, 512) == (512, 344) and working_size(1000, 10, 64) == (8, 64)
    img = np.zeros((40, 40, 3), np.uint8)
    img[:, 20:] = 255
    control = canny_control(img, (40, 40), 50, 150)
    assert control.shape == (40, 40, 3) and control[:, 19:21].max() == 255 and control[:, :10].max() == 0


def test_with_an_ip_adapter_the_reference_image_itself_steers_the_result(atelier_home):
    from tiny_diffusion import write_tiny_ip_adapter

    from atelier.tools.style import diffusion

    write_tiny_sd15_controlnet(atelier_home / "models")
    write_tiny_ip_adapter(atelier_home / "models")
    diffusion._pipeline.cache_clear()
    args = {"backend": "diffusion", "steps": 2, "side": 64, "seed": 3}
    # references outside the library: the prompt is the same for both, only the reference image differs
    a = call_tool("stylize", {"image": SAMPLES / "coffee.png", "ref": SAMPLES / "chelsea.png"}, args)
    b = call_tool("stylize", {"image": SAMPLES / "coffee.png", "ref": SAMPLES / "rocket.jpg"}, args)
    assert a.ok and b.ok, (a.error, b.error)
    row = backend_row("stylize", "diffusion")
    assert "IP-Adapter" in row["reason"] and "no IP-Adapter" not in row["reason"]
    pa, pb = (np.asarray(Image.open(r.artifacts["image"])).astype(int) for r in (a, b))
    assert a.outputs["style"] is None and b.outputs["style"] is None
    assert np.abs(pa - pb).mean() > 0  # same seed, same prompt: the reference image itself changed the result
