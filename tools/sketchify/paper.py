"""Paper: light, flat parts of the photo, where nothing is drawn.

design.md defines a sketch's paper as the pixels whose input 7x7 local standard deviation is below 4 gray
levels *and* whose tone the tone map sends to paper. A flat dark region is not paper: it is drawn in
graphite. The line layer is gated by texture alone (``paper_gate``: a flat region has no edges to draw, so
noise there never becomes specks); the tone decides the rest.
"""

from __future__ import annotations

import cv2
import numpy as np

from .tone import ToneParams, tone_map

PAPER_WINDOW = 7
PAPER_STD = 4.0  # below this spread (gray levels) a 7x7 window is flat
INK_STD = 8.0  # from this spread on, lines keep their full darkness


def local_std(gray: np.ndarray, size: int = PAPER_WINDOW) -> np.ndarray:
    """Standard deviation of each ``size`` x ``size`` window, float32.

    Examples
    --------
    >>> float(local_std(np.full((9, 9), 40, np.uint8)).max())
    0.0
    """
    g = gray.astype(np.float32)
    mean = cv2.blur(g, (size, size), borderType=cv2.BORDER_REFLECT)
    sq = cv2.blur(g * g, (size, size), borderType=cv2.BORDER_REFLECT)
    return np.sqrt(np.maximum(sq - mean * mean, 0.0))


def flat_mask(gray: np.ndarray) -> np.ndarray:
    """Pixels whose input 7x7 local standard deviation is below 4 gray levels."""
    return local_std(gray) < PAPER_STD


def paper_mask(gray: np.ndarray, tone: np.ndarray | None = None, params: ToneParams = ToneParams()) -> np.ndarray:
    """Paper pixels: flat in the input and light enough that the tone map sends them to paper.

    ``tone`` is the sketch's pencil tone in [0, 1] when known; otherwise the default tone map is used.

    Examples
    --------
    >>> g = np.full((40, 40), 230, np.uint8); g[:, 20:] = 10  # a light wall beside a flat black coat
    >>> m = paper_mask(g)
    >>> bool(m[:, :15].all()), bool(m[:, 25:].any())
    (True, False)
    """
    if tone is None:
        tone = tone_map(gray, params)
    return flat_mask(gray) & (tone >= np.float32(params.paper))


def paper_gate(gray: np.ndarray, paper_std: float = PAPER_STD, ink_std: float = INK_STD) -> np.ndarray:
    """How much line a pixel may carry: 0 where the photo is flat, rising smoothly to 1 where it has texture.

    Examples
    --------
    >>> g = np.zeros((20, 20), np.uint8); g[:, 10:] = 200
    >>> gate = paper_gate(g)
    >>> float(gate[10, 2]), float(gate[10, 10])
    (0.0, 1.0)
    """
    t = np.clip((local_std(gray) - np.float32(paper_std)) / np.float32(ink_std - paper_std), 0.0, 1.0)
    return t * t * (np.float32(3.0) - np.float32(2.0) * t)
