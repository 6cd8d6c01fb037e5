"""The learned backend's trainer recipe and the dataset check, on tiny known inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from atelier.tools.sketchify.dataset import check_dataset


def _pair(root, stem, photo, sketch, suffix=".png"):
    (root / "photos").mkdir(exist_ok=True)
    (root / "sketches").mkdir(exist_ok=True)
    if photo is not None:
        Image.fromarray(photo).save(root / "photos" / f"{stem}{suffix}")
    if sketch is not None:
        Image.fromarray(sketch).save(root / "sketches" / f"{stem}{suffix}")


def _photo(seed, shape=(48, 64)):
    rng = np.random.default_rng(seed)
    return (rng.random((*shape, 3)) * 255).astype(np.uint8)


def test_check_dataset_finds_each_planted_fault(tmp_path):
    sketch = np.full((48, 64), 255, np.uint8)
    _pair(tmp_path, "good", _photo(1), sketch)
    _pair(tmp_path, "truncated", _photo(2), sketch)
    data = (tmp_path / "photos" / "truncated.png").read_bytes()
    (tmp_path / "photos" / "truncated.png").write_bytes(data[: len(data) // 2])
    _pair(tmp_path, "lonely", _photo(3), None)
    _pair(tmp_path, "resized", _photo(4), np.full((40, 64), 255, np.uint8))
    twin = _photo(1)
    twin[0, 0] = 0
    _pair(tmp_path, "twin", twin, sketch)
    report = check_dataset(tmp_path)
    assert report.bad
    assert [p.endswith("truncated.png") for p in report.unreadable] == [True]
    assert [p.endswith("lonely.png") for p in report.missing_partner] == [True]
    assert len(report.size_mismatch) == 1 and "resized" in report.size_mismatch[0]
    assert [sorted(Path(p).stem for p in pair) for pair in report.near_duplicates] == [["good", "twin"]]
    assert report.pairs == 2 and report.sketch_stats["paper"] == 1.0
    assert any("unreadable" in line for line in report.lines())


def test_check_dataset_passes_a_clean_folder(tmp_path):
    for i in range(3):
        _pair(tmp_path, f"p{i}", _photo(10 + i), np.full((48, 64), 200, np.uint8))
    report = check_dataset(tmp_path)
    assert not report.bad and report.pairs == 3 and not report.near_duplicates
    assert abs(report.sketch_stats["mean"] - 200 / 255) < 1e-6


def test_loss_punishes_ghosting_on_paper_and_gray_mass_matches_local_darkness():
    import torch

    from atelier.tools.sketchify.train_shading import Recipe, shading_loss

    target = torch.ones(1, 1, 32, 32)
    target[..., :, :16] = 0.3
    ghost = target.clone()
    ghost[..., :, 16:] = 0.8  # grey ghosting on the paper half
    smear = target.clone()
    smear[..., :, :16] = 0.5  # the same error on the drawn half
    assert shading_loss(ghost, target) > shading_loss(smear, target)
    strokes = torch.ones(1, 1, 32, 32)
    strokes[..., :, 0:16:2] = 0.0  # the same mean darkness (0.5) as a flat 0.5 fill, as strokes
    flat = torch.ones(1, 1, 32, 32)
    flat[..., :, :16] = 0.5
    no_pixel = Recipe(paper_weight=0.0, mass_weight=1.0)
    pixel_only = shading_loss(strokes, flat, Recipe(paper_weight=0.0, mass_weight=0.0))
    assert shading_loss(strokes, flat, no_pixel) - pixel_only < 1e-6  # gray mass is already matched


def test_cutout_blanks_photo_and_target_alike_and_training_learns(tmp_path):
    from atelier.tools.sketchify.net import ShadingNetConfig, load_checkpoint
    from atelier.tools.sketchify.train_shading import cutout, train

    rng = np.random.default_rng(0)
    photo, target = rng.random((64, 64)), rng.random((64, 64))
    p, t = cutout(photo, target, rng)
    blank = p == 1.0
    assert 0.01 < blank.mean() < 0.2 and (t[blank] == 1.0).all() and (p[~blank] == photo[~blank]).all()
    gray = np.tile(np.linspace(0, 255, 32, dtype=np.float32), (32, 1))
    pairs = [(gray.astype(np.uint8), 255.0 - gray), (gray[:, ::-1].astype(np.uint8), 255.0 - gray[:, ::-1])]
    out = tmp_path / "tiny.pth"
    report = train(pairs, out, config=ShadingNetConfig(widths=(8, 16), depths=(1, 1)), steps=30, batch=2, lr=1e-2)
    assert report.last_loss < report.first_loss * 0.8 and report.pairs == 2
    assert load_checkpoint(out).config.widths == (8, 16)


def test_check_dataset_command_exits_2_with_the_list(tmp_path):
    import typer
    from typer.testing import CliRunner

    from atelier.tools.sketchify.commands import check_dataset as command

    app = typer.Typer()
    app.command()(command)
    _pair(tmp_path, "fine", _photo(5), np.full((48, 64), 255, np.uint8))
    assert CliRunner().invoke(app, [str(tmp_path)]).exit_code == 0
    _pair(tmp_path, "alone", _photo(6), None)
    result = CliRunner().invoke(app, [str(tmp_path), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["missing_partner"][0].endswith("alone.png")
