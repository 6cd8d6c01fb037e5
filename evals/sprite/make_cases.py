"""Ground-truth cases for sprite reconstruction, from real CC0 sprites and sprites drawn in code.

Sources: Kenney "Tiny Battle" (CC0, ``shared/data/sprites``) cut into 16x16 tiles and 32x32 2x2 groups, plus
random blob sprites with small palettes. Each case is an upscaled, possibly corrupted image with its truth:
``cell_x``, ``cell_y`` (mean input pixels per sprite pixel), ``offset_x``, ``offset_y`` (first whole cell's
leading edge, in [0, cell)) and the sprite cells that are at least half visible.

Sprites whose visible part has fewer than two column or row boundaries are redrawn: no method can see a
grid in a flat image. Kinds: integer upscales 2-32x; non-integer scales; random crops (offsets) on every
case; and on top, one of clean / gaussian blur / JPEG q40-95 / noise / colour jitter / uneven ("AI") grids
with per-cell size jitter.

    .venv/bin/python evals/sprite/make_cases.py --out evals/sprite/cases --n 200 --seed 0
"""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHEET = REPO.parent / "shared" / "data" / "sprites" / "kenney_tiny_battle_tilemap_packed.png"
CORRUPTIONS = ("clean", "blur", "jpeg", "noise", "jitter", "uneven")
MAX_SIDE = 1024


@dataclass
class Truth:
    name: str
    source: str
    corruption: str
    cell_x: float
    cell_y: float
    offset_x: float
    offset_y: float
    sprite_w: int
    sprite_h: int


def kenney_sprites(sheet: Path) -> list[np.ndarray]:
    img = np.asarray(Image.open(sheet).convert("RGBA"))
    rows, cols = img.shape[0] // 16, img.shape[1] // 16
    out = []
    for r in range(rows):
        for c in range(cols):
            tile = img[r * 16:(r + 1) * 16, c * 16:(c + 1) * 16]
            if (tile[..., 3] > 0).mean() > 0.2 and len(np.unique(tile.reshape(-1, 4), axis=0)) >= 3:
                out.append(tile)
    for r in range(0, rows - 1, 2):
        for c in range(0, cols - 1, 2):
            out.append(img[r * 16:(r + 2) * 16, c * 16:(c + 2) * 16])
    return out


