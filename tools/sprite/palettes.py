"""Named palettes, written out from their published colour lists, and the snapping that uses them.

- ``pico-8``: the PICO-8 fantasy console's 16 colours (indices 0-15).
- ``nes``: the 55 distinct colours of the common 64-entry NES (2C02) RGB table, the table's order kept and
  its repeated blacks dropped (the list Lospec publishes as "Nintendo Entertainment System").
- ``game-boy``: the original Game Boy's four greens, darkest first.
- ``endesga-32``: ENDESGA's 32-colour palette, in its published order.
"""

from __future__ import annotations

import numpy as np

_PICO8 = ("000000 1d2b53 7e2553 008751 ab5236 5f574f c2c3c7 fff1e8 "
          "ff004d ffa300 ffec27 00e436 29adff 83769c ff77a8 ffccaa")
_NES = ("7c7c7c 0000fc 0000bc 4428bc 940084 a80020 a81000 881400 503000 007800 006800 005800 004058 000000 "
        "bcbcbc 0078f8 0058f8 6844fc d800cc e40058 f83800 e45c10 ac7c00 00b800 00a800 00a844 008888 "
        "f8f8f8 3cbcfc 6888fc 9878f8 f878f8 f85898 f87858 fca044 f8b800 b8f818 58d854 58f898 00e8d8 787878 "
        "fcfcfc a4e4fc b8b8f8 d8b8f8 f8b8f8 f8a4c0 f0d0b0 fce0a8 f8d878 d8f878 b8f8b8 b8f8d8 00fcfc f8d8f8")
_GAME_BOY = "0f380f 306230 8bac0f 9bbc0f"
_ENDESGA32 = ("be4a2f d77643 ead4aa e4a672 b86f50 733e39 3e2731 a22633 e43b44 f77622 feae34 fee761 "
              "63c74d 3e8948 265c42 193c3e 124e89 0099db 2ce8f5 ffffff c0cbdc 8b9bb4 5a6988 3a4466 "
              "262b44 181425 ff0044 68386c b55088 f6757a e8b796 c28569")

PALETTES: dict[str, tuple[str, ...]] = {
    "pico-8": tuple(_PICO8.split()),
    "nes": tuple(_NES.split()),
    "game-boy": tuple(_GAME_BOY.split()),
    "endesga-32": tuple(_ENDESGA32.split()),
}
ALIASES = {"pico8": "pico-8", "gameboy": "game-boy", "gb": "game-boy", "dmg": "game-boy",
           "endesga32": "endesga-32", "endesga": "endesga-32", "famicom": "nes"}


def palette_key(name: str) -> str | None:
    """The canonical palette name for ``name`` (case, spaces and underscores ignored), or ``None``."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in PALETTES:
        return key
    return ALIASES.get(key.replace("-", ""), ALIASES.get(key))


def hex_to_rgb(colours: tuple[str, ...] | list[str]) -> np.ndarray:
    """``["#rrggbb", ...]`` (with or without ``#``) -> uint8 array of shape (n, 3)."""
    return np.array([[int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)] for c in colours], np.uint8)


def named_palette(name: str) -> np.ndarray:
    """The colours of a named palette as a uint8 (n, 3) array.

    >>> named_palette("Game Boy").tolist()[0]
    [15, 56, 15]
    """
    key = palette_key(name)
    if key is None:
        raise ValueError(f"unknown palette {name!r}; named palettes: {', '.join(PALETTES)}")
    return hex_to_rgb(PALETTES[key])


BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) / 16.0 - 0.5


def snap_to(sprite: np.ndarray, palette: np.ndarray, dither: bool = False) -> np.ndarray:
    """Every sprite pixel becomes a palette colour; alpha is kept.

    Without ``dither`` each pixel takes its nearest colour, so a flat area stays flat. With ``dither``, a
    pixel lies at ``t`` along the segment from its nearest colour towards the colour whose segment passes
    closest to it, and takes that colour where a 4x4 ordered (Bayer) threshold is below ``t``: a regular
    mix of the two in that proportion.
    """
    h, w = sprite.shape[:2]
    rgb = sprite[..., :3].reshape(-1, 3).astype(np.float32)
    pal = palette.astype(np.float32)
    d = ((rgb[:, None, :] - pal[None, :, :]) ** 2).sum(axis=2)
    idx = np.argmin(d, axis=1)
    if dither and len(palette) > 1:
        c1 = pal[idx]
        seg = pal[None, :, :] - c1[:, None, :]  # (n, k, 3): from the nearest colour to each other one
        t = np.clip(((rgb - c1)[:, None, :] * seg).sum(axis=2) / np.maximum((seg ** 2).sum(axis=2), 1e-6), 0, 1)
        off = (((rgb - c1)[:, None, :] - t[..., None] * seg) ** 2).sum(axis=2)
        off[np.arange(len(idx)), idx] = np.inf
        toward = np.argmin(off, axis=1)  # the colour whose segment passes closest to the pixel
        share = t[np.arange(len(idx)), toward]
        threshold = (np.tile(BAYER4, (h // 4 + 1, w // 4 + 1))[:h, :w] + 0.5).reshape(-1)
        idx = np.where(share > threshold, toward, idx)
    out = sprite.copy()
    out[..., :3] = palette[idx].reshape(h, w, 3)
    return out
