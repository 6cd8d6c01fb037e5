"""Seen eval lists as training examples: requests that earlier rounds' blind writers worded, with their plans.

Each round's held-out list is written blind, scored once, and from then on is seen (rules were read from its
misses). The generator's templates are one author's wording; these lists are many people's, so the planner
learns from them too (``atelier models train-planner --list-repeat N``). Only lists that are no longer held
out are read (``TRAIN_LISTS``); the newer lists of ``overlap.HELD_OUT`` stay held out, and their near
duplicates are dropped from whatever is trained on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atelier.agent.planners.training.overlap import REPO, list_rows

TRAIN_LISTS = ("evals/agent/dev_v3.jsonl", "evals/agent/dev_v4.jsonl", "evals/agent/dev_v5.jsonl",
               "evals/agent/holdout_v2.jsonl", "evals/agent/holdout_v3.jsonl", "evals/agent/holdout_v4.jsonl",
               "evals/agent/holdout_v5.jsonl", "evals/agent/holdout_v6.jsonl")


def reply_code(category: str) -> str:
    """The reply code an ``answer`` of a list's category stands for (the eval accepts any answer)."""
    for part, code in (("privacy", "privacy"), ("unsupported", "unsupported"), ("injection", "refuse")):
        if part in category:
            return code
    return "capabilities"


def target_of(row: dict[str, Any]) -> dict[str, Any]:
    """A list row's ``expected`` as the compact plan target the model writes."""
    exp = row["expected"]
    if exp.get("steps"):
        return {"steps": [{"tool": s["tool"], "inputs": s.get("inputs") or {}, "args": s.get("args") or {}}
                          for s in exp["steps"]]}
    if exp.get("revert"):
        return {"steps": [], "revert": exp["revert"]}
    if exp.get("ask"):
        return {"steps": [], "reply": "ask_image"}
    return {"steps": [], "reply": reply_code(row.get("category", ""))}


def list_examples(root: Path = REPO, lists: tuple[str, ...] = TRAIN_LISTS) -> list[dict[str, Any]]:
    """The rows of ``lists`` (those this checkout has) as generator-shaped examples, in file order."""
    return [{"text": " ".join(row["text"].split()), "attachments": row["attachments"],
             "thread": row.get("thread") or [], "target": target_of(row), "category": f"list:{row.get('category', '')}"}
            for row in list_rows(root, lists)]
