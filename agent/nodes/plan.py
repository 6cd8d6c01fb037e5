"""plan: the planner turns the request into a Plan."""

from __future__ import annotations

from atelier.agent.planners import PlanRequest, get_planner
from atelier.agent.state import AgentState


def plan_node(state: AgentState) -> dict:
    attachments = state.get("attachments", [])
    planner = get_planner(state.get("planner") or None)
    plan = planner.plan(PlanRequest(state["request"], len(attachments), bool(state.get("last_image"))))
    return {"plan": plan.model_dump(), "awaiting": None}
