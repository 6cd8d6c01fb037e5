"""The plan: an ordered list of tool steps, or a question back (``ask``), or a direct ``answer``.

Validation happens in code, never in the model: every tool is a contract tool, arguments pass that tool's
input model, every input resolves (an attachment that exists, an earlier step's image, the thread's last
image), images are not used when none is attached, and there are at most 8 steps. A plan that fails is
repaired where that is safe, otherwise turned into a question or an answer — never executed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from atelier.agent.catalogue import catalogue
from atelier.agent.refs import parse

MAX_STEPS = 8
MAX_ATTACHMENTS = 10  # attachment:0 … attachment:9 (a burst of ten shots for best_take)


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
    revert: str | None = None  # "$last" (undo the last turn) or "turn:K" (the result of turn K, from 1): no tool runs
    notes: list[str] = Field(default_factory=list)

    @property
    def tools(self) -> list[str]:
        return [s.tool for s in self.steps]


REVERTS = ("$last",) + tuple(f"turn:{k}" for k in range(1, 10))


def _args_schema(tool: str) -> dict[str, Any]:
    """A tool's argument properties: types (and the choices of a fixed-choice argument), no extra keys."""
    props: dict[str, Any] = {}
    for name, spec in catalogue()[tool].args_model.model_json_schema().get("properties", {}).items():
        options = [spec] + list(spec.get("anyOf", []))
        choices = next((o["enum"] for o in options if "enum" in o), None)
        kind = next((o.get("type") for o in options if o.get("type") in ("number", "integer", "string", "boolean")),
                    None)
        if choices:
            props[name] = {"enum": choices}
        elif kind == "string":
            props[name] = {"type": "string", "maxLength": 60}
        elif kind:
            props[name] = {"type": kind}
    return {"type": "object", "properties": props, "additionalProperties": False}


def plan_json_schema(tools: list[str] | None = None) -> dict[str, Any]:
    """The JSON schema a language model's output is constrained to: known tools with their own image roles and
    argument names, known input references, at most 8 steps; a plan with no steps names a ``reply`` code (the
    words come from code) or a ``revert``. No free text anywhere but argument strings."""
    from atelier.agent.planners.compact import REPLY_CODES

    tools = tools or list(catalogue())
    refs = ([f"attachment:{i}" for i in range(MAX_ATTACHMENTS)] + [f"$step{i}.image" for i in range(1, MAX_STEPS)]
            + ["$last.image"])
    ref = {"enum": refs}
    steps = []
    for tool in tools:
        roles = {r.name: ref for r in catalogue()[tool].images}
        steps.append({"type": "object", "properties": {
            "tool": {"const": tool},
            "inputs": {"type": "object", "properties": roles, "additionalProperties": False},
            "args": _args_schema(tool),
        }, "required": ["tool"], "additionalProperties": False})
    return {"type": "object", "properties": {
        "steps": {"type": "array", "items": {"anyOf": steps}, "maxItems": MAX_STEPS},
        "reply": {"enum": list(REPLY_CODES)},
        "revert": {"enum": list(REVERTS)},
    }, "required": ["steps"], "additionalProperties": False}


def parse_revert(value: str | None) -> int | str | None:
    """``"$last"`` -> "$last", ``"turn:K"`` -> K (from 1), anything else -> None."""
    if value == "$last":
        return value
    if value and value.startswith("turn:") and value[5:].isdigit() and int(value[5:]) >= 1:
        return int(value[5:])
    return None


def _arg_errors(tool: str, args: dict[str, Any]) -> str | None:
    try:
        catalogue()[tool].args_model.model_validate(args)
    except ValidationError as exc:
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return None


def validate(plan: Plan, n_attachments: int, has_last_image: bool = False) -> Plan:
    """Return a plan that is safe to run: the same plan, a repaired one, or an ask/answer."""
    if plan.revert is not None and not plan.steps:
        if parse_revert(plan.revert) is None:
            return plan.model_copy(update={"revert": None, "ask": "Which earlier result should I go back to?"})
        return plan.model_copy(update={"ask": None, "answer": None})
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
        spec = known[step.tool]
        for role, value in step.inputs.items():
            ref = parse(value)
            if spec.role(role) is None:
                problems.append(f"{step.id}: {step.tool} takes no image input named {role!r}")
            elif ref is None:
                problems.append(f"{step.id}: input {role}={value!r} is not an attachment or an earlier step")
            elif ref.kind == "attachment" and ref.index >= n_attachments:
                problems.append(f"{step.id}: {role} refers to attachment {ref.index + 1}, "
                                f"but {n_attachments} {'is' if n_attachments == 1 else 'are'} attached")
            elif ref.kind == "step" and not 1 <= ref.index < i:
                problems.append(f"{step.id}: {role} refers to a step that has not run before it")
            elif ref.kind == "last" and not has_last_image:
                problems.append(f"{step.id}: {role} refers to the last result, but this thread has none")
        if spec.needs_image and "image" not in step.inputs:
            problems.append(f"{step.id} ({step.tool}) needs an image")
        steps.append(step)
    if problems:
        needs_image = any("attach" in p or "needs an image" in p or "last result" in p for p in problems)
        if needs_image and n_attachments == 0:
            return plan.model_copy(update={"steps": [], "ask": "Please attach the image you want me to work on."})
        return plan.model_copy(update={"steps": [], "ask": "I could not make a safe plan: " + "; ".join(problems)})
    return plan.model_copy(update={"steps": steps, "revert": None})
