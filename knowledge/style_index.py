"""Style retrieval over the library: text (the cards' words and MiniLM vectors), image (colour/texture
descriptor of the reference), or both.

A text query is scored against every card by three things: MiniLM similarity to the whole card and to its
best few short texts (name, description, each tag), IDF-weighted word overlap with the card, and a bonus
when the query names the style, one of its tags (artists and movements included) or a near spelling of one
("grafitti"). A query that is a name or tag and nothing more ("cyberpunk", "neon rainy city") takes a fast
path (``quick_matches``) that needs neither the embedder nor Chroma; it scores 1.0 for a name, 0.9+ for a
tag, 0.8+ for a near spelling. Text queries never open Chroma: the card vectors the last indexing saved
beside the store are a small matrix. That is the fix for the 8-s search stage, which was loading
sentence-transformers + torch and opening Chroma even for "cyberpunk"."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atelier.knowledge.store import Store
from atelier.knowledge.styles import StyleCard, StyleLibrary
from atelier.knowledge.styles.wording import Lexicon, content_letters, covered, embedder_words, tokens


@dataclass(frozen=True)
class StyleMatch:
    name: str
    path: str
    score: float
    how: str  # "name", "tag", "fuzzy", "related", "text", "image", "text+image", "clip"

    def as_dict(self) -> dict:
        return {"name": self.name, "path": self.path, "score": round(self.score, 4), "match": self.how}


def fingerprint(cards: list[StyleCard]) -> str:
    return hashlib.sha256("\n".join(f"{c.text}|{c.image}" for c in cards).encode()).hexdigest()[:16]


def ensure_indexed(store: Store, library: StyleLibrary) -> None:
    """(Re)build the style collections, and the card vectors beside them, when the library changed."""
    marker = store.home / "store" / "styles.fingerprint"
    want = fingerprint(library.cards)
    counts = {store.count("styles_text"), store.count("styles_image")}
    if marker.exists() and marker.read_text() == want and counts == {len(library.cards)}:
        if cached_text_vectors(store.home, library) is None:
            save_text_vectors(store.home, library, encode_cards(library.cards))
        return
    from atelier.core.images import load_image
    from atelier.knowledge.embedders.descriptor import DescriptorEmbedder

    for name in ("styles_text", "styles_image"):
        stale = store.ids(name)
        if stale:
            store.delete(name, sorted(stale))
    ids = [c.slug for c in library.cards]
    meta = [{"name": c.name, "path": c.image, "source": c.source} for c in library.cards]
    vectors = encode_cards(library.cards)
    store.upsert("styles_text", ids, vectors.whole, meta, [c.text for c in library.cards])
    save_text_vectors(store.home, library, vectors)
    images = [readable_pixels(c.image, load_image) for c in library.cards]
    store.upsert("styles_image", ids, DescriptorEmbedder().encode(images), meta)
    marker.write_text(want)


def readable_pixels(path: str, load_image) -> np.ndarray:
    """A reference's pixels, or a flat grey stand-in when the file is unreadable (that card can still be
    found by text; retrieving it reports the broken file, and the other cards index normally)."""
    from atelier.core.errors import ToolError

    try:
        return load_image(path).pixels
    except ToolError:
        return np.full((16, 16, 3), 128, np.uint8)


def clip_embedder(home: Path):
    """The CLIP embedder when it is configured (``[backends] embeddings = "clip"``) and its weights exist."""
    from atelier.core.config import load_settings
    from atelier.core.models import find_model

    settings = load_settings()
    if settings.backend_for("embeddings") != "clip":
        return None
    folder = find_model(settings, "clip")
    if folder is None:
        return None
    from atelier.knowledge.embedders.clip import load_clip

    return load_clip(str(folder), (folder / "config.json").stat().st_mtime_ns)


def ensure_clip_indexed(store: Store, library: StyleLibrary, clip) -> None:
    """References embedded by CLIP in one collection that both text and image queries search."""
    from atelier.core.images import load_image

    marker = store.home / "store" / "styles_clip.fingerprint"
    want = fingerprint(library.cards) + clip.name + str(clip.dim)
    if marker.exists() and marker.read_text() == want and store.count("styles_clip") == len(library.cards):
        return
    store.drop("styles_clip")  # another CLIP may embed at another dimension
    meta = [{"name": c.name, "path": c.image, "source": c.source} for c in library.cards]
    vectors = clip.encode_images([load_image(c.image).pixels for c in library.cards])
    store.upsert("styles_clip", [c.slug for c in library.cards], vectors, meta)
    marker.write_text(want)


@dataclass(frozen=True)
class Named:
    """A style the query names: ``score`` on the lexical scale (exact name 1.0, tags 0.9 + letters
    covered / 1000, a near spelling 0.8 + 0.1 x ratio), ``how`` ("name", "tag", "fuzzy") and ``share``, the
    part of the query's letters (filler words aside) that the style's phrases cover."""

    score: float
    how: str
    share: float


def card_key(cards: list[StyleCard]) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    return tuple((c.name, c.phrases, c.text) for c in cards)


@functools.lru_cache(maxsize=8)
def _lexicon(key: tuple[tuple[str, tuple[str, ...], str], ...]) -> Lexicon:
    return Lexicon([k[0] for k in key], [k[1] for k in key], [k[2] for k in key])


def lexicon(cards: list[StyleCard]) -> Lexicon:
    """The cards' phrase index, built once per library (a few ms; the regular expressions it replaced took
    0.19 s to compile on every cold call)."""
    return _lexicon(card_key(cards))


def name_matches(query: str, cards: list[StyleCard]) -> dict[str, Named]:
    """The styles a query names: by name, tag, artist or movement, or by a near spelling of one.

    Each style's phrases cover letters of the query, counted once however many phrases hold them, so a
    query that names several things of one style ("brass goggles and airships") beats one stray tag of
    another. An exact phrase inside a longer near spelling of another style does not count ("winter" in
    "winter hoilday"). A name counts as a tag when another style's phrases cover twice as much of the query
    ("rain-slicked streets full of holograms and androids")."""
    lex = lexicon(cards)
    exact = lex.exact(query)
    near = lex.near(query, embedder_words()) if lex.has_odd_word(query) else []
    exact = [e for e in exact if not any(h.card != e.card and h.start <= e.start and e.end <= h.end
                                         and e.end - e.start < h.end - h.start for h, _ in near)]
    content = content_letters(query) or 1
    spans: dict[int, list[tuple[int, int]]] = {}
    for hit in exact:
        spans.setdefault(hit.card, []).append((hit.start, hit.end))
    cover = {card: covered(s) for card, s in spans.items()}
    most = max(cover.values(), default=0)
    out: dict[str, Named] = {}
    for hit, ratio in near:
        if hit.card not in cover:
            share = min(1.0, (hit.end - hit.start) / content)
            old = out.get(lex.names[hit.card])
            if old is None or 0.8 + 0.1 * ratio > old.score:
                out[lex.names[hit.card]] = Named(0.8 + 0.1 * ratio, "fuzzy", share)
    for card, length in cover.items():
        share = min(1.0, length / content)
        is_name = any(h.is_name for h in exact if h.card == card)
        out[lex.names[card]] = (Named(1.0, "name", share) if is_name and 2 * length > most
                                else Named(0.9 + min(length, 60) / 1000, "tag", share))
    return out


def named_scores(query: str, cards: list[StyleCard]) -> dict[str, tuple[float, str]]:
    """Scores for styles the query names: name -> (score, how), on the lexical scale of ``Named``."""
    return {name: (m.score, m.how) for name, m in name_matches(query, cards).items()}


def fuzzy(query: str, cards: list[StyleCard]) -> dict[str, float]:
    """Styles whose name or a tag the query spells nearly right ("grafitti", "stianed glas", "anmie"):
    name -> the best similarity ratio over the query's word runs that hold a non-word."""
    lex = lexicon(cards)
    found: dict[str, float] = {}
    if lex.has_odd_word(query):
        for hit, ratio in lex.near(query, embedder_words()):
            found[lex.names[hit.card]] = max(found.get(lex.names[hit.card], 0.0), ratio)
    return found


