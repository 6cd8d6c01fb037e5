"""await_input: the run pauses (LangGraph ``interrupt``) until the user attaches what a step asked for, then
carries on from that step with the new image in the asked-for role (``Command(resume=...)``)."""

from __future__ import annotations

from langgraph.types import interrupt

from atelier.agent.state import AgentState


def await_input_node(state: AgentState) -> dict:
    waiting = state["awaiting"]
    answer = interrupt({"question": waiting["question"], "role": waiting["role"]})
    attachments = list(state.get("attachments", [])) + list(answer.get("attachments", []))
    plan = dict(state["plan"])
    steps = [dict(s) for s in plan["steps"]]
    index = waiting["step"]
    steps[index]["inputs"] = {**steps[index]["inputs"], waiting["role"]: f"attachment:{len(attachments) - 1}"}
    plan["steps"] = steps
    plan["notes"] = [*plan.get("notes", []), f"resumed with the new attachment as {waiting['role']} for "
                     f"{steps[index]['id']}"]
    return {"attachments": attachments, "plan": plan, "results": state["results"][:index], "cursor": index,
            "awaiting": None, "new_attachments": [a["path"] for a in answer.get("attachments", [])],
            "request": answer.get("request") or state.get("request"),
            "request_id": answer.get("request_id") or state.get("request_id")}
