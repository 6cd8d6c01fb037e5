"""Style retrieval over the library: text (MiniLM over each card's name, description, tags, artists and
movements), image (colour/texture descriptor of the reference), or both.

A query that names a style outright scores 1.0, one of its tags (artists and movements included) 0.9+, a
near spelling of either ("grafitti") 0.8+; otherwise the score is the cosine similarity. A text query
that names a style takes a fast path (``quick_matches``) that needs neither the embedder nor Chroma: it
reads the card vectors the last indexing saved beside the store. That is the fix for the 8-s search
stage, which was loading sentence-transformers + torch and opening Chroma even for "cyberpunk"."""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atelier.knowledge.store import Store
from atelier.knowledge.styles import StyleCard, StyleLibrary


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
    """(Re)build the style collections when the library changed since they were built."""
    from atelier.knowledge.embedders.minilm import minilm

    marker = store.home / "store" / "styles.fingerprint"
    want = fingerprint(library.cards)
    counts = {store.count("styles_text"), store.count("styles_image")}
    if marker.exists() and marker.read_text() == want and counts == {len(library.cards)}:
        if cached_text_vectors(store.home, library) is None:
            save_text_vectors(store.home, library, minilm().encode([c.text for c in library.cards]))
        return
    from atelier.core.images import load_image
    from atelier.knowledge.embedders.descriptor import DescriptorEmbedder

    for name in ("styles_text", "styles_image"):
        stale = store.ids(name)
        if stale:
            store.delete(name, sorted(stale))
    ids = [c.slug for c in library.cards]
    meta = [{"name": c.name, "path": c.image, "source": c.source} for c in library.cards]
    text_vectors = minilm().encode([c.text for c in library.cards])
    store.upsert("styles_text", ids, text_vectors, meta, [c.text for c in library.cards])
    save_text_vectors(store.home, library, text_vectors)
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


@functools.lru_cache(maxsize=4096)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern for a card's phrases (longest first, so a longer phrase wins where two start
    together), whole words only, plural allowed. Compiled once per library: a pattern per phrase per query
    overflowed ``re``'s cache of 512 and recompiled about a thousand patterns on every call."""
    alts = "|".join(re.escape(p.lower()) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alts})(?:s|es)?(?![a-z])")


def lexical(query: str, cards: list[StyleCard]) -> dict[str, tuple[str, int]]:
    """Styles the query names outright: name -> ("name" | "tag", letters of the query their phrases cover).
    Tags include the card's artists and movements; a phrase also matches in the plural ("androids").

    The cover counts each query letter once however many of a card's phrases contain it, so a query that
    names several things of one style ("brass goggles and airships") beats one stray tag of another."""
    q = query.lower()
    found: dict[str, tuple[str, int]] = {}
    for card in cards:
        named = phrase_pattern((card.name,)).search(q) is not None
        covered: set[int] = set()
        for m in phrase_pattern((card.name, *card.phrases)).finditer(q):
            covered.update(range(m.start(), m.end()))
        if covered:
            found[card.name] = ("name" if named else "tag", len(covered))
    return found