def familiarity(query: str, cards: list[StyleCard]) -> float:
    """Share of the query's words (3+ letters) that are words at all: whole words of the text embedder's
    vocabulary or words of the library's cards. "qwzx blorft vmmp" -> 0.0, "neon rainy city" -> 1.0.

    An embedder still returns a cosine for gibberish (about 0.35 for that query), so text scores are
    scaled by ``0.5 + 0.5 * familiarity``: nonsense falls under the floor and answers ``NO_MATCH`` (with its
    near misses), while a real description with one odd word loses little."""
    words = [t for t in tokens(query) if len(t.raw) >= 3 and not t.raw.isdigit()]
    if not words:
        return 1.0
    known, lib = embedder_words(), lexicon(cards).words
    return sum(t.raw in known or t.word in known or t.raw in lib for t in words) / len(words)


@dataclass(frozen=True)
class TextVectors:
    """The cards' MiniLM vectors: one per whole card text, and one per short text of each card (its name,
    description, and each tag, artist and movement), ``owner`` giving each short text's card."""

    whole: np.ndarray
    parts: np.ndarray
    owner: np.ndarray

    @functools.cached_property
    def table(self) -> np.ndarray:
        """Row r lists card r's short texts (indices into ``parts``), padded with -1."""
        n = len(self.whole)
        counts = np.bincount(self.owner, minlength=n)
        order = np.argsort(self.owner, kind="stable")
        rank = np.arange(len(order)) - np.concatenate([[0], np.cumsum(counts)[:-1]])[self.owner[order]]
        table = np.full((n, max(int(counts.max(initial=0)), 1)), -1)
        table[self.owner[order], rank] = order
        return table