def blob_sprite(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random symmetric creature-like sprite with a 4-6 colour palette and a dark outline."""
    palette = rng.integers(30, 250, (rng.integers(3, 6), 3))
    half = (rng.random((size, (size + 1) // 2)) < 0.5).astype(np.uint8)
    half = cv2.morphologyEx(half, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))
    mask = np.concatenate([half, half[:, ::-1][:, size % 2:]], axis=1)[:, :size]
    idx = rng.integers(0, len(palette), (size, size))
    rgb = palette[idx].astype(np.uint8)
    outline = cv2.dilate(mask, np.ones((3, 3), np.uint8)) & (1 - mask)
    rgb[outline.astype(bool)] = (20, 20, 30)
    alpha = ((mask | outline) * 255).astype(np.uint8)
    return np.dstack([rgb, alpha])


def on_background(sprite: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    rgb = sprite[..., :3].copy()
    rgb[sprite[..., 3] < 128] = colour
    return rgb


def edges_for(n: int, scale: float, uneven: float, rng: np.random.Generator) -> np.ndarray:
    """Cell boundaries in output pixels: k*scale (nearest-neighbour upscale), or jittered widths."""
    if uneven <= 0:
        return np.ceil(np.arange(n + 1) * scale - 1e-9).astype(int)
    widths = scale * (1 + rng.uniform(-uneven, uneven, n))
    return np.round(np.concatenate([[0], np.cumsum(widths)])).astype(int)


def upscale(sprite: np.ndarray, xe: np.ndarray, ye: np.ndarray) -> np.ndarray:
    col = np.searchsorted(xe, np.arange(xe[-1]), side="right") - 1
    row = np.searchsorted(ye, np.arange(ye[-1]), side="right") - 1
    return sprite[row[:, None], col[None, :]]


def visible(edges: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, float]:
    """Cells at least half inside [lo, hi), and the first whole cell's leading edge relative to lo."""
    a, b = edges[:-1], edges[1:]
    inside = (np.minimum(b, hi) - np.maximum(a, lo)) >= (b - a) / 2
    first_whole = a[a >= lo][0] - lo
    return np.flatnonzero(inside), float(first_whole)


def make_case(rng: np.random.Generator, sprites: list[np.ndarray], i: int) -> tuple[np.ndarray, np.ndarray, Truth]:
    from_kenney = rng.random() < 0.75
    sprite = sprites[rng.integers(len(sprites))] if from_kenney else blob_sprite(rng, int(rng.choice([12, 16, 24])))
    corruption = CORRUPTIONS[i % len(CORRUPTIONS)]
    n = sprite.shape[0]
    integer = rng.random() < 0.5
    scale = float(rng.integers(2, 33)) if integer else float(np.round(rng.uniform(2.2, 31.5), 2))
    scale = min(scale, MAX_SIDE / n)
    rgb = on_background(sprite, tuple(int(v) for v in rng.integers(0, 256, 3)))
    uneven = 0.08 if corruption == "uneven" else 0.0
    xe, ye = edges_for(n, scale, uneven, rng), edges_for(n, scale, uneven, rng)
    big = upscale(rgb, xe, ye)
    # random crop on every side, less than one cell
    cx0, cy0 = (int(rng.integers(0, max(1, int(scale)))) for _ in range(2))
    cx1, cy1 = (int(rng.integers(0, max(1, int(scale)))) for _ in range(2))
    big = big[cy0: big.shape[0] - cy1, cx0: big.shape[1] - cx1]
    cols, off_x = visible(xe, cx0, xe[-1] - cx1)
    rows, off_y = visible(ye, cy0, ye[-1] - cy1)
    truth_sprite = rgb[rows[:, None], cols[None, :]]
    img = big.astype(np.float32)
    if corruption == "blur":
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.6, min(2.0, scale / 4 + 0.5)))
    elif corruption == "noise":
        img = img + rng.normal(0, rng.uniform(3, 10), img.shape)
    elif corruption == "jitter":
        shift = rng.uniform(-20, 20, 3)
        img, truth_sprite = img + shift, np.clip(truth_sprite + shift, 0, 255).round().astype(np.uint8)
    img = np.clip(img, 0, 255).round().astype(np.uint8)
    if corruption == "jpeg":
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=int(rng.integers(40, 96)))
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    truth = Truth(f"case{i:04d}", "kenney" if from_kenney else "blob", corruption,
                  float((xe[-1]) / n), float(ye[-1] / n), off_x, off_y, len(cols), len(rows))
    return img, truth_sprite, truth


def identifiable(sprite: np.ndarray) -> bool:
    """A grid can only be seen where colours change: at least two column and two row boundaries."""
    s = sprite.astype(np.int16)
    cols = int((np.abs(np.diff(s, axis=1)).max(axis=(0, 2)) > 0).sum())
    rows = int((np.abs(np.diff(s, axis=0)).max(axis=(1, 2)) > 0).sum())
    return cols >= 2 and rows >= 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "sprite" / "cases")
    parser.add_argument("--n", type=int, default=240)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", type=Path, default=SHEET)
    opts = parser.parse_args()
    rng = np.random.default_rng(opts.seed)
    sprites = kenney_sprites(opts.sheet)
    opts.out.mkdir(parents=True, exist_ok=True)
    truths = []
    for i in range(opts.n):
        img, sprite, truth = make_case(rng, sprites, i)
        while not identifiable(sprite):
            img, sprite, truth = make_case(rng, sprites, i)
        Image.fromarray(img).save(opts.out / f"{truth.name}.png")
        Image.fromarray(sprite).save(opts.out / f"{truth.name}.sprite.png")
        truths.append(asdict(truth))
    (opts.out / "truth.json").write_text(json.dumps(truths, indent=1))
    print(f"{opts.n} cases from {len(sprites)} Kenney sprites + drawn blobs -> {opts.out}")


if __name__ == "__main__":
    main()
