"""Embedders: one small interface, one file per backend. Vectors come back L2-normalised (cosine = dot)."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class TextEmbedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...
