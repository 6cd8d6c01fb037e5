"""act: run one step in code, stream progress, feed outputs forward; a failing step stops the chain."""

from __future__ import annotations

from atelier.agent.catalogue import catalogue
from atelier.agent.refs import parse, resolve_inputs
from atelier.agent.state import AgentState, StepResult
from atelier.runs.invoke import CallContext, call_tool


def _names(inputs: dict[str, str], attachments: list[dict]) -> dict[str, str]:
    """The user's own file names of the attachments a step reads (for finding the run by them later)."""
    out = {}
    for role, value in inputs.items():
        ref = parse(value)
        if ref is not None and ref.kind == "attachment" and ref.index < len(attachments):
            out[role] = attachments[ref.index].get("name", "")
    return out


def _writer():
    try:
        from langgraph.config import get_stream_writer

        return get_stream_writer()
    except (ImportError, RuntimeError):
        return lambda _event: None


def act_node(state: AgentState, config=None) -> dict:
    plan = state["plan"]
    steps = plan["steps"]
    i = state.get("cursor", 0)
    step = steps[i]
    results = list(state.get("results", []))
    write = _writer()
    total = len(steps)
    write({"event": "step", "index": i + 1, "total": total, "tool": step["tool"], "percent": 100.0 * i / total})
    entry: StepResult = {"id": step["id"], "tool": step["tool"], "inputs": dict(step["inputs"])}
    paths = resolve_inputs(step["inputs"], state.get("attachments", []), results, state.get("last_image"))
    thread_id = (config or {}).get("configurable", {}).get("thread_id")

    def progress(fraction: float, message: str) -> None:
        write({"event": "progress", "index": i + 1, "total": total, "tool": step["tool"], "message": message,
               "percent": 100.0 * (i + fraction) / total})

    args = {**state.get("defaults", {}).get(step["tool"], {}), **step["args"]}
    accepted = catalogue()[step["tool"]].args_model.model_fields
    args = {k: v for k, v in args.items() if k in accepted or k in step["args"]}
    result = call_tool(step["tool"], paths, args, progress=progress, context=CallContext(
        request=state.get("request"), request_id=state.get("request_id"), thread_id=thread_id, step_id=step["id"],
        names=_names(step["inputs"], state.get("attachments", []))))
    warnings = [w for a in state.get("attachments", []) for w in a.get("warnings", [])]
    if warnings:
        result.warnings = list(dict.fromkeys(warnings + result.warnings))
    entry.update(ok=result.ok, paths=paths, result=result.model_dump(mode="json"))
    results.append(entry)
    write({"event": "done" if result.ok else "failed", "index": i + 1, "total": total, "tool": step["tool"],
           "percent": 100.0 * (i + 1) / total})
    return {"results": results, "cursor": i + 1}


def route_after_act(state: AgentState) -> str:
    from atelier.core.cancel import requested

    results = state.get("results", [])
    if requested():  # a cancelled turn runs no further step
        return "respond"
    if results and not results[-1].get("ok") and not results[-1].get("skipped"):
        return "respond"
    return "act" if state.get("cursor", 0) < len(state["plan"]["steps"]) else "respond"
