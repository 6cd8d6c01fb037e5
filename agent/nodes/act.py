"""act: run one step in code, stream progress, feed outputs forward; a failing step stops the chain."""

from __future__ import annotations

import re

from atelier.agent.catalogue import catalogue
from atelier.agent.invoke import CallContext, call_tool
from atelier.agent.state import AgentState, StepResult
from atelier.tools.core.registry import get_tool, tool_names

STEP_REF = re.compile(r"^\$(step\d+)\.(\w+)$")


def resolve(value: str, state: AgentState, results: list[StepResult]) -> str | None:
    """An input reference -> a file path (None when it cannot be resolved)."""
    if value.startswith("attachment:"):
        i = int(value.split(":", 1)[1])
        attachments = state.get("attachments", [])
        return attachments[i]["path"] if i < len(attachments) else None
    if value == "$last.image":
        return state.get("last_image")
    m = STEP_REF.match(value)
    if m:
        done = next((r for r in results if r["id"] == m[1]), None)
        if done is None:
            return None
        if done.get("skipped"):  # a skipped step hands its input through, and the answer says so
            passed = done.get("inputs", {}).get("image")
            return resolve(passed, state, results) if passed else None
        return done.get("result", {}).get("artifacts", {}).get(m[2])
    return None


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
    if step["tool"] not in tool_names():
        entry.update(ok=False, skipped=True, reason=(
            f"{step['tool']} is not available in this version of Atelier ({catalogue()[step['tool']].description})"))
        results.append(entry)
        return {"results": results, "cursor": i + 1}
    paths = {role: resolve(ref, state, results) for role, ref in step["inputs"].items()}
    thread_id = (config or {}).get("configurable", {}).get("thread_id")

    def progress(fraction: float, message: str) -> None:
        write({"event": "progress", "index": i + 1, "total": total, "tool": step["tool"], "message": message,
               "percent": 100.0 * (i + fraction) / total})

    args = {**state.get("defaults", {}).get(step["tool"], {}), **step["args"]}
    accepted = get_tool(step["tool"]).args_model.model_fields
    args = {k: v for k, v in args.items() if k in accepted or k in step["args"]}
    result = call_tool(step["tool"], paths, args, progress=progress, context=CallContext(
        request=state.get("request"), request_id=state.get("request_id"), thread_id=thread_id, step_id=step["id"]))
    warnings = [w for a in state.get("attachments", []) for w in a.get("warnings", [])]
    if warnings:
        result.warnings = list(dict.fromkeys(warnings + result.warnings))
    entry.update(ok=result.ok, result=result.model_dump(mode="json"))
    results.append(entry)
    write({"event": "done" if result.ok else "failed", "index": i + 1, "total": total, "tool": step["tool"],
           "percent": 100.0 * (i + 1) / total})
    return {"results": results, "cursor": i + 1}


def route_after_act(state: AgentState) -> str:
    results = state.get("results", [])
    if results and not results[-1].get("ok") and not results[-1].get("skipped"):
        return "respond"
    return "act" if state.get("cursor", 0) < len(state["plan"]["steps"]) else "respond"