def squash(text: str) -> str:
    """Lower case letters and digits only: "Comic-Book" -> "comicbook"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def query_grams(query: str, longest: int = 4) -> set[str]:
    """Every run of 1..``longest`` consecutive words of the query, squashed (for fuzzy matching)."""
    words = re.findall(r"[a-z0-9]+", query.lower())
    return {squash("".join(words[i:i + n])) for n in range(1, longest + 1) for i in range(len(words) - n + 1)}


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


def fuzzy(query: str, cards: list[StyleCard], min_ratio: float = 0.84) -> dict[str, float]:
    """Styles whose name or a tag the query spells nearly right ("grafitti", "stianed glas", "anmie"):
    name -> the best similarity ratio (difflib) over the query's word runs, for phrases of 5+ letters.

    A run is near when its ratio clears ``min_ratio`` (0.88 under 7 letters), or when it is one edit away
    (two from 9 letters on; a swap of neighbours is one edit): difflib rates a swap in a short word low
    ("anmie" / "anime" is 0.8) although it is the commonest typo."""
    grams = [g for g in query_grams(query) if len(g) >= 4]
    found: dict[str, float] = {}
    for card in cards:
        for phrase in (card.name, *card.phrases):
            target = squash(phrase)
            if len(target) < 5:
                continue
            need = min_ratio if len(target) >= 7 else 0.88
            edits = 2 if len(target) >= 9 else 1
            for g in grams:
                if abs(len(g) - len(target)) > 2 or g[0] != target[0] and g[-1] != target[-1]:
                    continue
                matcher = difflib.SequenceMatcher(None, g, target)
                if matcher.quick_ratio() < 0.7:  # an upper bound of ratio(), much cheaper
                    continue
                r = matcher.ratio()
                if r < need and not (r >= 0.7 and edit_distance(g, target) <= edits):
                    continue
                r = max(r, need)
                if r > found.get(card.name, 0.0):
                    found[card.name] = r
    return found


def named_scores(query: str, cards: list[StyleCard]) -> dict[str, tuple[float, str]]:
    """Scores for styles the query names: exact name 1.0, tags 0.9 + (letters covered)/1000, a near
    spelling 0.8 + 0.1 x ratio; name -> (score, how). A name scores like tags when another style's phrases
    cover at least twice as much of the query."""
    out: dict[str, tuple[float, str]] = {}
    for name, ratio in fuzzy(query, cards).items():
        out[name] = (0.8 + 0.1 * ratio, "fuzzy")
    found = lexical(query, cards)
    most = max((length for _, length in found.values()), default=0)
    for name, (how, length) in found.items():
        # a name the query mostly talks past ("rain-slicked streets full of holograms and androids") counts
        # as one more phrase: another style covers at least twice as much of the query
        if how == "name" and 2 * length > most:
            out[name] = (1.0, "name")
        else:
            out[name] = (0.9 + min(length, 60) / 1000, "tag")
    return out


@functools.cache
def _library_words(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for t in texts for w in re.findall(r"[a-z]+", t.lower()))


def familiarity(query: str, cards: list[StyleCard]) -> float:
    """Share of the query's words (3+ letters) that are words at all: whole tokens of the text embedder's
    vocabulary or words of the library's cards. "qwzx blorft vmmp" -> 0.0, "neon rainy city" -> 1.0.

    An embedder still returns a cosine for gibberish (about 0.35 for that query), so text similarity is
    scaled by ``0.5 + 0.5 * familiarity``: nonsense falls under the floor and answers ``NO_MATCH`` (with its
    near misses), while a real description with one odd word loses little."""
    from atelier.knowledge.embedders.minilm import minilm

    words = [w for w in re.findall(r"[a-z]+", query.lower()) if len(w) >= 3]
    if not words:
        return 1.0
    vocab = minilm().vocabulary()
    known = _library_words(tuple(c.text for c in cards))
    return sum(w in vocab or w in known for w in words) / len(words)


def cached_text_vectors(home: Path, library: StyleLibrary) -> np.ndarray | None:
    """The cards' MiniLM vectors saved by the last indexing (rows in library order), or None."""
    path = home / "store" / "styles_text.npz"
    if not path.exists():
        return None
    try:
        data = np.load(path)
        if str(data["fingerprint"]) != fingerprint(library.cards):
            return None
        return data["vectors"]
    except (OSError, ValueError, KeyError):
        return None


def save_text_vectors(home: Path, library: StyleLibrary, vectors: np.ndarray) -> None:
    path = home / "store" / "styles_text.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("styles_text.tmp.npz")
    np.savez(tmp, vectors=np.asarray(vectors, np.float32), fingerprint=np.array(fingerprint(library.cards)))
    tmp.replace(path)


