"""The fifth (blind) held-out split's sources: each new pack keeps its licence, and no sprite of heldout5 is
one of another split's."""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals" / "sprite"))
from make_cases import DATA, sources  # noqa: E402

PACKS = {
    # folder: the files that state the pack's licence and author
    "sevensoul_rpg_icons": ("upstream_CREDITS.md",),
    "kenney_pixel_ui": ("License.txt",),
    "luizmelo_martial_hero": ("License.txt", "upstream_README.md"),
}
OTHERS = ("tune", "heldout", "heldout2", "heldout3", "heldout4")


@functools.cache
def packs(split: str) -> dict[str, list[np.ndarray]]:
    return sources(split)


def digests(split: str) -> set[str]:
    # the shape too: two sprites are equal as arrays only if their shapes and pixels both are
    return {hashlib.sha256(str(s.shape).encode() + np.ascontiguousarray(s).tobytes()).hexdigest()
            for pack in packs(split).values() for s in pack}


def test_each_new_pack_keeps_its_licence_file():
    for folder, files in PACKS.items():
        assert any((DATA / folder).glob("*.png")), folder
        for name in files:
            assert (DATA / folder / name).is_file(), f"{folder}/{name}"
    credits = (DATA / "sevensoul_rpg_icons" / "upstream_CREDITS.md").read_text()
    assert "7Soul1" in credits and "496-pixel-art-icons-for-medievalfantasy-rpg" in credits
    kenney = (DATA / "kenney_pixel_ui" / "License.txt").read_text()
    assert "Pixel UI pack" in kenney and "Creative Commons Zero, CC0" in kenney
    assert "Martial Hero Asset Pack is Creative Commons Zero (CC-0)" in (
        DATA / "luizmelo_martial_hero" / "License.txt").read_text()
    assert "luizmelo.itch.io/martial-hero" in (DATA / "luizmelo_martial_hero" / "upstream_README.md").read_text()


def test_the_fifth_held_out_split_shares_no_sprite_with_the_others():
    new = packs("heldout5")
    assert set(new) == set(PACKS)
    assert len(new["sevensoul_rpg_icons"]) > 600 and len(new["kenney_pixel_ui"]) > 900
    assert len(new["luizmelo_martial_hero"]) >= 40
    assert all(min(s.shape[:2]) >= 16 and max(s.shape[:2]) <= 192 for pack in new.values() for s in pack)
    assert not digests("heldout5") & set().union(*(digests(split) for split in OTHERS))
    # the same check pixel by pixel, for sprites of one shape
    by_shape: dict[tuple[int, ...], list[np.ndarray]] = {}
    for split in OTHERS:
        for pack in packs(split).values():
            for s in pack:
                by_shape.setdefault(s.shape, []).append(s)
    stacks = {shape: np.stack(group) for shape, group in by_shape.items()}
    for pack in new.values():
        for s in pack:
            if s.shape in stacks:
                assert not (stacks[s.shape] == s).all(axis=(1, 2, 3)).any()