def card_parts(card: StyleCard) -> list[str]:
    return [card.name, card.description, *card.phrases]


def encode_cards(cards: list[StyleCard]) -> TextVectors:
    parts = [card_parts(c) for c in cards]
    owner = np.repeat(np.arange(len(cards)), [len(p) for p in parts])
    return TextVectors(encode_texts(tuple(c.text for c in cards)), encode_texts(tuple(t for p in parts for t in p)),
                       owner)


@functools.lru_cache(maxsize=4)
def encode_texts(texts: tuple[str, ...]) -> np.ndarray:
    """MiniLM vectors of the cards' texts, once per process: the short texts number in the thousands, and
    every fresh home (a new user, each test) indexes the same library again."""
    from atelier.knowledge.embedders.minilm import minilm

    vectors = minilm().encode(list(texts))
    vectors.setflags(write=False)
    return vectors


def cached_text_vectors(home: Path, library: StyleLibrary) -> TextVectors | None:
    """The cards' vectors saved by the last indexing (rows in library order), or None."""
    path = home / "store" / "styles_text.npz"
    try:
        stat = path.stat()
        vectors, saved_for = load_text_vectors(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError, KeyError):
        return None
    return vectors if saved_for == fingerprint(library.cards) else None


@functools.lru_cache(maxsize=4)
def load_text_vectors(path: str, mtime_ns: int, size: int) -> tuple[TextVectors, str]:
    """The file read once per version of it (a warm query would otherwise re-read and check it)."""
    with np.load(path) as data:
        return TextVectors(data["vectors"], data["parts"], data["owner"]), str(data["fingerprint"])


def save_text_vectors(home: Path, library: StyleLibrary, vectors: TextVectors) -> None:
    path = home / "store" / "styles_text.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("styles_text.tmp.npz")
    np.savez(tmp, vectors=np.asarray(vectors.whole, np.float32), parts=np.asarray(vectors.parts, np.float32),
             owner=np.asarray(vectors.owner, np.int32), fingerprint=np.array(fingerprint(library.cards)))
    tmp.replace(path)


