"""revert: "undo that" / "go back to the sketch" — no tool runs; the thread's working image (``last_image``)
becomes an earlier result. ``"$last"`` undoes the last turn that changed the image (its input comes back);
``"turn:K"`` takes the result of turn K (from 1) of this thread."""

from __future__ import annotations

from typing import Any

from atelier.agent.nodes.respond import main_image
from atelier.agent.plan import parse_revert
from atelier.agent.state import AgentState


def _made(entry: dict[str, Any]) -> str | None:
    """The image a turn left as the working image: its main output, or what a revert went back to."""
    reply = entry.get("reply") or {}
    return reply.get("image") if reply.get("revert") else main_image(reply.get("results") or [])


def _before(entry: dict[str, Any]) -> str | None:
    """The working image before that turn: a revert's previous image, else the first step's input image."""
    reply = entry.get("reply") or {}
    if reply.get("revert"):
        return reply.get("previous")
    for result in reply.get("results") or []:
        image = (result.get("paths") or {}).get("image")
        if image:
            return image
    return None


def target_image(history: list[dict[str, Any]], revert: str) -> tuple[str | None, str]:
    """(the image to go back to, how the answer names it)."""
    target = parse_revert(revert)
    if target == "$last":
        for k in range(len(history), 0, -1):
            if _made(history[k - 1]):
                return _before(history[k - 1]), f"before turn {k}"
        return None, ""
    if isinstance(target, int) and 1 <= target <= len(history):
        return _made(history[target - 1]), f"the result of turn {target}"
    return None, ""


def revert_node(state: AgentState) -> dict:
    plan = state["plan"]
    history = list(state.get("history", []))
    image, label = target_image(history, plan["revert"])
    if image:
        answer = f"Planner: {plan['planner']}.\nBack to {label}: {image}. No tool ran; the next request works on it."
        update: dict[str, Any] = {"last_image": image}
    else:
        answer = (f"Planner: {plan['planner']}.\nThere is no earlier result in this conversation to go back to "
                  f"({plan['revert']}); nothing changed.")
        update = {}
    reply = {"answer": answer, "plan": plan, "results": [], "attachments": state.get("attachments", []),
             "revert": plan["revert"], "image": image, "previous": state.get("last_image")}
    update.update(answer=answer, history=[{"request": state.get("request"), "request_id": state.get("request_id"),
                                           "answer": answer, "tools": [], "reply": reply}])
    return update
