"""The shipped library's reference images.

    .venv/bin/python -m atelier.tools.style.references     # (re)renders every card without an artwork

A card whose ``reference`` is a public-domain artwork (listed in ``knowledge/styles/SOURCES.md``) keeps that
file; every other card's reference is the style's own renderer with the card's palette applied to four
crops, tiled 2 x 2: two photos (``samples/``, public domain or CC0) and plain pencil sketches of them (``pencil``),
so the reference shows what the style does to a photo and to a drawing. Varied content is what lets the
style's signature (palette, marks, texture) dominate the reference rather than the one photo it was made
from. The photos are not the ones the style eval (``evals/style/run_styles.py``) renders, so its blind
recognisability check never matches an output to a reference of the same picture.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .palette import is_line_art
from .renderers import apply
from .renderers.common import hex_palette

REPO = Path(__file__).resolve().parents[2]
SAMPLES = ("rocket.jpg", "camera.png")  # disjoint from the eval's astronaut, coffee and chelsea
SIZE = 256


def square(rgb: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Centre crop to a square, resized to ``size`` px."""
    h, w = rgb.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return cv2.resize(rgb[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)


def pencil(rgb: np.ndarray, sigma: float = 6.0) -> np.ndarray:
    """A plain pencil sketch of a photo (colour dodge of the grey image by its blurred negative, darkened a
    little), for the references' drawing tiles: enough to show what a style does to a drawing."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    blur = cv2.GaussianBlur(255.0 - grey, (0, 0), sigma)
    dodge = np.clip(grey * 255.0 / np.maximum(255.0 - blur, 1.0), 0, 255) / 255.0
    return np.dstack([(dodge ** 2.2 * 255.0 + 0.5).astype(np.uint8)] * 3)


def render_reference(family: str, params: dict, palette_hex: tuple[str, ...], photo: np.ndarray,
                     seed: int) -> np.ndarray:
    """The family and parameters on ``photo`` (or a sketch) with the card's palette."""
    img = photo
    return apply(family, img, hex_palette(list(palette_hex)), params, seed=seed, line_art=is_line_art(img))


def random_crop(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A square crop of 75-100 % of the short side at a random place, mirrored half the time."""
    h, w = rgb.shape[:2]
    side = int(min(h, w) * rng.uniform(0.75, 1.0))
    y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    crop = rgb[y:y + side, x:x + side]
    return crop[:, ::-1] if rng.random() < 0.5 else crop


def busiest_window(rgb: np.ndarray, side: int) -> tuple[int, int]:
    """Top-left corner of the ``side``-px window (of the four quadrants and the centre) with the most
    going on (spread of grey plus chroma): the part of a photo that is not an empty sky."""
    h, w = rgb.shape[:2]
    spots = [(0, 0), (0, w - side), (h - side, 0), (h - side, w - side), ((h - side) // 2, (w - side) // 2)]
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)

    def busy(y: int, x: int) -> float:
        win = lab[y:y + side, x:x + side]
        return float(win[..., 0].std() + np.hypot(win[..., 1] - 128, win[..., 2] - 128).mean())

    return max(spots, key=lambda yx: busy(*yx))


def render_tile(family: str, params: dict, palette_hex: tuple[str, ...], photo: np.ndarray, seed: int) -> np.ndarray:
    """One quarter of a reference: the style rendered at ``2 * SIZE`` px, its busiest half-side window kept
    and shrunk to ``SIZE / 2`` px. The marks (lines, dots, facets, washes) scale with the rendered side, so a
    tile cut this way shows them at the size they have, relative to the whole picture, in a full
    ``SIZE``-px render: a tile shrunk from a whole render would show them at half that size, and a
    descriptor that measures texture would see a different technique."""
    img = square(photo, 2 * SIZE)
    out = render_reference(family, params, palette_hex, img, seed)
    y, x = busiest_window(img, SIZE)
    return cv2.resize(out[y:y + SIZE, x:x + SIZE], (SIZE // 2, SIZE // 2), interpolation=cv2.INTER_AREA)


def render_collage(family: str, params: dict, palette_hex: tuple[str, ...], photos: list[np.ndarray],
                   seed: int) -> np.ndarray:
    """A card's reference: the style on four crops (one of each of ``photos``: photos and their sketches),
    each a ``render_tile``, tiled 2 x 2 into one ``SIZE``-px image."""
    rng = np.random.default_rng(seed)
    picks = rng.permutation(len(photos))[:4]
    tiles = [render_tile(family, params, palette_hex, random_crop(photos[int(i)], rng), seed + k)
             for k, i in enumerate(picks)]
    return np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:])])


def import_artwork(source: Path, target: Path, side: int = 320, quality: int = 85) -> Path:
    """Copy a public-domain artwork into the library: long side ``side`` px, baseline JPEG."""
    img = Image.open(source).convert("RGB")
    img.thumbnail((side, side), Image.LANCZOS)
    img.save(target, format="JPEG", quality=quality, optimize=True)
    return target


def save_small_png(rgb: np.ndarray, target: Path, limit: int = 140_000) -> Path:
    """Save a PNG, palette-quantised to 256 colours when the full-colour file would exceed ``limit`` bytes."""
    img = Image.fromarray(rgb)
    img.save(target, optimize=True)
    for colours in (256, 96, 32):
        if target.stat().st_size <= limit:
            break
        img.quantize(colours, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target


def main() -> None:
    from atelier.knowledge.styles import REFERENCES, shipped_cards
    photos = [np.asarray(Image.open(REPO / "samples" / name).convert("RGB")) for name in SAMPLES]
    photos += [pencil(p) for p in photos]
    made = 0
    for card in shipped_cards():
        path = Path(card.image)
        if path.suffix.lower() == ".jpg":
            continue
        seed = zlib.crc32(card.name.encode())
        out = render_collage(card.family, card.params, card.palette, photos, seed)
        save_small_png(out, REFERENCES / path.name)
        made += 1
    print(f"{made} references rendered into {REFERENCES}")


if __name__ == "__main__":
    main()
