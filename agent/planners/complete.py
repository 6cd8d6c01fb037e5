"""What code completes in a language model's plan, from the request's own words, and says so in the notes.

A small model orders the steps right but may leave out an input the words name. The one completion: a step
whose tool takes a ``ref`` image and got none, when the request names an attachment as the reference ("with my
other shot", "the eyes from picture A", "like the second one") that no step uses yet, gets that attachment as
``ref``. The words are read by the same functions the semantic planner uses (``text.reference_marks``);
nothing is guessed when the words name no reference.
"""

from __future__ import annotations

from atelier.agent.catalogue import catalogue
from atelier.agent.plan import Plan
from atelier.agent.planners import PlanRequest
from atelier.agent.planners import refs as attach
from atelier.agent.planners import text as tx


def complete_refs(plan: Plan, request: PlanRequest) -> Plan:
    """The plan with a named but unused reference attachment filled into the first step that lacks its ``ref``."""
    if not plan.steps or request.n_attachments < 2:
        return plan
    text = tx.normalise(request.text)
    n = request.n_attachments
    marks = [m for m in attach.reference_marks(text, n, tx.find_style) if m < n]
    used = {v for s in plan.steps for v in s.inputs.values()}
    free = [m for m in marks if f"attachment:{m}" not in used]
    if not free:
        return plan
    steps = list(plan.steps)
    for i, step in enumerate(steps):
        spec = catalogue().get(step.tool)
        if spec is None or spec.role("ref") is None or "ref" in step.inputs or "image" not in step.inputs:
            continue
        ref = f"attachment:{free[-1]}"
        steps[i] = step.model_copy(update={"inputs": {**step.inputs, "ref": ref}})
        note = (f"completed by code: {step.id} ({step.tool}) ref = {ref}, the attachment the request names as "
                "the reference; the model had left it out")
        return plan.model_copy(update={"steps": steps, "notes": [*plan.notes, note]})
    return plan