def semantic_scores(vectors: TextVectors, query_vector: np.ndarray, top: int = 3) -> np.ndarray:
    """Per card: the mean of its whole-text cosine and of its ``top`` best short texts' cosines.

    One vector for a card of fifty tags is an average that matches no single idea well; the short texts
    let "a swimmer below the waves" meet the one tag or sentence it paraphrases, and the whole text keeps
    a card that many parts agree on ahead of one with a single lucky tag."""
    table = vectors.table
    sims = np.where(table >= 0, (vectors.parts @ query_vector)[table], -np.inf)
    best = -np.sort(-sims, axis=1)[:, :top]
    real = np.isfinite(best)
    return (vectors.whole @ query_vector + np.where(real, best, 0).sum(1) / np.maximum(real.sum(1), 1)) / 2


def text_scores(query: str, cards: list[StyleCard], vectors: TextVectors, query_vector: np.ndarray
                ) -> tuple[np.ndarray, dict[str, Named]]:
    """Every card's score for a text query, and the styles it names.

    score = familiarity-scaled (semantic + OVERLAP x IDF word overlap) + a bonus for a named style:
    NAME_BONUS for its name, TAG_BONUS x the share of the query its tags cover, NEAR_BONUS for a near
    spelling. A tag the query mentions in passing thus adds a little, not a win: "rain-soaked street, pink
    and blue neon signs, detective silhouette" is neon noir, though "neon signs" is a cyberpunk tag."""
    trust = 0.5 + 0.5 * familiarity(query, cards)
    overlap = np.asarray(lexicon(cards).overlap(query))
    scores = trust * (semantic_scores(vectors, query_vector) + OVERLAP * overlap)
    named = name_matches(query, cards)
    index = {c.name: i for i, c in enumerate(cards)}
    for name, m in named.items():
        scores[index[name]] += {"name": NAME_BONUS, "tag": TAG_BONUS * m.share, "fuzzy": NEAR_BONUS}[m.how]
    return np.minimum(scores, 1.0), named


OVERLAP, NAME_BONUS, TAG_BONUS, NEAR_BONUS = 0.3, 0.5, 0.3, 0.2  # chosen on evals/style/dev_blind.txt


def rank_text(query: str, library: StyleLibrary, vectors: TextVectors, query_vector: np.ndarray, k: int
              ) -> list[StyleMatch]:
    scores, named = text_scores(query, library.cards, vectors, query_vector)
    out = []
    for i in np.argsort(-scores, kind="stable")[:k]:
        card = library.cards[int(i)]
        how = f"{named[card.name].how}+text" if card.name in named else "text"
        out.append(StyleMatch(card.name, card.image, float(scores[i]), how))
    return out


def whole_query_named(query: str, cards: list[StyleCard]) -> list[tuple[str, Named]]:
    """The named styles, best first, when the best one's phrases cover the whole query ("cyberpunk", "make
    it watercolour", "neon rainy city", "grafitti"): then nothing is left for an embedder to weigh."""
    ranked = sorted(name_matches(query, cards).items(), key=lambda kv: -kv[1].score)
    return ranked if ranked and ranked[0][1].share >= 0.999 else []


def quick_matches(library: StyleLibrary, query: str, vectors: TextVectors, k: int) -> list[StyleMatch] | None:
    """The fast path for a text query that is a style's name, tag or a near spelling and nothing more: no
    embedder. The named styles come first; the rest of the k are their nearest cards by the saved card
    vectors (scores scaled below the named ones). None when the query is more than a name."""
    ranked = whole_query_named(query, library.cards)
    if not ranked:
        return None
    out = [StyleMatch(n, library.get(n).image, m.score, m.how) for n, m in ranked if library.get(n)]
    if len(out) < k:
        index = {c.name: i for i, c in enumerate(library.cards)}
        v = vectors.whole / np.maximum(np.linalg.norm(vectors.whole, axis=1, keepdims=True), 1e-12)
        sims = v @ v[index[out[0].name]]
        named = {n for n, _ in ranked}
        for i in np.argsort(-sims):
            card = library.cards[int(i)]
            if card.name not in named and len(out) < k:
                out.append(StyleMatch(card.name, card.image, float(sims[i]) * 0.75, "related"))
    return out[:k]


