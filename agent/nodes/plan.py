"""plan: the planner turns the request into a Plan (or resumes one that was waiting for an attachment)."""

from __future__ import annotations

from atelier.agent.plan import Plan
from atelier.agent.planners import PlanRequest, get_planner
from atelier.agent.state import AgentState


def plan_node(state: AgentState) -> dict:
    pending = state.get("pending")
    attachments = state.get("attachments", [])
    if pending and len(attachments) > pending["n_attachments"]:
        plan = Plan.model_validate(pending["plan"])
        step = plan.steps[pending["step"]]
        step.inputs[pending["role"]] = f"attachment:{len(attachments) - 1}"
        plan.notes.append(f"resumed with the new attachment as {pending['role']} for {step.id}")
        return {"plan": plan.model_dump(), "pending": None}
    planner = get_planner(state.get("planner") or None)
    plan = planner.plan(PlanRequest(state["request"], len(attachments), bool(state.get("last_image"))))
    return {"plan": plan.model_dump(), "pending": None}
