"""The index: a Chroma ``PersistentClient`` under ``ATELIER_HOME/store``, always fed our own embeddings
(Chroma's default embedding function downloads a model). Collections: ``styles_text``, ``styles_image``,
``runs_text``, ``runs_image``. Chroma is an index, not the source of truth: the style library and the run
records are, and ``rebuild`` recreates every collection from them. One writer at a time across processes
(a file lock): concurrent writers from two processes can lose vectors silently.

A collection's vectors only mean something to the embedder that made them, so the store records which
embedders (name and dimension) built it; opening it with different ones empties every collection, and the
catch-up indexing refills them from the sources.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

COLLECTIONS = ("styles_text", "styles_image", "runs_text", "runs_image", "styles_clip")
SCHEMA_VERSION = 1


def schema() -> str:
    """What the built-in collections' vectors depend on; a change invalidates the index."""
    from atelier.knowledge.embedders.descriptor import DescriptorEmbedder
    from atelier.knowledge.embedders.minilm import MiniLMEmbedder

    return (f"store-{SCHEMA_VERSION} {MiniLMEmbedder.name}-{MiniLMEmbedder.dim} "
            f"{DescriptorEmbedder.name}-{DescriptorEmbedder.version}-{DescriptorEmbedder.dim}")


@dataclass(frozen=True)
class Hit:
    id: str
    score: float  # cosine similarity, 1 = identical direction
    metadata: dict[str, Any]


class Store:
    def __init__(self, home: Path):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.home = Path(home)
        self.path = self.home / "store"
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock_path = self.home / "store.lock"
        if not (self.path / "chroma.sqlite3").exists():  # a deleted store: drop Chroma's in-process handle to it
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        with open(self.lock_path, "a") as fh:  # a fresh store creates its tables: one process at a time
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self.client = chromadb.PersistentClient(path=str(self.path),
                                                        settings=ChromaSettings(anonymized_telemetry=False))
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        self._check_schema()

    def _check_schema(self) -> None:
        marker = self.path / "schema"
        want = schema()
        if marker.exists() and marker.read_text() == want:
            return
        self.reset()
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(want)
        tmp.replace(marker)

    def collection(self, name: str):
        if name not in COLLECTIONS:
            raise ValueError(f"unknown collection {name!r}")
        return self.client.get_or_create_collection(name, embedding_function=None,
                                                    metadata={"hnsw:space": "cosine"})

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Exclusive across processes for the duration of a write."""
        with open(self.lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def upsert(self, name: str, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]],
               documents: list[str] | None = None) -> None:
        if not ids:
            return
        with self.writing():
            self.collection(name).upsert(ids=ids, embeddings=np.asarray(vectors, np.float32).tolist(),
                                         metadatas=metadatas, documents=documents)

    def delete(self, name: str, ids: list[str]) -> None:
        with self.writing():
            self.collection(name).delete(ids=ids)

    def ids(self, name: str) -> set[str]:
        return set(self.collection(name).get(include=[])["ids"])

    def count(self, name: str) -> int:
        return self.collection(name).count()

    def query(self, name: str, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        col = self.collection(name)
        n = col.count()
        if n == 0:
            return []
        res = col.query(query_embeddings=[np.asarray(vector, np.float32).tolist()], n_results=min(k, n),
                        where=where, include=["metadatas", "distances"])
        return [Hit(i, 1.0 - float(d), m or {}) for i, d, m in
                zip(res["ids"][0], res["distances"][0], res["metadatas"][0], strict=True)]

    def drop(self, name: str) -> None:
        """Delete a collection outright (its vector dimension goes with it, unlike deleting its ids)."""
        with self.writing(), contextlib.suppress(Exception):  # chromadb's NotFound types differ across versions
            self.client.delete_collection(name)

    def reset(self) -> None:
        """Empty every collection and forget what they were built from."""
        for name in COLLECTIONS:
            self.drop(name)
        for marker in self.path.glob("*.fingerprint"):
            marker.unlink(missing_ok=True)