def quick_matches(home: Path, library: StyleLibrary, query: str, k: int) -> list[StyleMatch] | None:
    """The fast path for a text query that names a style (exactly, by a tag or nearly): no embedder and no
    Chroma. The named styles come first; the rest of the k are their nearest cards by the cached card
    vectors (scores scaled below the named ones). None when the query names nothing or nothing is indexed."""
    named = named_scores(query, library.cards)
    if not named:
        return None
    vectors = cached_text_vectors(home, library)
    if vectors is None:  # not indexed yet: the full search indexes, then answers through here
        return None
    ranked = sorted(named.items(), key=lambda kv: -kv[1][0])
    out = [StyleMatch(n, library.get(n).image, sc, how) for n, (sc, how) in ranked if library.get(n)]
    if len(out) < k:
        index = {c.name: i for i, c in enumerate(library.cards)}
        v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        sims = v @ v[index[out[0].name]]
        for i in np.argsort(-sims):
            card = library.cards[int(i)]
            if card.name not in named and len(out) < k:
                out.append(StyleMatch(card.name, card.image, float(sims[i]) * 0.75, "related"))
    return out[:k]


def search_styles(store: Store, library: StyleLibrary, query: str | None, image: np.ndarray | None,
                  k: int = 5) -> list[StyleMatch]:
    from atelier.knowledge.embedders.minilm import minilm

    clip = clip_embedder(store.home)
    if clip is not None:
        return search_styles_clip(store, library, clip, query, image, k)
    ensure_indexed(store, library)
    if query and image is None:
        quick = quick_matches(store.home, library, query, k)
        if quick is not None:  # the same answer as the fast path, whichever ran first
            return quick
    n = len(library.cards)
    text_scores: dict[str, float] = {}
    image_scores: dict[str, float] = {}
    named = named_scores(query or "", library.cards)
    if query:
        trust = 0.5 + 0.5 * familiarity(query, library.cards)
        for hit in store.query("styles_text", minilm().encode([query])[0], n):
            text_scores[hit.metadata["name"]] = hit.score * trust
        for name, (score, _) in named.items():
            # an exact name beats a tag, a tag beats a near spelling, a longer phrase beats a shorter one
            text_scores[name] = max(text_scores.get(name, 0.0), score)
    if image is not None:
        from atelier.knowledge.embedders.descriptor import image_descriptor

        for hit in store.query("styles_image", image_descriptor(image), n):
            image_scores[hit.metadata["name"]] = hit.score
    names = set(text_scores) | set(image_scores)
    matches = []
    for name in names:
        card = library.get(name)
        if card is None:
            continue
        parts = [s for s in (text_scores.get(name), image_scores.get(name)) if s is not None]
        how = named[name][1] if name in named else "+".join(
            h for h, d in (("text", text_scores), ("image", image_scores)) if name in d)
        matches.append(StyleMatch(name, card.image, float(np.mean(parts)), how))
    return sorted(matches, key=lambda m: -m.score)[:k]


def find_styles(home: Path, library: StyleLibrary, query: str | None, image: np.ndarray | None,
                k: int = 5) -> list[StyleMatch]:
    """What ``retrieve_style`` runs: the fast path when a text-only query names a style (and CLIP is not
    configured), else the full embedding search over the store."""
    if query and image is None and clip_embedder(home) is None:
        quick = quick_matches(home, library, query, k)
        if quick is not None:
            return quick
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
    exact = {name: how for name, (how, _) in lexical(query or "", library.cards).items()}
    hits = store.query("styles_clip", q, len(library.cards))
    out = [StyleMatch(h.metadata["name"], h.metadata["path"], 1.0 if exact.get(h.metadata["name"]) == "name"
                      else h.score, exact.get(h.metadata["name"]) or "clip") for h in hits]
    return sorted(out, key=lambda m: -m.score)[:k]
