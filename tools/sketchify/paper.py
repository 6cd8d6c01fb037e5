"""Paper: where the photo has no texture there is nothing to draw.

design.md defines a sketch's paper as the pixels whose input 7x7 local standard deviation is below 4 gray
levels. The pipeline uses the same definition to keep that paper blank (``paper_gate``), and the metrics
use it to measure how blank it stayed.
"""

from __future__ import annotations

import cv2
import numpy as np

PAPER_WINDOW = 7
PAPER_STD = 4.0  # below this spread (gray levels) a 7x7 window is paper
INK_STD = 8.0  # from this spread on, strokes keep their full darkness


def local_std(gray: np.ndarray, size: int = PAPER_WINDOW) -> np.ndarray:
    """Standard deviation of each ``size`` x ``size`` window, float32."""
    g = gray.astype(np.float32)
    mean = cv2.blur(g, (size, size), borderType=cv2.BORDER_REFLECT)
    sq = cv2.blur(g * g, (size, size), borderType=cv2.BORDER_REFLECT)
    return np.sqrt(np.maximum(sq - mean * mean, 0.0))


def paper_mask(gray: np.ndarray) -> np.ndarray:
    """Pixels whose input 7x7 local standard deviation is below 4 gray levels."""
    return local_std(gray) < PAPER_STD


def paper_gate(gray: np.ndarray, paper_std: float = PAPER_STD, ink_std: float = INK_STD) -> np.ndarray:
    """How much ink a pixel may carry: 0 on paper, rising smoothly to 1 where the photo has texture.

    >>> g = np.zeros((20, 20), np.uint8); g[:, 10:] = 200
    >>> gate = paper_gate(g)
    >>> float(gate[10, 2]), float(gate[10, 10])
    (0.0, 1.0)
    """
    t = np.clip((local_std(gray) - np.float32(paper_std)) / np.float32(ink_std - paper_std), 0.0, 1.0)
    return t * t * (np.float32(3.0) - np.float32(2.0) * t)


def apply_paper(tone: np.ndarray, gate: np.ndarray) -> np.ndarray:
    """Fade ink towards white paper by ``1 - gate``; gate 1 keeps the tone, gate 0 gives 255."""
    return np.float32(255.0) - gate * (np.float32(255.0) - tone.astype(np.float32))
