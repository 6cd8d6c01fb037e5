"""Plain-English names for colours, and a figure's dominant palette."""

from __future__ import annotations

import functools

import numpy as np

NAMED: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0), "dark gray": (64, 64, 64), "gray": (128, 128, 128), "silver": (192, 192, 192),
    "white": (255, 255, 255), "red": (200, 30, 30), "dark red": (120, 10, 20), "orange": (240, 130, 20),
    "gold": (255, 200, 30), "yellow": (250, 240, 90), "blonde": (255, 240, 150), "beige": (230, 210, 170),
    "tan": (200, 160, 110), "brown": (120, 70, 30), "dark brown": (70, 40, 20), "green": (50, 160, 60),
    "dark green": (20, 80, 30), "olive": (120, 130, 50), "teal": (30, 130, 130), "cyan": (60, 210, 220),
    "light blue": (140, 190, 240), "blue": (40, 80, 210), "navy": (20, 30, 90), "blue-gray": (99, 133, 150),
    "purple": (120, 50, 160), "violet": (170, 110, 230), "pink": (250, 120, 180), "light pink": (250, 200, 210),
    "magenta": (220, 40, 180), "peach": (250, 190, 150),
}
_NAMES = list(NAMED)


def _lab(rgb) -> np.ndarray:
    import cv2

    lab = cv2.cvtColor(np.asarray(rgb, np.uint8).reshape(-1, 1, 3), cv2.COLOR_RGB2LAB)
    return lab.reshape(-1, 3).astype(np.float32)


@functools.cache
def _named_lab() -> np.ndarray:
    return _lab(np.array(list(NAMED.values())))


def colour_name(rgb) -> str:
    """The nearest named colour in Lab space.

    >>> colour_name((99, 133, 150)), colour_name((250, 250, 250)), colour_name((10, 30, 200))
    ('blue-gray', 'white', 'blue')
    """
    return colour_names([rgb])[0]


def colour_names(rgbs) -> list[str]:
    """``colour_name`` of many colours; each colour is named once per process (punks share a small palette,
    so a batch of thousands converts a few hundred colours)."""
    return [_named(tuple(int(c) for c in rgb)) for rgb in np.asarray(rgbs).reshape(-1, 3)]


@functools.lru_cache(maxsize=65536)
def _named(rgb: tuple[int, int, int]) -> str:
    d = ((_named_lab() - _lab(np.array(rgb))[0]) ** 2).sum(axis=1)
    return _NAMES[int(d.argmin())]


def hex_of(rgb) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in rgb[:3])


def palette(rgba: np.ndarray, k: int = 5) -> list[dict]:
    """The figure's most common colours (background excluded), with names and shares.

    Colours closer than a few levels are merged first, so JPEG noise does not split one colour into many.
    """
    px = rgba[rgba[..., 3] >= 64][:, :3].astype(np.int64)
    if not len(px):
        return []
    keys = (px // 12) @ np.array([1 << 10, 1 << 5, 1])
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    top = np.argsort(-counts, kind="stable")[:k]
    sums = np.stack([np.bincount(inverse, weights=px[:, ch], minlength=len(counts)) for ch in range(3)], axis=1)
    colours = (sums[top] / counts[top, None]).round().astype(int)
    return [{"name": name, "hex": hex_of(colour), "share": round(float(counts[idx]) / len(px), 3)}
            for idx, colour, name in zip(top, colours, colour_names(colours), strict=True)]
