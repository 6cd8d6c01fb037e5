"""The fourth (blind) held-out split's sources: each new pack keeps its licence, and no sprite of heldout4 is
one of another split's."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals" / "sprite"))
from make_cases import DATA  # noqa: E402
from split_overlap import packs, pixel_twins, shared_digests  # noqa: E402

PACKS = {
    # folder: the file that states the pack's licence and author
    "superpowers_rpg_battle": ("LICENSE.txt", "upstream_README.md"),
    "antifarea_18x20": ("upstream_README.md",),
    "rcorre_items": ("upstream_SOURCES.md",),
}
OTHERS = ("tune", "heldout", "heldout2", "heldout3")


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
    assert not shared_digests("heldout4", OTHERS)
    assert pixel_twins("heldout4", OTHERS) == 0  # the same check pixel by pixel
