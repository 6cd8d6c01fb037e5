"""The plan: an ordered list of tool steps, or a question back (``ask``), or a direct ``answer``.

Validation happens in code, never in the model: every tool is a contract tool, arguments pass that tool's
input model, every input resolves (an attachment that exists, an earlier step's image, the thread's last
image), images are not used when none is attached, and there are at most 8 steps. A plan that fails is
repaired where that is safe, otherwise turned into a question or an answer — never executed.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from atelier.agent.catalogue import catalogue
from atelier.tools.core.registry import get_tool, tool_names

MAX_STEPS = 8
REF = re.compile(r"^(attachment:(?P<att>\d+)|\$step(?P<step>\d+)\.image|\$last\.image)$")


class Step(BaseModel):
    id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, str] = Field(default_factory=dict)


class Plan(BaseModel):
    planner: str
    steps: list[Step] = Field(default_factory=list)
    ask: str | None = None
    answer: str | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def tools(self) -> list[str]:
        return [s.tool for s in self.steps]


def _args_schema(tool: str) -> dict[str, Any]:
    """An installed tool's argument properties (types only, no extra keys); {} for the others."""
    if tool not in tool_names():
        return {"type": "object", "properties": {}, "additionalProperties": False}
    props = {}
    for name, spec in get_tool(tool).args_model.model_json_schema().get("properties", {}).items():
        kinds = [spec.get("type")] + [a.get("type") for a in spec.get("anyOf", [])]
        kind = next((k for k in kinds if k in ("number", "integer", "string", "boolean")), None)
        if kind:
            props[name] = {"type": kind}
    return {"type": "object", "properties": props, "additionalProperties": False}


def plan_json_schema(tools: list[str] | None = None) -> dict[str, Any]:
    """The JSON schema an LLM's output is constrained to: known tools, their argument names, known input
    references, at most 8 steps, a short answer."""
    tools = tools or list(catalogue())
    refs = [f"attachment:{i}" for i in range(4)] + [f"$step{i}.image" for i in range(1, MAX_STEPS)] + ["$last.image"]
    ref = {"type": "string", "enum": refs}
    steps = [{"type": "object", "properties": {
        "tool": {"type": "string", "enum": [tool]},
        "inputs": {"type": "object", "properties": {"image": ref, "ref": ref}, "additionalProperties": False},
        "args": _args_schema(tool),
    }, "required": ["tool", "inputs", "args"], "additionalProperties": False} for tool in tools]
    return {"type": "object", "properties": {
        "steps": {"type": "array", "items": {"anyOf": steps}, "maxItems": MAX_STEPS},
        "answer": {"type": "string", "maxLength": 100},
    }, "required": ["steps"], "additionalProperties": False}


def _arg_errors(tool: str, args: dict[str, Any]) -> str | None:
    if tool not in tool_names():
        return None  # not installed: its arguments are checked when it is
    try:
        get_tool(tool).args_model.model_validate(args)
    except ValidationError as exc:
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return None


def validate(plan: Plan, n_attachments: int, has_last_image: bool = False) -> Plan:
    """Return a plan that is safe to run: the same plan, a repaired one, or an ask/answer."""
    if plan.ask or plan.answer or not plan.steps:
        if not plan.steps and not plan.ask and not plan.answer:
            return plan.model_copy(update={"answer": "I'm not sure what to do with that.", "steps": []})
        return plan.model_copy(update={"steps": []})
    if len(plan.steps) > MAX_STEPS:
        return plan.model_copy(update={"steps": [], "ask": (
            f"That is {len(plan.steps)} steps; I run at most {MAX_STEPS} in one request. For many files, use "
            "`atelier batch TOOL --input FOLDER --jsonl OUT`, or split the request.")})
    known = catalogue()
    problems: list[str] = []
    steps: list[Step] = []
    for i, step in enumerate(plan.steps, start=1):
        step = step.model_copy(update={"id": f"step{i}"})
        if step.tool not in known:
            return plan.model_copy(update={"steps": [], "answer": (
                f"I have no tool called {step.tool!r}. " + "Atelier's tools: " + ", ".join(known) + ".")})
        error = _arg_errors(step.tool, step.args)
        if error:
            problems.append(f"{step.id} ({step.tool}): {error}")
        for role, value in step.inputs.items():
            m = REF.match(value or "")
            if not m:
                problems.append(f"{step.id}: input {role}={value!r} is not an attachment or an earlier step")
            elif m["att"] is not None and int(m["att"]) >= n_attachments:
                problems.append(f"{step.id}: {role} refers to attachment {int(m['att']) + 1}, "
                                f"but {n_attachments} {'is' if n_attachments == 1 else 'are'} attached")
            elif m["step"] is not None and not 1 <= int(m["step"]) < i:
                problems.append(f"{step.id}: {role} refers to a step that has not run before it")
            elif value == "$last.image" and not has_last_image:
                problems.append(f"{step.id}: {role} refers to the last result, but this thread has none")
        if known[step.tool].needs_image and "image" not in step.inputs:
            problems.append(f"{step.id} ({step.tool}) needs an image")
        steps.append(step)
    if problems:
        needs_image = any("attach" in p or "needs an image" in p or "last result" in p for p in problems)
        if needs_image and n_attachments == 0:
            return plan.model_copy(update={"steps": [], "ask": "Please attach the image you want me to work on."})
        return plan.model_copy(update={"steps": [], "ask": "I could not make a safe plan: " + "; ".join(problems)})
    return plan.model_copy(update={"steps": steps})
