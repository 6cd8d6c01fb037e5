"""How a query's words meet the style cards: tokens, phrase matches, near spellings and IDF overlap, on a
small library whose answers are known."""

from __future__ import annotations

import numpy as np

from atelier.knowledge.style_index import TextVectors, semantic_scores
from atelier.knowledge.styles.wording import Lexicon, content_letters, fold, singular, tokens

NAMES = ["stained glass", "ukiyo-e", "steampunk", "halloween"]
PHRASES = [("cathedral window", "lead lines"), ("hokusai", "great wave"), ("brass goggles", "neon sign"),
           ("witch", "pumpkins")]
DESCRIPTIONS = ["Jewel-toned glass cells in dark lead.", "Japanese woodblock print.", "Gears and copper pipes.",
                "Witches and bats in orange and black."]
TEXTS = [f"{n}. {d} {', '.join(p)}" for n, d, p in zip(NAMES, DESCRIPTIONS, PHRASES, strict=True)]  # as cards
LEX = Lexicon(NAMES, PHRASES, TEXTS)


def cards_hit(hits) -> list[str]:
    return sorted({NAMES[h.card] for h in hits})


def test_words_are_folded_and_singular():
    assert fold("Gaudí's Brontë") == "gaudi's bronte"
    assert [singular(w) for w in ("signs", "glasses", "glass", "cities", "gas", "waves")] == [
        "sign", "glass", "glass", "city", "gas", "wave"]
    assert [t.word for t in tokens("Neon-Signs, ERTÉ!")] == ["neon", "sign", "erte"]


def test_phrases_match_whole_words_plurals_and_joined_spellings():
    assert cards_hit(LEX.exact("a window of stainedglass")) == ["stained glass"]
    assert cards_hit(LEX.exact("an ukiyoe print")) == ["ukiyo-e"]
    assert cards_hit(LEX.exact("steam punk airship")) == ["steampunk"]
    assert cards_hit(LEX.exact("rows of neon signs")) == ["steampunk"]
    assert LEX.exact("glassy hokusaish goggle") == []  # inside other words, or a phrase cut short
    hit = LEX.exact("the great waves at dawn")[0]
    assert "the great waves at dawn"[hit.start:hit.end] == "great waves"


def test_near_spellings_need_a_word_that_is_not_a_word():
    known = frozenset({"with", "soft", "paper", "a", "hat"})
    assert LEX.near("soft paper with a hat", known) == []  # "with" is a word, not a misspelt "witch"
    near = LEX.near("a witsh hat", known)
    assert [NAMES[h.card] for h, _ in near] == ["halloween"] and 0.8 <= near[0][1] < 1.0
    assert [NAMES[h.card] for h, _ in LEX.near("stianed glass", known)] == ["stained glass"]
    assert LEX.has_odd_word("stianed glass") and not LEX.has_odd_word("brass goggles")


def test_overlap_weights_rare_words_and_ignores_filler():
    assert LEX.overlap("make it look like a photo in that style") == [0.0] * 4
    brass = LEX.overlap("brass")
    assert brass[2] == 1.0 and brass[0] == brass[1] == brass[3] == 0.0
    mixed = LEX.overlap("brass pumpkins and zorbles")  # one word for each of two cards, one for none
    assert mixed[2] == mixed[3] and 0.2 < mixed[2] < 0.5
    assert content_letters("make it look like stained glass") == len("stained") + len("glass")


def test_a_card_is_scored_by_its_whole_text_and_its_best_short_texts():
    e = np.eye(4, dtype=np.float32)
    whole = np.stack([e[0], e[1]])
    # card 0: one part equal to the query among unrelated ones; card 1: its whole text equals the query
    parts = np.stack([e[2], e[3], e[2], e[1], e[2]])
    vectors = TextVectors(whole, parts, np.array([0, 0, 0, 1, 1]))
    np.testing.assert_allclose(semantic_scores(vectors, e[2], top=1), [0.5, 0.5])
    np.testing.assert_allclose(semantic_scores(vectors, e[1], top=2), [0.0, 0.75])
    np.testing.assert_allclose(semantic_scores(vectors, e[2], top=3), [1 / 3, 0.25])
