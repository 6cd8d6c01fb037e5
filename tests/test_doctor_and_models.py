"""Model discovery: the learned shading backend is missing until a .pth is put in place, then it runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import SAMPLES
from PIL import Image
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.runs.invoke import call_tool
from atelier.tools.sketchify.backends.learned import ALPHA, BETA, NET_SIZE
from atelier.tools.sketchify.net import ShadingNet, ShadingNetConfig, load_checkpoint, save_checkpoint

runner = CliRunner()
TINY = ShadingNetConfig(widths=(4, 8), depths=(1, 2))


def learned_row(rows):
    return next(r for r in rows if r["tool"] == "sketchify" and r["backend"] == "learned")


def constant_net(value: float) -> ShadingNet:
    """A tiny random net whose head is zeroed, so its output is the constant sigmoid(bias)."""
    torch.manual_seed(0)
    net = ShadingNet(TINY)
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.fill_(float(np.log(value / (1 - value))))
    return net


def test_doctor_reports_learned_shading_missing_then_available(tmp_path, atelier_home):
    rows = json.loads(runner.invoke(app, ["doctor", "--json"]).stdout)
    row = learned_row(rows)
    assert row["available"] is False and "shading" in row["reason"] and row["path"] is None
    assert {"tool", "role", "backend", "available", "path", "reason"} <= set(row)
    save_checkpoint(constant_net(0.5), tmp_path / "tiny.pth")
    res = runner.invoke(app, ["models", "add", "shading", str(tmp_path / "tiny.pth")])
    assert res.exit_code == 0, res.output
    row = learned_row(json.loads(runner.invoke(app, ["doctor", "--json"]).stdout))
    assert row["available"] is True and row["path"].endswith("shading/tiny.pth")


def test_models_add_checks_layout_and_checksum(tmp_path):
    (tmp_path / "w.bin").write_bytes(b"x")
    assert runner.invoke(app, ["models", "add", "shading", str(tmp_path / "w.bin")]).exit_code == 2
    save_checkpoint(constant_net(0.5), tmp_path / "w.pth")
    assert runner.invoke(app, ["models", "add", "shading", str(tmp_path / "w.pth"), "--sha256", "00"]).exit_code == 2


def test_checkpoint_round_trip_and_forward_shape(tmp_path):
    torch.manual_seed(1)
    net = ShadingNet(TINY)
    save_checkpoint(net, tmp_path / "n.pth")
    loaded = load_checkpoint(tmp_path / "n.pth")
    x = torch.rand(1, 1, 64, 48)
    assert torch.equal(net.eval()(x), loaded(x))
    assert loaded(x).shape == (1, 1, 64, 48)
    torch.save(net.state_dict(), tmp_path / "bare.pth")  # a bare state dict needs the full-size config
    with pytest.raises(RuntimeError):
        load_checkpoint(tmp_path / "bare.pth")


def test_learned_backend_runs_with_the_seed_contrast(atelier_home, tmp_path, settings):
    from atelier.tools.sketchify.backends import shading_backend

    (atelier_home / "models" / "shading").mkdir(parents=True)
    save_checkpoint(constant_net(0.8), atelier_home / "models" / "shading" / "tiny.pth")
    backend = shading_backend("learned", settings)
    gray = np.asarray(Image.open(SAMPLES / "coffee.png").convert("L"))
    tone = backend.shade(gray)
    assert tone.shape == gray.shape and NET_SIZE == 256
    assert np.allclose(tone, ALPHA * 0.8 * 255 + BETA, atol=0.05)
    result = call_tool("sketchify", {"image": SAMPLES / "coffee.png"}, {"backend": "learned"}, out_dir=tmp_path)
    assert result.ok and result.backend == "learned" and result.backends["shading"] == "learned"


def test_trainer_learns_the_classical_shading_and_its_checkpoint_runs(tmp_path, atelier_home, settings):
    import cv2

    from atelier.tools.sketchify.backends import shading_backend
    from atelier.tools.sketchify.train_shading import load_pairs, train

    pairs = load_pairs([SAMPLES / n for n in ("astronaut.png", "coffee.png", "chelsea.png")], targets=None)
    assert pairs[0][0].shape == (256, 256) and pairs[0][1].dtype == np.float32
    out = atelier_home / "models" / "shading" / "trained.pth"
    report = train(pairs, out, config=ShadingNetConfig(widths=(8, 16), depths=(1, 1)), steps=60, batch=2)
    assert report.last_loss < report.first_loss * 0.7  # it really learns
    tone = shading_backend("learned", settings).shade(cv2.cvtColor(
        np.asarray(Image.open(SAMPLES / "coffee.png").convert("RGB")), cv2.COLOR_RGB2GRAY))
    assert tone.shape == (400, 600) and tone.dtype == np.float32
