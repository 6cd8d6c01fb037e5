"""Near-duplicate detection between training requests and held-out eval requests (word 3-gram Jaccard).

The trainer drops any generated example that is a near duplicate of a held-out request (decontamination: the
held-out texts only ever remove training examples, never add or shape any), and a test checks the result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

NEAR = 0.8  # word 3-gram Jaccard at or above this is a near duplicate
REPO = Path(__file__).resolve().parents[3]
# every held-out list: generated data is kept clear of all of them; with ``--list-repeat`` the seen ones among
# them (``lists.TRAIN_LISTS``) are trained on and only the rest stay held out (``still_held_out``)
HELD_OUT = ("evals/agent/holdout_v2.jsonl", "evals/agent/holdout_v3.jsonl", "evals/agent/holdout_v4.jsonl",
            "evals/agent/holdout_v5.jsonl", "evals/agent/holdout_v6.jsonl", "evals/agent/holdout_v7.jsonl",
            "evals/agent/holdout_v8.jsonl")


def grams(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    words = ["<s>", *re.findall(r"[a-z0-9]+", text.lower()), "</s>"]
    return frozenset(tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))


def list_rows(root: Path, lists: Iterable[str]) -> Iterator[dict]:
    """The rows of the eval lists (``.jsonl`` paths relative to ``root``) this checkout has, in file order."""
    for rel in lists:
        path = root / rel
        for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
            if line.strip():
                yield json.loads(line)


def held_out_texts(root: Path = REPO, lists: tuple[str, ...] = HELD_OUT) -> list[str]:
    """Request texts (and thread texts) of the held-out lists, when this is a checkout that has them."""
    out = []
    for row in list_rows(root, lists):
        out += [row["text"]] + [t.get("text", "") for t in row.get("thread") or [] if t.get("text")]
    return out


class Index:
    """Which texts of a set a query text nearly duplicates."""

    def __init__(self, texts: Iterable[str]):
        self.grams = [grams(t) for t in texts]
        self.postings: dict[tuple[str, ...], list[int]] = {}
        for i, g in enumerate(self.grams):
            for x in g:
                self.postings.setdefault(x, []).append(i)

    def similarity(self, text: str) -> float:
        g = grams(text)
        shared: dict[int, int] = {}
        for x in g:
            for i in self.postings.get(x, ()):
                shared[i] = shared.get(i, 0) + 1
        return max((c / len(g | self.grams[i]) for i, c in shared.items()), default=0.0)

    def near(self, text: str) -> bool:
        return self.similarity(text) >= NEAR
