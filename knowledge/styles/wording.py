"""How a text query names a style card: whole-word phrase matches, near spellings, and word overlap.

Matching works on word tokens, not on characters. Tokens are lower case, accents folded ("Erté" ->
"erte") and plurals trimmed ("neon signs" -> "neon sign"). A card phrase matches where its tokens occur in
a row in the query. Its squashed spelling matches a run of query words joined up: "ukiyoe" or
"stainedglass" match "ukiyo-e" and "stained glass".

A near spelling ("grafitti", "winter hoilday") counts only where the query has a word that is not a word
at all: not in the text embedder's vocabulary and not in the cards. So "with" never becomes "witch" and
"colours" never becomes "16 colours".

Word overlap weights each query word by its rarity across the cards (IDF). Words that many cards share,
and filler like "style", "look", "like" or "photo", count for almost nothing.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from atelier.core.text import strip_accents

# words that say "a style please" rather than which one
_FILLER = """
a an the of in on at to for from by with without into onto and or but as is are be it its it's this that
these those my our your me us i we you make made making look looks looking like style styled styles
photo photos picture pictures image images pic version way kind sort bit little very really just please
some something give turn want would could should can do done feel feels vibe vibes aesthetic mood
"""
FILLER = frozenset(_FILLER.split())


@dataclass(frozen=True)
class Token:
    word: str  # folded and singular
    raw: str  # folded, as written
    start: int
    end: int


def fold(text: str) -> str:
    """Lower case without accents: "Gaudí" -> "gaudi"."""
    return strip_accents(text.lower())


def singular(word: str) -> str:
    """A plural's singular, by spelling alone; both sides of a match go through it, so a wrong guess
    ("glass" stays, "series" -> "sery") still matches itself."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[Token]:
    folded = fold(text)
    return [Token(singular(m.group()), m.group(), m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", folded)]


def squash(text: str) -> str:
    """Letters and digits only: "Comic-Book" -> "comicbook"."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


@dataclass(frozen=True)
class Phrase:
    card: int  # index of the card in the library's order
    words: tuple[str, ...]
    is_name: bool


@dataclass(frozen=True)
class Hit:
    card: int
    is_name: bool
    start: int  # the query's characters the phrase covers
    end: int


class Lexicon:
    """Every phrase of every card (name, tags, artists, movements), indexed by its first word."""

    def __init__(self, names: list[str], phrases: list[tuple[str, ...]], texts: list[str]) -> None:
        self.names = names
        self.by_first: dict[str, list[Phrase]] = {}
        self.spellings: list[tuple[int, str]] = []  # (card, squashed phrase) for near spellings
        self.by_edge: dict[tuple[int, str, str], list[int]] = {}  # (length, "first"/"last", letter) -> rows
        for i, (name, own) in enumerate(zip(names, phrases, strict=True)):
            for text, is_name in ((name, True), *((p, False) for p in own)):
                words = tuple(t.word for t in tokens(text))
                if not words:
                    continue
                for key in {words, (singular(squash(text)),)}:
                    self.by_first.setdefault(key[0], []).append(Phrase(i, key, is_name))
                if len(squash(text)) >= 5:
                    target = squash(text)
                    for key in ((len(target), "first", target[0]), (len(target), "last", target[-1])):
                        self.by_edge.setdefault(key, []).append(len(self.spellings))
                    self.spellings.append((i, target))
        self.card_words = [frozenset(t.word for t in tokens(text)) - FILLER for text in texts]
        counts: dict[str, int] = {}
        for words in self.card_words:
            for w in words:
                counts[w] = counts.get(w, 0) + 1
        n = len(texts)
        self.idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in counts.items()}
        self.words = frozenset(w for text in texts for t in tokens(text) for w in (t.word, t.raw))

    def exact(self, query: str) -> list[Hit]:
        """Phrases whose words occur in a row in the query, or whose squashed spelling equals a run of up to
        three query words joined ("steam punk" -> "steampunk")."""
        toks = tokens(query)
        hits = []
        for i, tok in enumerate(toks):
            for phrase in self.by_first.get(tok.word, ()):
                n = len(phrase.words)
                if tuple(t.word for t in toks[i:i + n]) == phrase.words:
                    hits.append(Hit(phrase.card, phrase.is_name, tok.start, toks[i + n - 1].end))
            for n in (2, 3):
                if i + n <= len(toks):
                    joined = singular("".join(t.raw for t in toks[i:i + n]))
                    hits += [Hit(p.card, p.is_name, tok.start, toks[i + n - 1].end)
                             for p in self.by_first.get(joined, ()) if len(p.words) == 1]
        return hits

    def has_odd_word(self, query: str) -> bool:
        """Whether a query word is in no card (only then can it be a misspelling; the embedder's
        vocabulary, a 30 k-word file, is read only for such a query)."""
        return any(t.raw not in self.words and t.word not in self.words and not t.raw.isdigit()
                   for t in tokens(query))

    def near(self, query: str, known: frozenset[str] | set[str], min_ratio: float = 0.84
             ) -> list[tuple[Hit, float]]:
        """Near spellings of phrases of 5+ letters by runs of 1-4 query words that hold a non-word: a run
        is near when its difflib ratio clears ``min_ratio`` (0.88 under 7 letters) or it is one edit away
        (two from 9 letters on; a swap of neighbours is one edit: difflib rates "anmie"/"anime" 0.8)."""
        toks = tokens(query)
        odd = [t.raw not in known and t.word not in known and t.raw not in self.words and not t.raw.isdigit()
               for t in toks]
        found = []
        for i in range(len(toks)):
            for n in range(1, 5):
                run = toks[i:i + n]
                if len(run) < n or not any(odd[i:i + n]):
                    continue
                gram = "".join(t.raw for t in run)
                if len(gram) < 4:
                    continue
                rows = {r for size in range(len(gram) - 2, len(gram) + 3)
                        for key in ((size, "first", gram[0]), (size, "last", gram[-1]))
                        for r in self.by_edge.get(key, ())}
                for row in sorted(rows):
                    card, target = self.spellings[row]
                    ratio = spelling_ratio(gram, target, min_ratio)
                    if ratio:
                        found.append((Hit(card, False, run[0].start, run[-1].end), ratio))
        return found

    def overlap(self, query: str) -> list[float]:
        """Per card: the IDF-weighted share of the query's words (filler aside) that the card's text uses.
        Words no card uses count in the whole at the rarest weight, so one shared word in a long query of
        other things is a small share."""
        words = {t.word for t in tokens(query)} - FILLER
        if not words:
            return [0.0] * len(self.card_words)
        rarest = max(self.idf.values(), default=1.0)
        total = sum(self.idf.get(w, rarest) for w in words)
        return [sum(self.idf[w] for w in words & card) / total for card in self.card_words]


def spelling_ratio(gram: str, target: str, min_ratio: float) -> float:
    """How near ``gram`` spells ``target`` (0.0 when not near enough); see ``Lexicon.near``."""
    if len(gram) < 4 or abs(len(gram) - len(target)) > 2 or (gram[0] != target[0] and gram[-1] != target[-1]):
        return 0.0
    need = min_ratio if len(target) >= 7 else 0.88
    matcher = difflib.SequenceMatcher(None, gram, target)
    if matcher.quick_ratio() < 0.7:  # an upper bound of ratio(), much cheaper
        return 0.0
    ratio = matcher.ratio()
    if ratio < need and not (ratio >= 0.7 and edit_distance(gram, target) <= (2 if len(target) >= 9 else 1)):
        return 0.0
    return max(ratio, need)


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours
    ("anmie" -> "anime" is one edit)."""
    prev2, prev = [0] * (len(b) + 1), list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def covered(spans: Iterable[tuple[int, int]]) -> int:
    """Characters covered by the spans, each counted once."""
    seen: set[int] = set()
    for start, end in spans:
        seen.update(range(start, end))
    return len(seen)


@functools.cache
def embedder_words() -> frozenset[str]:
    """Whole words of the text embedder's vocabulary (its word pieces "##…" aside), read from the model's
    ``vocab.txt`` (a few ms) so the quick path never loads the embedder."""
    from atelier.knowledge.embedders.minilm import model_dir

    lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w.isalpha())


def content_letters(query: str) -> int:
    """Letters of the query's words that are not filler: what a style's phrases can cover."""
    return sum(t.end - t.start for t in tokens(query) if t.raw not in FILLER and t.word not in FILLER)
