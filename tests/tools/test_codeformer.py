"""CodeFormer: the published layout (block taps, channels, key names, size) and the real loading and
restoring path on a tiny random model saved the way the release is (``params_ema``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import backend_row
from PIL import Image

from atelier.core.runner import run_tool
from atelier.tools.restore.codeformer_arch import CodeFormer

TINY = {"size": 64, "nf": 8, "ch_mult": [1, 2, 2, 4], "emb_dim": 16, "codebook_size": 32, "dim_embd": 32,
        "n_head": 4, "n_layers": 1, "connect_list": ["16", "32"]}


def test_the_published_layout():
    net = CodeFormer()
    # where encoder features are taken and fused back, as the release's fuse_encoder/generator_block tables
    assert net.encoder.taps == {512: 2, 256: 5, 128: 8, 64: 11, 32: 14, 16: 18}
    assert {r: net.generator.taps[r] for r in (32, 64, 128, 256, 512)} == {32: 9, 64: 12, 128: 15, 256: 18, 512: 21}
    keys = net.state_dict()
    for key, shape in {"encoder.blocks.0.weight": (64, 3, 3, 3), "quantize.embedding.weight": (1024, 256),
                       "position_emb": (256, 512), "feat_emb.weight": (512, 256),
                       "ft_layers.8.self_attn.in_proj_weight": (1536, 512), "idx_pred_layer.1.weight": (1024, 512),
                       "fuse_convs_dict.32.encode_enc.conv_out.weight": (256, 512, 1, 1),
                       "fuse_convs_dict.256.scale.2.weight": (128, 128, 3, 3), "encoder.blocks.17.q.weight":
                       (512, 512, 1, 1), "generator.blocks.24.weight": (3, 64, 3, 3)}.items():
        assert tuple(keys[key].shape) == shape, key
    assert sum(p.numel() for p in net.parameters()) == pytest.approx(94.1e6, rel=0.01)  # the 376 MB release


def write_tiny(models, seed: int = 0):
    torch.manual_seed(seed)
    net = CodeFormer(**{k: tuple(v) if isinstance(v, list) else v for k, v in TINY.items()})
    for p in net.parameters():  # random, but not so large that a face turns to noise
        p.data.mul_(0.5)
    (models / "codeformer").mkdir(parents=True, exist_ok=True)
    torch.save({"params_ema": net.state_dict(), "atelier_config": TINY}, models / "codeformer" / "tiny.pth")
    return net


def test_codeformer_restores_inside_the_face_only_and_w_matters(astronaut, atelier_home, tmp_path):
    assert not backend_row("restore_face", "codeformer")["available"]
    write_tiny(atelier_home / "models")
    assert backend_row("restore_face", "codeformer")["available"]
    Image.fromarray(astronaut).save(tmp_path / "a.png")
    outs = []
    for w in (0.0, 1.0):
        res = run_tool("restore_face", {"image": tmp_path / "a.png"}, {"backend": "codeformer", "fidelity": w},
                       out_dir=tmp_path / f"o{w}").result
        assert res.ok, res.error
        assert res.backend == "codeformer" and res.backends["restore"] == "codeformer"
        outs.append(np.asarray(Image.open(res.artifacts["image"])))
    changed = np.any(outs[0] != astronaut, axis=-1)
    ys, xs = np.nonzero(changed)
    assert changed.any() and ys.min() > 40 and ys.max() < 230 and xs.min() > 140 and xs.max() < 320  # the face
    assert (outs[0] != outs[1]).any()  # the fidelity weight reaches the decoder


def test_a_checkpoint_of_another_layout_is_refused(astronaut, atelier_home, tmp_path):
    folder = atelier_home / "models" / "codeformer"
    folder.mkdir(parents=True)
    torch.save({"params_ema": {"some.weight": torch.zeros(3)}}, folder / "wrong.pth")
    Image.fromarray(astronaut).save(tmp_path / "a.png")
    res = run_tool("restore_face", {"image": tmp_path / "a.png"}, {"backend": "codeformer"},
                   out_dir=tmp_path / "o").result
    assert not res.ok and res.error.code == "BACKEND_UNAVAILABLE" and "wrong.pth" in res.error.message
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
