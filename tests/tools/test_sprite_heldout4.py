"""The fourth (blind) held-out split's sources: each new pack keeps its licence, and no sprite of heldout4 is
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
    # folder: the file that states the pack's licence and author
    "superpowers_rpg_battle": ("LICENSE.txt", "upstream_README.md"),
    "antifarea_18x20": ("upstream_README.md",),
    "rcorre_items": ("upstream_SOURCES.md",),
}
OTHERS = ("tune", "heldout", "heldout2", "heldout3")


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
    assert "CC0 1.0 Universal" in (DATA / "superpowers_rpg_battle" / "LICENSE.txt").read_text()
    assert "Pixel-boy" in (DATA / "superpowers_rpg_battle" / "upstream_README.md").read_text()
    assert "CC BY 3.0 by Antifarea" in (DATA / "antifarea_18x20" / "upstream_README.md").read_text()
    rcorre = (DATA / "rcorre_items" / "upstream_SOURCES.md").read_text()
    assert "ice-insignia" in rcorre and "rcorre" in rcorre


def test_the_fourth_held_out_split_shares_no_sprite_with_the_others():
    new = packs("heldout4")
    assert set(new) == set(PACKS)
    assert len(new["superpowers_rpg_battle"]) > 500 and len(new["antifarea_18x20"]) > 1000
    assert len(new["rcorre_items"]) > 50
    assert all(min(s.shape[:2]) >= 16 and max(s.shape[:2]) <= 192 for pack in new.values() for s in pack)
    assert not digests("heldout4") & set().union(*(digests(split) for split in OTHERS))
    # the same check pixel by pixel, for sprites of one shape
    by_shape: dict[tuple[int, ...], list[np.ndarray]] = {}
    for split in OTHERS:
        for pack in packs(split).values():
            for s in pack:
                by_shape.setdefault(s.shape, []).append(s)
    for pack in new.values():
        for s in pack:
            assert not any(np.array_equal(o, s) for o in by_shape.get(s.shape, []))
