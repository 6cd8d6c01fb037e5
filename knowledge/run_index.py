"""Past runs in the index: every successful recorded run is put in ``runs_text`` (what was asked, which
tool and style, key numbers) and ``runs_image`` (its output image). Indexing catches up from the run
records whenever the index is queried or rebuilt, so recording a run never waits for the embedders, and a
deleted store loses nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from atelier.knowledge.store import Store
from atelier.runs.store import RunStore


def describe_run(record: dict[str, Any]) -> str:
    """The text a run is found by: what was asked, the tool, its backend and style, and the tool's own words."""
    from atelier.core.registry import get_tool

    out = record.get("outputs", {})
    bits = [record.get("context", {}).get("request") or "", record["tool"].replace("_", " "),
            f"backend {record.get('backend')}"]
    if out.get("style"):
        bits.append(f"style {out['style']}")
    spec = get_tool(record["tool"])
    if spec.describe_run is not None:
        bits.append(spec.describe_run(record))
    return ". ".join(b for b in bits if b)


def indexed_tools() -> tuple[str, ...]:
    """Tools whose runs the index holds: those whose spec says how a run is found."""
    from atelier.core.registry import all_tools

    return tuple(spec.name for spec in all_tools() if spec.describe_run is not None)


def sync(store: Store, runs: RunStore, batch: int = 256) -> int:
    """Index successful runs the index does not have yet (and drop ones whose records are gone)."""
    from atelier.core.images import load_image
    from atelier.knowledge.embedders.descriptor import image_descriptor
    from atelier.knowledge.embedders.minilm import minilm

    have = store.ids("runs_text")
    ok_ids = set(runs.ok_ids(indexed_tools()))
    gone = sorted(have - ok_ids)
    if gone:
        store.delete("runs_text", gone)
        store.delete("runs_image", sorted(set(gone) & store.ids("runs_image")))
    todo = sorted(ok_ids - have)
    for start in range(0, len(todo), batch):
        records = [r for r in (runs.get(i) for i in todo[start:start + batch]) if r]
        texts = [describe_run(r) for r in records]
        meta = [{"run_id": r["run_id"], "tool": r["tool"], "request": (r.get("context") or {}).get("request") or "",
                 "image": r.get("artifacts", {}).get("image") or ""} for r in records]
        store.upsert("runs_text", [r["run_id"] for r in records], minilm().encode(texts), meta, texts)
        with_images = [(r, m) for r, m in zip(records, meta, strict=True) if m["image"] and Path(m["image"]).exists()]
        if with_images:
            vectors = np.stack([image_descriptor(load_image(m["image"]).pixels) for _, m in with_images])
            store.upsert("runs_image", [r["run_id"] for r, _ in with_images], vectors, [m for _, m in with_images])
    return len(todo)
