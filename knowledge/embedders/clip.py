"""open_clip CLIP from a local folder: text and images in one space.

``ATELIER_MODELS/clip/config.json`` names the architecture — an open_clip model name such as
``{"model": "ViT-B-32"}``, or a custom one with its config, ``{"model": "name", "model_cfg": {...}}`` — and
the weights file (``"weights"``, default ``open_clip_model.pt``, a state dict). Nothing is downloaded.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np


class ClipEmbedder:
    name = "clip"

    def __init__(self, folder: Path):
        import open_clip
        import torch
        from open_clip import factory
        from PIL import Image  # noqa: F401 - preprocess works on PIL images

        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        model_name = cfg["model"]
        if "model_cfg" in cfg:  # open_clip reads architectures from this table; a custom one is added to it
            factory._MODEL_CONFIGS[model_name] = cfg["model_cfg"]
        weights = folder / cfg.get("weights", "open_clip_model.pt")
        if not weights.is_file():
            raise FileNotFoundError(f"no CLIP weights at {weights}")
        model, _, preprocess = open_clip.create_model_and_transforms(model_name, pretrained=None)
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        self.model = model.eval()
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(model_name)
        self.dim = int(cfg.get("model_cfg", {}).get("embed_dim") or model.text_projection.shape[-1])
        self._torch = torch

    def _norm(self, x) -> np.ndarray:
        x = x.float()
        return (x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)).numpy().astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._torch.inference_mode():
            return self._norm(self.model.encode_text(self.tokenizer(list(texts))))

    def encode_images(self, images: list[np.ndarray]) -> np.ndarray:
        from PIL import Image

        batch = self._torch.stack([self.preprocess(Image.fromarray(im[..., :3])) for im in images])
        with self._torch.inference_mode():
            return self._norm(self.model.encode_image(batch))


@functools.lru_cache(maxsize=2)
def load_clip(folder: str, mtime_ns: int) -> ClipEmbedder:
    return ClipEmbedder(Path(folder))
