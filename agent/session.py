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
    notes: list[str] = field(default_factory=list)  # lines of the answer that are not a step's result
    awaiting: dict[str, Any] | None = None  # what the paused run asks the user to attach
    new_attachments: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def store_attachment(path: Path, settings: Settings, name: str | None = None) -> Attachment:
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
    return {"path": str(stored), "sha256": sha, "warnings": img.warnings, "name": name or Path(path).name}


class Session:
    """A graph with its SQLite threads; create once per process, call ``ask`` per turn."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.runs = RunStore(self.settings.home)
        self.graph = build_graph(sqlite_checkpointer(self.settings.home / "threads.sqlite"))

    def ask(self, text: str, attachments: list[str | Path] | None = None, thread_id: str | None = None,
            planner: str | None = None, on_event: Callable[[dict[str, Any]], None] | None = None,
            defaults: dict[str, dict[str, Any]] | None = None, names: list[str] | None = None) -> Reply:
        """One turn. ``defaults`` are per-tool argument defaults (a UI's sliders) that a plan's own
        arguments override; ``names`` are the attachments' own file names when the paths are temporary."""
        thread_id = thread_id or f"t-{secrets.token_hex(4)}"
        request_id = f"r-{secrets.token_hex(4)}"
        config = {"configurable": {"thread_id": thread_id}}
        given = list(names or [])
        stored = [store_attachment(Path(p), self.settings, given[i] if i < len(given) else None)
                  for i, p in enumerate(attachments or [])]
        if stored and self.awaiting(thread_id):  # the paused run asked for this image: carry on from its step
            inputs: Any = Command(resume={"attachments": stored, "request": text, "request_id": request_id})
        else:
            inputs = {"request": text, "request_id": request_id, "planner": planner or "", "defaults": defaults or {},
                      "attachments": stored, "plan": None, "results": [], "cursor": 0, "answer": "",
                      "awaiting": None, "new_attachments": [a["path"] for a in stored]}
        final: dict[str, Any] = {}
        for mode, chunk in self.graph.stream(inputs, config, stream_mode=["custom", "values"]):
            if mode == "custom" and on_event:
                on_event(chunk)
            elif mode == "values":
                final = chunk
        last = (final.get("history") or [{}])[-1].get("reply") or {}
        return Reply(thread_id, request_id, final.get("answer", ""), final.get("plan") or {},
                     final.get("results", []), [dict(a) for a in final.get("attachments", [])],
                     list(last.get("notes", [])), last.get("awaiting"), list(last.get("new_attachments", [])))

    def awaiting(self, thread_id: str) -> dict[str, Any] | None:
        """What a paused run of this thread asks the user to attach, or None."""
        snapshot = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        for task in snapshot.tasks:
            for pause in task.interrupts:
                return dict(pause.value)
        return None

    def _config(self, thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    def _values(self, thread_id: str) -> dict[str, Any]:
        return self.graph.get_state(self._config(thread_id)).values or {}

    def nodes(self, thread_id: str) -> list[dict[str, Any]]:
        """Every image the thread made, as a tree (``parent`` links); see ``path`` for the current branch."""
        return list(self._values(thread_id).get("nodes", []))

    def current(self, thread_id: str) -> str | None:
        return self._values(thread_id).get("current")

    def path(self, thread_id: str) -> list[dict[str, Any]]:
        """The nodes from the first result to the current one: the branch the next request continues."""
        by_id = {n["id"]: n for n in self.nodes(thread_id)}
        out, node = [], by_id.get(self.current(thread_id) or "")
        while node is not None:
            out.append(node)
            node = by_id.get(node.get("parent") or "")
        return out[::-1]

    def goto(self, thread_id: str, node_id: str | None, note: str = "") -> dict[str, Any] | None:
        """Make an earlier result current (no tool runs): the next request works on it, as a new branch.
        ``None`` goes back to before the first result."""
        by_id = {n["id"]: n for n in self.nodes(thread_id)}
        if node_id is not None and node_id not in by_id:
            raise ValueError(f"this conversation has no result {node_id!r}")
        node = by_id.get(node_id or "")
        answer = f"Back to: {node['label']} ({node['request'] or node['tool']})." if node else \
            "Back to the start: the next request works on your own image."
        reply = {"answer": answer, "plan": {}, "results": [], "attachments": [], "notes": [],
                 "event": {"kind": "goto", "node": node_id}}
        self.graph.update_state(self._config(thread_id), {
            "current": node_id, "last_image": node["image"] if node else None,
            "history": [{"request": note or None, "answer": answer, "tools": [], "reply": reply}]}, as_node="respond")
        return node

    def undo(self, thread_id: str) -> dict[str, Any] | None:
        """Step back to the result before the current one."""
        current = {n["id"]: n for n in self.nodes(thread_id)}.get(self.current(thread_id) or "")
        if current is None:
            raise ValueError("there is nothing to undo in this conversation")
        return self.goto(thread_id, current.get("parent"), note="undo")

    def adopt(self, thread_id: str, node_id: str, image: str) -> dict[str, Any]:
        """Choose one of a result's variations: it becomes a sibling node of that result, and current."""
        node = {n["id"]: n for n in self.nodes(thread_id)}.get(node_id)
        if node is None:
            raise ValueError(f"this conversation has no result {node_id!r}")
        chosen = {**node, "id": f"{node_id}:{Path(image).stem}", "image": image,
                  "label": f"{node['label']} ({Path(image).stem.replace('_', ' ')})"}
        answer = f"Chose {chosen['label']}: the next request works on it."
        reply = {"answer": answer, "plan": {}, "results": [], "attachments": [], "notes": [answer]}
        self.graph.update_state(self._config(thread_id), {
            "nodes": [chosen], "current": chosen["id"], "last_image": image,
            "history": [{"request": None, "answer": answer, "tools": [], "reply": reply}]}, as_node="respond")
        return chosen

    def rerun(self, thread_id: str, node_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Run a result's step again on the same inputs with changed arguments, as a sibling branch; it becomes
        current. Returns the new reply (like ``ask``'s) for the chat to show."""
        from atelier.runs.invoke import CallContext, call_tool

        node = {n["id"]: n for n in self.nodes(thread_id)}.get(node_id)
        if node is None:
            raise ValueError(f"this conversation has no result {node_id!r}")
        args = {**node.get("params", {}), **changes}
        request = f"re-run {node['label'].lower()} with " + ", ".join(f"{k}={v}" for k, v in changes.items())
        result = call_tool(node["tool"], node["inputs"], args, settings=self.settings, context=CallContext(
            request=request, thread_id=thread_id, step_id="rerun"))
        entry = {"id": "step1", "tool": node["tool"], "inputs": {}, "paths": dict(node["inputs"]), "ok": result.ok,
                 "result": result.model_dump(mode="json")}
        from atelier.agent.nodes.respond import describe_step, new_nodes

        made = new_nodes({"current": node.get("parent"), "request": request, "request_id": "rerun"}, [entry])
        answer = describe_step(1, entry)
        plan = {"planner": "rerun", "steps": [{"id": "step1", "tool": node["tool"], "args": args, "inputs": {}}]}
        reply = {"answer": answer, "plan": plan, "results": [entry], "attachments": [], "notes": []}
        update: dict[str, Any] = {"history": [{"request": request, "answer": answer, "tools": [node["tool"]],
                                                "reply": reply}]}
        if made:
            update.update(nodes=made, current=made[-1]["id"], last_image=made[-1]["image"])
        self.graph.update_state(self._config(thread_id), update, as_node="respond")
        return {"thread_id": thread_id, **reply}

    def history(self, thread_id: str) -> list[dict[str, Any]]:
        state = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        return list((state.values or {}).get("history", []))

    def threads(self) -> list[tuple[str, str]]:
        """(thread id, title) of every stored conversation, most recent first. A title is the name the user
        gave it, else the first request cut at a word; titles are kept unique with " (2)", " (3)" …"""
        conn = self.graph.checkpointer.conn
        with self._db():
            rows = conn.execute("SELECT thread_id, MAX(checkpoint_id) FROM checkpoints GROUP BY thread_id "
                                "ORDER BY 2 DESC").fetchall()
            names = dict(conn.execute("SELECT thread_id, title FROM thread_titles").fetchall())
        out, seen = [], {}
        for (thread_id, _) in reversed(rows):  # the oldest keeps the plain title
            title = names.get(thread_id) or short_title(next(
                (h.get("request") for h in self.history(thread_id) if h.get("request")), "") or "New conversation")
            seen[title] = seen.get(title, 0) + 1
            out.append((thread_id, title if seen[title] == 1 else f"{title} ({seen[title]})"))
        return out[::-1]

    def exists(self, thread_id: str) -> bool:
        """Whether this conversation has been started (has checkpoints)."""
        with self._db():
            return self.graph.checkpointer.conn.execute(
                "SELECT 1 FROM checkpoints WHERE thread_id = ? LIMIT 1", (thread_id,)).fetchone() is not None

    def _db(self):
        """The checkpointer's own lock: all conversations share one SQLite connection, and a commit must not
        land on another thread's transaction (the server runs conversations side by side)."""
        return self.graph.checkpointer.lock

    def rename(self, thread_id: str, title: str) -> None:
        title = " ".join(title.split())[:80]
        if not title:
            raise ValueError("a conversation needs a name")
        with self._db(), self.graph.checkpointer.conn as conn:
            conn.execute("INSERT OR REPLACE INTO thread_titles VALUES (?, ?)", (thread_id, title))

    def delete_thread(self, thread_id: str) -> int:
        """Forget a conversation: its checkpoints, its title, and every run it made (records, files and, at
        the next search, index entries). Returns how many runs were removed."""
        runs = [r for r in self.runs.thread_runs(thread_id)]
        for run_id in runs:
            self.runs.delete(run_id)
        self.graph.checkpointer.delete_thread(thread_id)
        with self._db(), self.graph.checkpointer.conn as conn:
            conn.execute("DELETE FROM thread_titles WHERE thread_id = ?", (thread_id,))
        return len(runs)


def short_title(text: str, limit: int = 40) -> str:
    """The first words of a request, cut at a word boundary: "make it a pencil sketch and then…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",.;:") + "…"
