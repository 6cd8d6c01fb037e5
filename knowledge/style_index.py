"""Style retrieval over the library: text (MiniLM over each card's name, description and tags), image
(colour/texture descriptor of the reference), or both. A query that names a style or one of its tags
outright is an exact match (score 1.0); otherwise the score is the cosine similarity."""

from __future__ import annotations

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
    how: str  # "name", "tag", "text", "image", "text+image"

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
        return
    from atelier.knowledge.embedders.descriptor import DescriptorEmbedder
    from atelier.tools.core.images import load_image

    for name in ("styles_text", "styles_image"):
        stale = store.ids(name)
        if stale:
            store.delete(name, sorted(stale))
    ids = [c.slug for c in library.cards]
    meta = [{"name": c.name, "path": c.image, "source": c.source} for c in library.cards]
    store.upsert("styles_text", ids, minilm().encode([c.text for c in library.cards]), meta,
                 [c.text for c in library.cards])
    images = [load_image(c.image).pixels for c in library.cards]
    store.upsert("styles_image", ids, DescriptorEmbedder().encode(images), meta)
    marker.write_text(want)


def clip_embedder(home: Path):
    """The CLIP embedder when it is configured (``[backends] embeddings = "clip"``) and its weights exist."""
    from atelier.tools.core.config import load_settings
    from atelier.tools.core.models import find_model

    settings = load_settings()
    if settings.backend_for("embeddings", "minilm") != "clip":
        return None
    folder = find_model(settings, "clip")
    if folder is None:
        return None
    from atelier.knowledge.embedders.clip import load_clip

    return load_clip(str(folder), (folder / "config.json").stat().st_mtime_ns)


def ensure_clip_indexed(store: Store, library: StyleLibrary, clip) -> None:
    """References embedded by CLIP in one collection that both text and image queries search."""
    from atelier.tools.core.images import load_image

    marker = store.home / "store" / "styles_clip.fingerprint"
    want = fingerprint(library.cards) + clip.name + str(clip.dim)
    if marker.exists() and marker.read_text() == want and store.count("styles_clip") == len(library.cards):
        return
    store.drop("styles_clip")  # another CLIP may embed at another dimension
    meta = [{"name": c.name, "path": c.image, "source": c.source} for c in library.cards]
    vectors = clip.encode_images([load_image(c.image).pixels for c in library.cards])
    store.upsert("styles_clip", [c.slug for c in library.cards], vectors, meta)
    marker.write_text(want)


def lexical(query: str, cards: list[StyleCard]) -> dict[str, tuple[str, int]]:
    """Styles the query names outright: name -> ("name" | "tag", length of the longest phrase matched)."""
    q = query.lower()
    found: dict[str, tuple[str, int]] = {}
    for card in cards:
        for phrase, how in [(card.name, "name")] + [(t, "tag") for t in card.tags]:
            if re.search(rf"(?<![a-z]){re.escape(phrase.lower())}(?![a-z])", q):
                prev = found.get(card.name)
                if prev is None or len(phrase) > prev[1]:
                    found[card.name] = (how if prev is None or prev[0] != "name" else "name", len(phrase))
    return found


def search_styles(store: Store, library: StyleLibrary, query: str | None, image: np.ndarray | None,
                  k: int = 5) -> list[StyleMatch]:
    from atelier.knowledge.embedders.minilm import minilm

    clip = clip_embedder(store.home)
    if clip is not None:
        return search_styles_clip(store, library, clip, query, image, k)
    ensure_indexed(store, library)
    n = len(library.cards)
    text_scores: dict[str, float] = {}
    image_scores: dict[str, float] = {}
    if query:
        for hit in store.query("styles_text", minilm().encode([query])[0], n):
            text_scores[hit.metadata["name"]] = hit.score
        for name, (how, length) in lexical(query, library.cards).items():
            # an exact name beats a tag; a longer matched phrase beats a shorter one
            text_scores[name] = 1.0 if how == "name" else max(text_scores.get(name, 0.0), 0.9 + min(length, 40) / 1000)
    if image is not None:
        from atelier.knowledge.embedders.descriptor import image_descriptor

        for hit in store.query("styles_image", image_descriptor(image), n):
            image_scores[hit.metadata["name"]] = hit.score
    names = set(text_scores) | set(image_scores)
    exact = {name: how for name, (how, _) in lexical(query or "", library.cards).items()}
    matches = []
    for name in names:
        card = library.get(name)
        if card is None:
            continue
        parts = [s for s in (text_scores.get(name), image_scores.get(name)) if s is not None]
        how = exact.get(name) or "+".join(h for h, d in (("text", text_scores), ("image", image_scores)) if name in d)
        matches.append(StyleMatch(name, card.image, float(np.mean(parts)), how))
    return sorted(matches, key=lambda m: -m.score)[:k]


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
