"""One turn of a conversation: attachments stored once, the graph run on a thread, progress streamed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.types import Command

from atelier.agent.graph import build_graph, sqlite_checkpointer
from atelier.agent.state import Attachment
from atelier.core.config import Settings, load_settings
from atelier.core.errors import ToolError
from atelier.core.images import load_image, save_png_atomic, sha256_bytes
from atelier.runs.store import RunStore


@dataclass
class Reply:
    thread_id: str
    request_id: str
    answer: str
    plan: dict[str, Any]
    results: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def store_attachment(path: Path, settings: Settings) -> Attachment:
    """Keep a metadata-free copy once per content hash; a file that can't be decoded is kept by reference,
    so the tool that reads it can say precisely what is wrong."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return {"path": str(path), "sha256": "", "warnings": []}
    sha = sha256_bytes(data)
    try:
        img = load_image(path, "RGBA", settings.limits)
    except ToolError:
        return {"path": str(path), "sha256": sha, "warnings": []}
    pixels = img.pixels if img.had_alpha else img.pixels[..., :3]
    stored = settings.home / "attachments" / sha[:2] / f"{sha}.png"
    if not stored.exists():
        save_png_atomic(pixels, stored)
    return {"path": str(stored), "sha256": sha, "warnings": img.warnings}


class Session:
    """A graph with its SQLite threads; create once per process, call ``ask`` per turn."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.runs = RunStore(self.settings.home)
        self.graph = build_graph(sqlite_checkpointer(self.settings.home / "threads.sqlite"))

    def ask(self, text: str, attachments: list[str | Path] | None = None, thread_id: str | None = None,
            planner: str | None = None, on_event: Callable[[dict[str, Any]], None] | None = None,
            defaults: dict[str, dict[str, Any]] | None = None) -> Reply:
        """One turn. ``defaults`` are per-tool argument defaults (a UI's sliders) that a plan's own
        arguments override."""
        thread_id = thread_id or f"t-{secrets.token_hex(4)}"
        request_id = f"r-{secrets.token_hex(4)}"
        config = {"configurable": {"thread_id": thread_id}}
        stored = [store_attachment(Path(p), self.settings) for p in attachments or []]
        if stored and self.awaiting(thread_id):  # the paused run asked for this image: carry on from its step
            inputs: Any = Command(resume={"attachments": stored, "request": text, "request_id": request_id})
        else:
            inputs = {"request": text, "request_id": request_id, "planner": planner or "", "defaults": defaults or {},
                      "attachments": stored, "plan": None, "results": [], "cursor": 0, "answer": "",
                      "awaiting": None}
        final: dict[str, Any] = {}
        for mode, chunk in self.graph.stream(inputs, config, stream_mode=["custom", "values"]):
            if mode == "custom" and on_event:
                on_event(chunk)
            elif mode == "values":
                final = chunk
        return Reply(thread_id, request_id, final.get("answer", ""), final.get("plan") or {},
                     final.get("results", []), [dict(a) for a in final.get("attachments", [])])

    def awaiting(self, thread_id: str) -> dict[str, Any] | None:
        """What a paused run of this thread asks the user to attach, or None."""
        snapshot = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        for task in snapshot.tasks:
            for pause in task.interrupts:
                return dict(pause.value)
        return None

    def history(self, thread_id: str) -> list[dict[str, Any]]:
        state = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        return list((state.values or {}).get("history", []))

    def threads(self) -> list[tuple[str, str]]:
        """(thread id, first request) of every stored conversation, most recent first."""
        conn = self.graph.checkpointer.conn
        rows = conn.execute("SELECT thread_id, MAX(checkpoint_id) FROM checkpoints GROUP BY thread_id "
                            "ORDER BY 2 DESC").fetchall()
        out = []
        for (thread_id, _) in rows:
            history = self.history(thread_id)
            out.append((thread_id, (history[0].get("request") or "") if history else ""))
        return out
