"""The style library's cards and references, and retrieval by artist, misspelling and nonsense."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atelier.knowledge.style_index import find_styles, fuzzy, named_scores
from atelier.knowledge.styles import REFERENCES, StyleLibrary, shipped_cards
from atelier.runs.invoke import call_tool
from atelier.tools.style.renderers import FAMILIES, accepted

MUST_HAVE = (
    "cyberpunk", "watercolor", "oil painting", "anime", "ukiyo-e", "steampunk", "vaporwave", "synthwave",
    "film noir", "pop art", "impressionism", "art deco", "art nouveau", "blueprint", "sepia vintage", "pixel art",
    "storybook pastel", "comic book", "charcoal", "stained glass", "gothic", "minimalist line art", "cozy autumn",
    "low poly", "psychedelic", "ink wash", "cubism", "pointillism", "graffiti", "neon noir",
)


def test_every_card_maps_to_a_family_with_parameters_it_takes():
    cards = {c.name: c for c in shipped_cards()}
    assert set(MUST_HAVE) <= set(cards) and len(cards) >= 50
    for card in cards.values():
        assert card.family in FAMILIES, card.name
        assert accepted(card.family, card.params)[1] == [], card.name
    assert all(cards[n].family != "transfer" for n in MUST_HAVE)


def test_references_exist_are_small_and_artworks_are_sourced():
    files = sorted(REFERENCES.iterdir())
    assert all(f.stat().st_size <= 150_000 for f in files)
    assert sum(f.stat().st_size for f in files) <= 12_000_000
    assert all(Path(c.image).exists() for c in shipped_cards())
    sources = (REFERENCES.parent / "SOURCES.md").read_text(encoding="utf-8")
    for f in files:
        if f.suffix == ".jpg":
            assert f"`{f.name}`" in sources, f.name


@pytest.mark.parametrize("query, style", [("make it look like a Van Gogh", "impressionism"),
                                          ("in the manner of Hokusai", "ukiyo-e"),
                                          ("something like Mondrian", "bauhaus")])
def test_artists_retrieve_their_style(atelier_home, query, style):
    library = StyleLibrary.load(atelier_home)
    assert find_styles(atelier_home, library, query, None, 3)[0].name == style


@pytest.mark.parametrize("query, style", [("grafitti", "graffiti"), ("cyberpnuk", "cyberpunk"),
                                          ("stained glas", "stained glass"), ("watercolr please", "watercolor"),
                                          ("anmie", "anime"), ("gotic", "gothic")])
def test_a_misspelled_name_matches(query, style):
    cards = list(shipped_cards())
    assert max(fuzzy(query, cards), key=fuzzy(query, cards).get) == style
    assert named_scores(query, cards)[style][0] < 0.9  # below an exact tag, above any embedding guess


def test_plain_words_are_not_fuzzy_matches():
    assert fuzzy("a photo of my cat on the sofa", list(shipped_cards())) == {}


def test_nonsense_is_no_match_with_near_misses(atelier_home):
    for query in ("qwzx blorft", "qwzx blorft vmmp"):
        r = call_tool("retrieve_style", {}, {"query": query})
        assert not r.ok and r.error.code == "NO_MATCH" and len(r.outputs["matches"]) == 3, query


def test_a_corrupt_reference_in_a_card_is_a_clear_error_and_the_library_stays_intact(atelier_home):
    styles = atelier_home / "styles"
    styles.mkdir(parents=True)
    (styles / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (styles / "broken.json").write_text(json.dumps({"name": "zorblax glaze", "description": "a broken card",
                                                    "image": str(styles / "broken.png")}))
    before = {f.name: f.stat().st_size for f in REFERENCES.iterdir()}
    bad = call_tool("retrieve_style", {}, {"query": "zorblax glaze"})
    assert not bad.ok and bad.error.code == "INVALID_IMAGE"
    assert "zorblax glaze" in bad.error.message and "cannot be read" in bad.error.message
    good = call_tool("retrieve_style", {}, {"query": "cyberpunk"})
    assert good.ok and good.outputs["chosen"]["name"] == "cyberpunk"
    assert {f.name: f.stat().st_size for f in REFERENCES.iterdir()} == before
    assert len(StyleLibrary.load(atelier_home).cards) == len(shipped_cards()) + 1


def test_edit_distance_counts_a_swap_as_one_edit():
    from atelier.knowledge.styles.wording import edit_distance

    assert edit_distance("anmie", "anime") == 1 and edit_distance("gotic", "gothic") == 1
    assert edit_distance("anime", "anime") == 0 and edit_distance("abc", "xyz") == 3


def test_tags_in_the_plural_match_and_the_style_covering_more_of_the_query_wins():
    cards = list(shipped_cards())
    scores = named_scores("rain slicked streets full of holograms and androids", cards)
    assert max(scores, key=lambda n: scores[n][0]) == "cyberpunk"  # "holograms" names a style, but in passing
    assert scores["hologram"][1] == "tag"
    assert named_scores("make it cyberpunk", cards)["cyberpunk"] == (1.0, "name")


def test_common_words_are_never_near_spellings():
    cards = list(shipped_cards())
    for query in ("soft pigment washes bleeding into wet paper with white paper showing through",  # not "witch"
                  "warm rust and mustard colours, a walk in the woods",  # not "16 colours"
                  "1960s consumer-culture prints, bold flat colours"):  # not "1920s", not "fall colours"
        assert fuzzy(query, cards) == {}, query


def test_a_word_inside_a_longer_near_spelling_does_not_count(atelier_home):
    cards = list(shipped_cards())
    assert "arctic frost" not in named_scores("winter hoilday", cards)  # "winter" is one of its tags
    library = StyleLibrary.load(atelier_home)
    assert find_styles(atelier_home, library, "winter hoilday", None, 3)[0].name == "winter holiday"


def test_a_tag_in_passing_adds_to_the_description_but_does_not_decide(atelier_home):
    library = StyleLibrary.load(atelier_home)
    alone = find_styles(atelier_home, library, "neon signs", None, 3)[0]
    assert (alone.name, alone.how) == ("cyberpunk", "tag")  # the whole query is a cyberpunk tag
    passing = find_styles(atelier_home, library, "rain-soaked night street lit by pink and blue neon signs, "
                          "detective silhouette, moody", None, 3)
    assert passing[0].name == "neon noir" and "cyberpunk" in [m.name for m in passing]


def test_a_near_tie_is_reported_as_unsure_naming_the_runner_up(atelier_home):
    sure = call_tool("retrieve_style", {}, {"query": "thick brush strokes on canvas"})
    assert sure.ok and sure.outputs["sure"] and sure.warnings == []
    tied = call_tool("retrieve_style", {}, {"query": "thick brush strokes on canvas", "margin": 1.0})
    second = tied.outputs["matches"][1]["name"]
    assert not tied.outputs["sure"] and f"nearly tied with {second}" in tied.warnings[0]
