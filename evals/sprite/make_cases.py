"""Ground-truth cases for sprite reconstruction, from CC0 (two CC-BY 3.0) sprite packs and sprites drawn in code.

Six splits with disjoint sources (``data/SOURCES.md``):

- ``tune``: Kenney Tiny Battle, Kenney Tiny Dungeon, Nikoichu's 1-bit icons, and
  random blob sprites drawn in code; the only split anything was tuned on.
- ``heldout``: Clint Bellanger's Tiny Creatures, GrafxKid's characters/props/house and Dungeon Crawl Stone
  Soup's many-colour 32 px tiles; held out until round 4's final run, tuning data since round 5.
- ``heldout2``: 0x72's Dungeon Tileset II characters (16x16-32x36) and ansimuz's explosions (64-192 px
  frames, cropped to their content); built in round 5 before any tuning, never tuned on.
- ``heldout3``: Ninja Adventure's few-colour 38 px portraits, bosses (cut to 29-59 px) and monsters, Pixel
  Adventure 2's platformer enemies (16-84 px, cropped to their content) and Philipp Lenssen's 32 px
  Last Guardian characters; built in round 6 before any round-6 tuning, run once at the round's end.
- ``heldout4``: the Superpowers RPG Battle System pack's large battle characters, monsters, 93x94 facesets
  and items (20-192 px, monster/character frames cropped to their content), Antifarea's 18x20 top-down RPG
  characters (CC-BY 3.0) and rcorre's 32 px item icons; a blind split, built once and run once.
- ``heldout5``: 7Soul1's 496 many-colour 34 px RPG icons (and 2x2 groups, 68 px), Kenney's Pixel UI pack
  (few-colour 16 px UI tiles with the sheet's 2 px gaps taken out, and 2x2 / 3x3 groups: panels, buttons,
  arrows) and LuizMelo's Martial Hero (200x200 side-view frames cut to their content, 41-113 px); a blind
  split, built once and run once.

Sprites are single tiles and 2x2 / 4x4 groups of tiles (16-128 px). Every case is upscaled, cropped at
random and corrupted by one kind from ``atelier.tools.sprite.corrupt.KINDS``, in turn. Sprites whose
visible part has fewer than two column or row boundaries are drawn again.

    .venv/bin/python evals/sprite/make_cases.py --split tune --n 260 --seed 0
    .venv/bin/python evals/sprite/make_cases.py --split heldout --n 260 --seed 1000
    .venv/bin/python evals/sprite/make_cases.py --split heldout2 --n 260 --seed 2000
    .venv/bin/python evals/sprite/make_cases.py --split heldout3 --n 260 --seed 3000
    .venv/bin/python evals/sprite/make_cases.py --split heldout4 --n 260 --seed 4000
    .venv/bin/python evals/sprite/make_cases.py --split heldout5 --n 260 --seed 5000

Extra tuning cases of chosen kinds (never of the held-out split), e.g.
``--split tune --n 130 --seed 7 --kinds colour_noise jpeg ai_mix --out /tmp/extra``.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict
from pathlib import Path

import numpy as np
from PIL import Image

from atelier.tools.sprite.corrupt import KINDS, blob_sprite, identifiable, make_case, sheet_tiles

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "evals" / "sprite" / "data"
TINY_BATTLE = DATA / "kenney_tiny_battle" / "tilemap_packed.png"


def load_rgba(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGBA"))


def tiles_of(path: Path, size: int, groups: tuple[int, ...]) -> list[np.ndarray]:
    return sheet_tiles(load_rgba(path), size, size, groups)


def grafxkid_sprites(folder: Path) -> list[np.ndarray]:
    """Frames cut by the ``W_x_H`` in each file name; the house sheet holds two 112x96 houses."""
    out = []
    for path in sorted(folder.glob("*.png")):
        w, h = (int(v) for v in re.search(r"(\d+)_x_(\d+)", path.stem).groups())
        sheet = load_rgba(path)
        if path.stem.startswith("House"):
            out += [sheet[:h, :w], sheet[:h, -w:]]
        else:
            out += sheet_tiles(sheet, w, h, (1,), min_fill=0.1)
    return out


def content_box(sprite: np.ndarray, margin: int = 2) -> np.ndarray:
    """The sprite cut to its opaque pixels plus ``margin``: a big effect frame is mostly empty."""
    ys, xs = np.nonzero(sprite[..., 3] > 0)
    if not ys.size:
        return sprite
    return sprite[max(0, ys.min() - margin):ys.max() + 1 + margin, max(0, xs.min() - margin):xs.max() + 1 + margin]


def explosion_frames(folder: Path) -> list[np.ndarray]:
    """Square frames side by side in each sheet, each cut to its content."""
    out = []
    for path in sorted(folder.glob("explosion-*.png")):
        sheet = load_rgba(path)
        side = sheet.shape[0]
        out += [content_box(t) for t in sheet_tiles(sheet, side, side, (1,), min_fill=0.02)]
    return out


def dungeon_ii_sprites(folder: Path) -> list[np.ndarray]:
    """Each file is one character frame (16x16 to 32x36); frames 2x2 side by side make bigger sprites."""
    frames = [load_rgba(p) for p in sorted(folder.glob("*.png"))]
    out = [f for f in frames if f.shape[0] >= 16]
    by_shape: dict[tuple[int, ...], list[np.ndarray]] = {}
    for f in out:
        by_shape.setdefault(f.shape, []).append(f)
    for group in by_shape.values():
        for i in range(0, len(group) - 3, 4):
            a, b, c, d = group[i:i + 4]
            out.append(np.concatenate([np.concatenate([a, b], 1), np.concatenate([c, d], 1)], 0))
    return out


def distinct(sprites: list[np.ndarray]) -> list[np.ndarray]:
    """Each image once: packs repeat a frame (a still pose) or a portrait across folders."""
    seen: set[tuple] = set()
    out = []
    for s in sprites:
        key = (s.shape, np.ascontiguousarray(s).tobytes())
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def sized(sprites: list[np.ndarray], low: int = 16, high: int = 192) -> list[np.ndarray]:
    return [s for s in sprites if low <= min(s.shape[:2]) and max(s.shape[:2]) <= high]


def ninja_adventure_sprites(folder: Path) -> list[np.ndarray]:
    """Facesets (38x38 portraits), boss idle frames (square, the sheet's height, cut to their content) and
    2x2 groups of the monsters' 16 px frames (32x32)."""
    out = []
    for path in sorted(folder.glob("*.png")):
        sheet = load_rgba(path)
        if "Faceset" in path.stem:
            out.append(sheet)
        elif path.stem.startswith("Boss_"):
            side = sheet.shape[0]
            out += [content_box(t) for t in sheet_tiles(sheet, side, side, (1,), min_fill=0.05)]
        else:
            out += sheet_tiles(sheet, 16, 16, (2,))
    return sized(distinct(out))


def pixel_adventure_sprites(folder: Path) -> list[np.ndarray]:
    """Frames cut by the ``(WxH)`` in each file name, each cut to its content."""
    out = []
    for path in sorted(folder.glob("*.png")):
        w, h = (int(v) for v in re.search(r"\((\d+)x(\d+)\)", path.stem).groups())
        out += [content_box(t) for t in sheet_tiles(load_rgba(path), w, h, (1,), min_fill=0.05)]
    return sized(distinct(out))


def last_guardian_sprites(folder: Path) -> list[np.ndarray]:
    """Each file is one 32x32 frame (``name_{fr,rt,bk,lf}{1,2}``); a character's four first-step frames
    2x2 side by side make a 64x64 sprite."""
    frames = {p.stem: load_rgba(p) for p in sorted(folder.glob("*.png"))}
    out = list(frames.values())
    for name in sorted({k.split("_")[0] for k in frames}):
        quad = [frames.get(f"{name}_{d}1") for d in ("fr", "rt", "bk", "lf")]
        if all(q is not None and q.shape == (32, 32, 4) for q in quad):
            a, b, c, d = quad
            out.append(np.concatenate([np.concatenate([a, b], 1), np.concatenate([c, d], 1)], 0))
    return sized(distinct(out))


def superpowers_battle_sprites(folder: Path) -> list[np.ndarray]:
    """Sheets named ``...-WxH`` (or ``W-H``) are cut into frames of that size, each cut to its content;
    facesets, single poses and items are taken whole."""
    out = []
    for path in sorted(folder.glob("*.png")):
        size = re.search(r"(\d+)[x-](\d+)(?:-Copie)?$", path.stem)
        if size:
            w, h = int(size[1]), int(size[2])
            out += [content_box(t) for t in sheet_tiles(load_rgba(path), w, h, (1,), min_fill=0.02)]
        else:
            out.append(load_rgba(path))
    return sized(distinct(out))


def antifarea_sprites(folder: Path) -> list[np.ndarray]:
    """18x20 character frames, and 2x2 groups of them (36x40)."""
    return sized(distinct(sheet_tiles(load_rgba(folder / "antifarea_18x20chars.png"), 18, 20, (1, 2))))


def rcorre_item_sprites(folder: Path) -> list[np.ndarray]:
    """32 px item icons (thin diagonal weapons, so a low fill), and 2x2 groups of them (64 px)."""
    return sized(distinct(sheet_tiles(load_rgba(folder / "items.png"), 32, 32, (1, 2), min_fill=0.05)))


def sevensoul_icon_sprites(folder: Path) -> list[np.ndarray]:
    """Each file is one 34x34 icon; four consecutive icons (by file name) 2x2 side by side make a 68x68 sprite."""
    icons = [load_rgba(p) for p in sorted(folder.glob("*.png"))]
    groups = [np.concatenate([np.concatenate(icons[i:i + 2], 1), np.concatenate(icons[i + 2:i + 4], 1)], 0)
              for i in range(0, len(icons) - 3, 4)]
    return sized(distinct(icons + groups))


def without_gaps(sheet: np.ndarray, tile: int, gap: int) -> np.ndarray:
    """The sheet with the ``gap`` px between its ``tile`` px tiles taken out, so tiles touch."""
    rows, cols = ((n + gap) // (tile + gap) for n in sheet.shape[:2])
    ys = np.concatenate([np.arange(r * (tile + gap), r * (tile + gap) + tile) for r in range(rows)])
    xs = np.concatenate([np.arange(c * (tile + gap), c * (tile + gap) + tile) for c in range(cols)])
    return sheet[ys][:, xs]


def kenney_pixel_ui_sprites(folder: Path) -> list[np.ndarray]:
    """16 px UI tiles (2 px apart in the sheet), and 2x2 / 3x3 groups of them (32 / 48 px panels, buttons)."""
    sheet = without_gaps(load_rgba(folder / "UIpackSheet_transparent.png"), 16, 2)
    return sized(distinct(sheet_tiles(sheet, 16, 16, (1, 2, 3), min_fill=0.05)))


def martial_hero_sprites(folder: Path) -> list[np.ndarray]:
    """200x200 frames side by side in each animation sheet, each cut to its content."""
    out = []
    for path in sorted(folder.glob("*.png")):
        out += [content_box(t) for t in sheet_tiles(load_rgba(path), 200, 200, (1,), min_fill=0.01)]
    return sized(distinct(out))


def sources(split: str) -> dict[str, list[np.ndarray]]:
    if split == "tune":
        icons = [t for p in sorted((DATA / "nikoichu_1bit_icons").glob("*.png")) for t in tiles_of(p, 16, (1, 2))]
        return {"kenney_tiny_battle": tiles_of(TINY_BATTLE, 16, (1, 2)),
                "kenney_tiny_dungeon": tiles_of(DATA / "kenney_tiny_dungeon" / "tilemap_packed.png", 16, (1, 2, 4)),
                "nikoichu_1bit_icons": icons, "blob": []}
    if split == "heldout5":
        return {"sevensoul_rpg_icons": sevensoul_icon_sprites(DATA / "sevensoul_rpg_icons"),
                "kenney_pixel_ui": kenney_pixel_ui_sprites(DATA / "kenney_pixel_ui"),
                "luizmelo_martial_hero": martial_hero_sprites(DATA / "luizmelo_martial_hero")}
    if split == "heldout4":
        return {"superpowers_rpg_battle": superpowers_battle_sprites(DATA / "superpowers_rpg_battle"),
                "antifarea_18x20": antifarea_sprites(DATA / "antifarea_18x20"),
                "rcorre_items": rcorre_item_sprites(DATA / "rcorre_items")}
    if split == "heldout3":
        return {"ninja_adventure": ninja_adventure_sprites(DATA / "ninja_adventure"),
                "pixel_adventure_2": pixel_adventure_sprites(DATA / "pixel_adventure_2"),
                "last_guardian": last_guardian_sprites(DATA / "last_guardian")}
    if split == "heldout2":
        return {"dungeon_tileset_ii": dungeon_ii_sprites(DATA / "dungeon_tileset_ii"),
                "ansimuz_explosions": explosion_frames(DATA / "ansimuz_explosions")}
    return {"tiny_creatures": tiles_of(DATA / "tiny_creatures" / "tilemap_packed.png", 16, (1, 2)),
            "grafxkid": grafxkid_sprites(DATA / "grafxkid"),
            "dcss": tiles_of(DATA / "dcss_tiles" / "sheet_32.png", 32, (1, 2))}


def pick(rng: np.random.Generator, pool: dict[str, list[np.ndarray]]) -> tuple[str, np.ndarray]:
    names = list(pool)
    name = names[int(rng.integers(len(names)))]
    if not pool[name]:
        return name, blob_sprite(rng, int(rng.choice([12, 16, 24])))
    return name, pool[name][int(rng.integers(len(pool[name])))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", required=True,
                        choices=("tune", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"))
    parser.add_argument("--out", type=Path, default=None, help="default evals/sprite/cases/SPLIT")
    parser.add_argument("--n", type=int, default=260)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS),
                        help="corruptions to cycle through (more cases of failing kinds, for tuning)")
    opts = parser.parse_args()
    out = opts.out or REPO / "evals" / "sprite" / "cases" / opts.split
    rng = np.random.default_rng(opts.seed)
    pool = sources(opts.split)
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for i in range(opts.n):
        kind = opts.kinds[i % len(opts.kinds)]
        while True:
            source, sprite = pick(rng, pool)
            img, truth_sprite, truth = make_case(sprite, kind, rng)
            if identifiable(truth_sprite):
                break
        name = f"{opts.split}{i:04d}"
        Image.fromarray(img).save(out / f"{name}.png")
        Image.fromarray(truth_sprite).save(out / f"{name}.sprite.png")
        truths.append({"name": name, "source": source, **asdict(truth)})
    (out / "truth.json").write_text(json.dumps(truths, indent=1))
    counts = {k: len(v) for k, v in pool.items()}
    print(f"{opts.n} {opts.split} cases from {counts} -> {out}")


if __name__ == "__main__":
    main()