def encode_query(query: str) -> np.ndarray:
    """The query's MiniLM vector, on one BLAS thread: a 20-token product gains nothing from a second
    thread, and on a busy machine waiting for it made a query 2-20x slower (12 ms against 28-260 ms)."""
    from atelier.knowledge.embedders.minilm import minilm, one_blas_thread

    with one_blas_thread():
        return minilm().encode([query])[0]


def text_vectors(home: Path, library: StyleLibrary) -> TextVectors:
    """The saved card vectors, indexing first when the library changed (or nothing is indexed)."""
    vectors = cached_text_vectors(home, library)
    if vectors is None:
        ensure_indexed(Store(home), library)
        vectors = cached_text_vectors(home, library)
    assert vectors is not None
    return vectors


def search_styles(store: Store, library: StyleLibrary, query: str | None, image: np.ndarray | None,
                  k: int = 5) -> list[StyleMatch]:
    """Text and/or image search; with both, a card's score is the mean of its text and image scores."""

    clip = clip_embedder(store.home)
    if clip is not None:
        return search_styles_clip(store, library, clip, query, image, k)
    if query and image is None:
        return find_styles(store.home, library, query, None, k)
    ensure_indexed(store, library)
    n = len(library.cards)
    scores: dict[str, list[float]] = {}
    hows: dict[str, str] = {}
    if query:
        for m in rank_text(query, library, text_vectors(store.home, library), encode_query(query), n):
            scores[m.name] = [m.score]
            hows[m.name] = m.how
    from atelier.knowledge.embedders.descriptor import image_descriptor

    for hit in store.query("styles_image", image_descriptor(image), n):
        name = hit.metadata["name"]
        scores.setdefault(name, []).append(hit.score)
        hows[name] = f"{hows[name]}+image" if name in hows else "image"
    matches = [StyleMatch(name, card.image, float(np.mean(s)), hows[name])
               for name, s in scores.items() if (card := library.get(name)) is not None]
    return sorted(matches, key=lambda m: -m.score)[:k]


def find_styles(home: Path, library: StyleLibrary, query: str | None, image: np.ndarray | None,
                k: int = 5) -> list[StyleMatch]:
    """What ``retrieve_style`` runs: for a text-only query (and CLIP not configured) the fast path when the
    query is just a name, else every card scored by ``text_scores``; otherwise the search over the store."""
    if query and image is None and clip_embedder(home) is None:
        vectors = text_vectors(home, library)
        quick = quick_matches(library, query, vectors, k)
        if quick is not None:
            return quick

        return rank_text(query, library, vectors, encode_query(query), k)
    return search_styles(Store(home), library, query, image, k)


def search_styles_clip(store: Store, library: StyleLibrary, clip, query: str | None, image: np.ndarray | None,
                       k: int) -> list[StyleMatch]:
    """CLIP: the text query and the query image are compared with the references in one space."""
    ensure_clip_indexed(store, library, clip)
    vectors = []
    if query:
        vectors.append(clip.encode([query])[0])
    if image is not None:
        vectors.append(clip.encode_images([image])[0])
    q = np.mean(vectors, axis=0)
    q = q / max(float(np.linalg.norm(q)), 1e-12)
    exact = {name: m.how for name, m in name_matches(query or "", library.cards).items()}
    hits = store.query("styles_clip", q, len(library.cards))
    out = [StyleMatch(h.metadata["name"], h.metadata["path"], 1.0 if exact.get(h.metadata["name"]) == "name"
                      else h.score, exact.get(h.metadata["name"]) or "clip") for h in hits]
    return sorted(out, key=lambda m: -m.score)[:k]
