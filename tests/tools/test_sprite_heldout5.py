"""The fifth (blind) held-out split's sources: each new pack keeps its licence, and no sprite of heldout5 is
one of another split's."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals" / "sprite"))
from make_cases import DATA  # noqa: E402
from split_overlap import packs, pixel_twins, shared_digests  # noqa: E402

PACKS = {
    # folder: the files that state the pack's licence and author
    "sevensoul_rpg_icons": ("upstream_CREDITS.md",),
    "kenney_pixel_ui": ("License.txt",),
    "luizmelo_martial_hero": ("License.txt", "upstream_README.md"),
}
OTHERS = ("tune", "heldout", "heldout2", "heldout3", "heldout4")


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
    assert not shared_digests("heldout5", OTHERS)
    assert pixel_twins("heldout5", OTHERS) == 0  # the same check pixel by pixel
