"""The CLIP embedder's real loading and encoding path, on a tiny random open_clip model built here."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import SAMPLES
from PIL import Image

from atelier.knowledge.styles import shipped_cards
from atelier.runs.invoke import call_tool

TINY = {"embed_dim": 32, "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "patch_size": 8, "head_width": 32},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2}}


@pytest.fixture
def tiny_clip(atelier_home):
    import open_clip
    from open_clip import factory

    factory._MODEL_CONFIGS["atelier-test-tiny"] = TINY
    torch.manual_seed(0)
    model = open_clip.create_model("atelier-test-tiny", pretrained=None)
    folder = atelier_home / "models" / "clip"
    folder.mkdir(parents=True)
    torch.save(model.state_dict(), folder / "open_clip_model.pt")
    (folder / "config.json").write_text(json.dumps({"model": "atelier-test-tiny", "model_cfg": TINY}))
    return folder


def test_tiny_clip_loads_and_encodes_text_and_images_in_one_space(tiny_clip):
    from atelier.knowledge.embedders.clip import ClipEmbedder

    clip = ClipEmbedder(tiny_clip)
    texts = clip.encode(["a neon city", "a watercolor garden"])
    images = clip.encode_images([np.asarray(Image.open(SAMPLES / "coffee.png").convert("RGB"))])
    assert texts.shape == (2, 32) and images.shape == (1, 32) and clip.dim == 32
    assert np.allclose(np.linalg.norm(texts, axis=1), 1, atol=1e-5)
    assert np.allclose(clip.encode(["a neon city"]), texts[:1], atol=1e-6)  # deterministic
    assert abs(float(texts[0] @ images[0])) <= 1.0


def test_doctor_and_retrieval_switch_to_clip_when_configured(tiny_clip, atelier_home, monkeypatch):
    from atelier.agent.doctor import doctor
    from atelier.core.config import load_settings

    row = next(r for r in doctor(load_settings()) if r.backend == "clip")
    assert row.available and not row.default  # present, but MiniLM stays the default until chosen
    monkeypatch.setenv("ATELIER_BACKEND_EMBEDDINGS", "clip")
    card = next(c for c in shipped_cards() if c.name == "ukiyo-e")
    r = call_tool("retrieve_style", {"image": card.image}, {})
    assert r.ok and r.backend == "clip" and r.backends == {"embeddings": "clip"}
    assert r.outputs["chosen"]["name"] == "ukiyo-e" and r.outputs["chosen"]["score"] > 0.999  # itself
    named = call_tool("retrieve_style", {}, {"query": "cyberpunk"})
    assert named.outputs["chosen"] == {**named.outputs["chosen"], "name": "cyberpunk", "match": "name"}
