"""validate: code, not the model, decides whether a plan may run (see ``agent.plan.validate``)."""

from __future__ import annotations

from atelier.agent.plan import Plan, validate
from atelier.agent.state import AgentState


def validate_node(state: AgentState) -> dict:
    plan = Plan.model_validate(state["plan"])
    checked = validate(plan, len(state.get("attachments", [])), bool(state.get("last_image")))
    return {"plan": checked.model_dump(), "cursor": 0, "results": []}


def route_after_validate(state: AgentState) -> str:
    plan = state["plan"]
    if plan.get("ask"):
        return "ask"
    if plan.get("revert") and not plan.get("steps"):
        return "revert"
    return "act" if plan.get("steps") else "respond"
