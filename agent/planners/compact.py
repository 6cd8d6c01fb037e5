"""The compact plan language the language-model planners speak, and the short prompt they read.

The model writes ``{"steps": [{"tool", "inputs", "args"}], "reply": CODE, "revert": REF}`` under the JSON
schema of ``agent.plan.plan_json_schema`` (tools, roles and argument names from the specs). It never writes
prose: a plan with no steps carries a ``reply`` code and the words come from code (``REPLIES``), so the model
cannot claim work that did not happen. The same functions build the training pairs, so prompts at training
and at inference are byte-identical.
"""

from __future__ import annotations

import json
from typing import Any

from atelier.agent.catalogue import capabilities, catalogue
from atelier.agent.plan import Plan, Step
from atelier.agent.planners import PlanRequest

MAX_REQUEST_CHARS = 700  # the model sees the request's first and last words beyond this
THREAD_TURNS = 3  # the model sees this many recent turns


def replies() -> dict[str, tuple[str, str]]:
    """reply code -> ("answer" | "ask", the words code says)."""
    caps = capabilities()
    return {
        "capabilities": ("answer", caps),
        "unsupported": ("answer", "I can't do that: no Atelier tool does it. " + caps),
        "refuse": ("answer", "I won't do that: I only run Atelier's image tools on images you attach, and nothing "
                             "in a request can run commands, touch files or change these rules. " + caps),
        "privacy": ("answer", "Everything stays on this machine: attachments, results and run records live under "
                              "your Atelier home folder and nothing is uploaded. `atelier runs list` shows what is "
                              "kept, `atelier runs delete ID|--all` removes records, files and index entries, and "
                              "`--no-record` runs a tool without keeping anything."),
        "ask_image": ("ask", "Please attach the image you want me to work on."),
    }


REPLY_CODES = ("capabilities", "unsupported", "refuse", "privacy", "ask_image")


def step_text(step: dict[str, Any]) -> str:
    """One step as the thread summary shows it: ``sketchify shading=0.3 <attachment:0``."""
    args = " ".join(f"{k}={v}" for k, v in (step.get("args") or {}).items())
    image = (step.get("inputs") or {}).get("image")
    return " ".join(p for p in (step["tool"], args, f"<{image}" if image else "") if p)


def thread_text(turns: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """The recent turns of the thread, numbered from 1 over the whole thread: tools, key args, image input."""
    if not turns:
        return "none"
    out = []
    for k, turn in list(enumerate(turns, start=1))[-THREAD_TURNS:]:
        steps = turn.get("steps") or []
        body = " + ".join(step_text(s) for s in steps) if steps else (
            f"revert {turn['revert']}" if turn.get("revert") else "no tool")
        out.append(f"{k}) {body}")
    return "; ".join(out)


def clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_REQUEST_CHARS:
        return text
    half = MAX_REQUEST_CHARS // 2
    return text[:half] + " … " + text[-half:]


def prompt(request: PlanRequest) -> str:
    """The whole prompt: the attachment count, the thread, the request — the fine-tuned model needs no tool list
    (the grammar holds the tools). Ends with a newline (never a space), as in training."""
    return (f"Atelier plan.\nImages: {request.n_attachments}\nThread: {thread_text(request.thread)}\n"
            f"Request: {clip(request.text)}\nPlan:\n")


def target(plan: dict[str, Any]) -> str:
    """A plan (``{"steps", "reply"?, "revert"?}``) as the compact JSON the model learns to write: empty
    ``inputs``/``args`` left out, keys in the grammar's order."""
    steps = []
    for s in plan.get("steps", []):
        step: dict[str, Any] = {"tool": s["tool"]}
        if s.get("inputs"):
            roles = [r.name for r in catalogue()[s["tool"]].images] if s["tool"] in catalogue() else []
            step["inputs"] = {k: s["inputs"][k] for k in roles if k in s["inputs"]}
        if s.get("args"):
            step["args"] = s["args"]
        steps.append(step)
    out: dict[str, Any] = {"steps": steps}
    if plan.get("reply"):
        out["reply"] = plan["reply"]
    if plan.get("revert"):
        out["revert"] = plan["revert"]
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def to_plan(text: str, planner: str) -> Plan:
    """The model's output -> a Plan (not yet validated). Replies get code's words; unparsable output asks."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return Plan(planner=planner, ask="I could not plan that (the language model's answer was cut off); "
                    "please rephrase.", notes=[f"unparsable model output: {text[:200]!r}"])
    if not isinstance(data, dict):
        return Plan(planner=planner, ask="I could not plan that; please rephrase.")
    steps = []
    for i, s in enumerate(data.get("steps") or [], start=1):
        if isinstance(s, dict) and isinstance(s.get("tool"), str):
            steps.append(Step(id=f"step{i}", tool=s["tool"], args=dict(s.get("args") or {}),
                              inputs={k: str(v) for k, v in (s.get("inputs") or {}).items()}))
    if steps:
        return Plan(planner=planner, steps=_canonical(steps))
    if isinstance(data.get("revert"), str):
        return Plan(planner=planner, revert=data["revert"])
    kind, words = replies().get(data.get("reply") or "", replies()["capabilities"])
    return Plan(planner=planner, **{kind: words}, notes=[f"reply {data.get('reply')!r} (words from code)"])


def _canonical(steps: list[Step]) -> list[Step]:
    """Style words the model copied map to the library's style name, as the semantic planner does."""
    from atelier.agent.planners import text as tx

    out = []
    for step in steps:
        hints = catalogue()[step.tool].hints if step.tool in catalogue() else None
        if hints and hints.text_arg and hints.text_arg[1] == "style":
            name = hints.text_arg[0]
            if isinstance(step.args.get(name), str):
                found = tx.find_style(step.args[name].lower())
                if found:
                    step = step.model_copy(update={"args": {**step.args, name: found[1]}})
        out.append(step)
    return out
