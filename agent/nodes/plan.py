"""plan: the planner turns the request into a Plan; it sees the attachments' count and a short summary of the
thread's earlier turns (their steps, or what a turn went back to), so follow-ups can refer to them."""

from __future__ import annotations

from typing import Any

from atelier.agent.planners import PlanRequest, get_planner
from atelier.agent.state import AgentState


def thread_turns(history: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The thread's turns as planners read them: ``{"steps", "attachments", "revert"?}``, oldest first."""
    turns = []
    for entry in history:
        reply = entry.get("reply") or {}
        plan = reply.get("plan") or {}
        steps = [{"tool": s["tool"], "args": dict(s.get("args") or {}), "inputs": dict(s.get("inputs") or {})}
                 for s in plan.get("steps") or []]
        turn: dict[str, Any] = {"steps": steps, "attachments": len(reply.get("attachments") or [])}
        if reply.get("revert"):
            turn["revert"] = reply["revert"]
        turns.append(turn)
    return tuple(turns)


def plan_node(state: AgentState) -> dict:
    attachments = state.get("attachments", [])
    planner = get_planner(state.get("planner") or None)
    request = PlanRequest(state.get("request") or "", len(attachments), bool(state.get("last_image")),
                          thread_turns(state.get("history", [])))
    plan = planner.plan(request)
    return {"plan": plan.model_dump(), "awaiting": None}
