"""respond / ask: a short, honest answer — which tools ran, on which backend, what they found (each result's
card), the files, what was skipped or failed and why. Questions that need no tool are answered by code."""

from __future__ import annotations

from typing import Any

from atelier.agent.catalogue import catalogue, chains_image
from atelier.agent.present import card_for
from atelier.agent.state import AgentState
from atelier.core.cards import card_text

FIXABLE = {"NEEDS_REFERENCE": "ref"}  # error code -> the input role the user can attach to carry on


def describe_step(n: int, entry: dict[str, Any]) -> str:
    tool = entry["tool"]
    if entry.get("skipped"):
        return f"{n}. {tool}: skipped — {entry['reason']}."
    r = entry["result"]
    if not r["ok"]:
        return f"{n}. {tool} failed [{r['error']['code']}]: {r['error']['message']}"
    card = card_for(tool, r, entry.get("paths"))
    return f"{n}. {tool} ran (backend {r['backend']}): " + card_text(card, files=True)


def main_image(results: list[dict[str, Any]]) -> str | None:
    for entry in reversed(results):
        image = entry.get("result", {}).get("artifacts", {}).get("image") if entry.get("ok") else None
        if image:
            return image
    return None


def new_nodes(state: AgentState, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A history node for every image a step made of the working image, each the child of the one before."""
    parent = state.get("current")
    nodes = []
    for entry in results:
        result = entry.get("result") or {}
        spec = catalogue().get(entry["tool"])
        image = (result.get("artifacts") or {}).get("image")
        if not entry.get("ok") or not image or spec is None or not chains_image(spec):
            continue
        card = card_for(entry["tool"], result, entry.get("paths"))
        node = {"id": result["run_id"] or f"{state.get('request_id')}-{entry['id']}", "image": image,
                "tool": entry["tool"], "label": card.title, "parent": parent, "request": state.get("request"),
                "params": {k: v for k, v in (result.get("outputs") or {}).items() if k in spec.controls},
                "inputs": {k: v for k, v in (entry.get("paths") or {}).items() if v}}
        nodes.append(node)
        parent = node["id"]
    return nodes


def planner_line(plan: dict[str, Any]) -> str:
    """Which planner made the plan, and what code (not the model) filled in, so no model output passes as its
    own work: "Planner: llm. Completed by code: step1 (open_eyes) ref = attachment:1, …"."""
    filled = [n.removeprefix("completed by code: ") for n in plan.get("notes", []) if n.startswith("completed by code")]
    return f"Planner: {plan['planner']}." + (f" Completed by code: {'; '.join(filled)}." if filled else "")


def respond_node(state: AgentState) -> dict:
    plan = state["plan"]
    results = state.get("results", [])
    update: dict[str, Any] = {"awaiting": None}
    if not plan.get("steps"):  # words from code (a planner's reply code, a refusal, the catalogue), never model prose
        answer = planner_line(plan) + "\n" + (plan.get("answer") or "I'm not sure what to do with that.")
    else:
        lines = [describe_step(i, e) for i, e in enumerate(results, start=1)]
        not_run = [s["tool"] for s in plan["steps"][len(results):]]
        last = results[-1] if results else None
        if last and not last.get("ok") and not last.get("skipped"):
            code = last["result"]["error"]["code"]
            if code in FIXABLE:
                update["awaiting"] = {"step": len(results) - 1, "role": FIXABLE[code],
                                      "question": last["result"]["error"]["message"]}
                lines.append("Attach that photo in this conversation and I will carry on from this step.")
            if not_run:
                lines.append("Not run because of that: " + ", ".join(not_run) + ".")
        answer = planner_line(plan) + "\n" + "\n".join(lines)
        nodes = new_nodes(state, results)
        if nodes:
            update.update(nodes=nodes, current=nodes[-1]["id"], last_image=nodes[-1]["image"])
        elif main_image(results):
            update["last_image"] = main_image(results)
    update["answer"] = answer
    notes = [line for line in lines if not line[:1].isdigit()] if plan.get("steps") else []
    reply = {"answer": answer, "plan": plan, "results": results, "attachments": state.get("attachments", []),
             "new_attachments": state.get("new_attachments", []), "awaiting": update["awaiting"], "notes": notes}
    update["history"] = [{"request": state.get("request"), "request_id": state.get("request_id"),
                          "answer": answer, "tools": [s["tool"] for s in plan.get("steps", [])], "reply": reply}]
    return update


def route_after_respond(state: AgentState) -> str:
    return "await_input" if state.get("awaiting") else "end"


def ask_node(state: AgentState) -> dict:
    question = planner_line(state["plan"]) + "\n" + state["plan"]["ask"]
    reply = {"answer": question, "plan": state["plan"], "results": [], "attachments": state.get("attachments", []),
             "new_attachments": state.get("new_attachments", [])}
    return {"answer": question, "history": [{"request": state.get("request"), "request_id": state.get("request_id"),
                                             "answer": question, "tools": [], "reply": reply}]}
