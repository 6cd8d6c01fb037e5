"""Follow-ups in a thread, read by rules (the semantic planner's part; the LLM learned them): "undo that",
"go back to the sketch", "same again with seed 3", "now the other photo", "do the same to this one".

Each rule returns a Plan or None (not a follow-up of that kind). Turns are numbered from 1 over the thread.
"""

from __future__ import annotations

import re
from typing import Any

from atelier.agent.catalogue import catalogue, chains_image
from atelier.agent.plan import Plan, Step
from atelier.agent.planners import PlanRequest
from atelier.agent.planners import refs as attach
from atelier.agent.planners import text as tx

# the words that take the last turn back, for both the whole-message and the said-anywhere revert
REVERT_WORDS = (r"undo|revert|roll (?:it |that |this )?back|take (?:it|that|this) back|scrap (?:it|that|this)|"
                r"ditch (?:it|that|this)|put it back|cancel (?:it|that|this|the last)|back to how it was|"
                r"deshacer|deshaz|annuler|annule|rückgängig|ruckgangig|annulla|desfaz|desfazer|ongedaan|cofnij|"
                r"geri al")
UNDO = re.compile(r"^(?:(?:actually|no|nope|nah|meh|ok|okay|hmm|wait|oh|ugh|please),? )*(?:"
                  rf"{REVERT_WORDS}|go back|"
                  r"i (?:preferred|liked) it (?:better )?before(?: (?:the|that|"
                  r"you) .*)?|"
                  r"step back|(?:ctrl|cmd|control|command) ?[+-]? ?z)\b(?! to)(?: (?:that|this|it|"
                  r"the last (?:step|change|edit|one)|please|one step|the change))*"
                  r"(?:[,;.]? .*\b(?:better|before|previous|prefer\w*|worse|hate it|"
                  r"don'?t like)\b.*)?$")
BACK_TO = re.compile(r"\b(?:go(?:ing)? back to|return to|revert to|back to|switch back to) (?P<what>.+?)"
                     r"(?: again| please| version| one| instead| and keep (?:that|it))*$|"
                     r"\bi liked (?P<what2>.+?) better\b")
AGAIN = re.compile(r"\b(?:same (?:again|thing|but)|again|redo|repeat|one more time|another (?:go|try|one)|re-?run|"
                   r"(?:\d+ )?more (?:variations|versions|options|tries|takes)|another (?:\d+ )?(?:variations|"
                   r"versions)|"
                   r"do (?:it|that) over)\b")
THIS_ONE = re.compile(rf"\b(?:this one|this (?:new )?{attach.PHOTO}|the new one)\b.*|"
                      r"\b(?:same|as well|too)\b")
WORDS = re.compile(r"[a-z]+")
LIKE_THIS = re.compile(rf"\b(?:like|as|after) (?:this|the|my) (?:new )?(?:one|{attach.PHOTO}|painting|"
                       r"poster)\b|"
                       r"\b(?:style|look|palette|vibe|reference|ref)\b")  # the new attachment is a reference


def _images(turn: dict[str, Any]) -> list[str]:
    return [s["tool"] for s in turn.get("steps") or [] if s["tool"] in catalogue()
            and chains_image(catalogue()[s["tool"]])]


def _steps(raw: list[dict[str, Any]]) -> list[Step]:
    return [Step(id=f"step{i}", tool=s["tool"], args=dict(s.get("args") or {}), inputs=dict(s.get("inputs") or {}))
            for i, s in enumerate(raw, start=1)]


def _last_with_steps(turns: tuple[dict[str, Any], ...]) -> dict[str, Any] | None:
    return next((t for t in reversed(turns) if t.get("steps")), None)


def _which_turn(what: str, turns: tuple[dict[str, Any], ...]) -> int | None:
    """The latest turn whose result ``what`` names: by a style it retrieved, else by its tool's words."""
    from atelier.agent.planners.semantic import rule_tool

    said = turn_named(what, turns)
    if said is not None:
        return said
    style = tx.find_style(what)
    for k in range(len(turns), 0, -1):
        for s in turns[k - 1].get("steps") or []:
            if style and any(v == style[1] for v in (s.get("args") or {}).values()):
                return k
    tool = rule_tool(what, what)
    if tool is None:
        from atelier.agent.planners.semantic import nearest

        label, sim, _ = nearest([what])[0]
        tool = label if sim >= 0.35 and label != "answer" else None
    for k in range(len(turns), 0, -1):
        if tool in _images(turns[k - 1]):
            return k
    return None


def _values_only(text: str, last: dict[str, Any]) -> bool:
    """"now make it darker", "less shading please": new values for the last turn's own step."""
    from atelier.agent.planners.semantic import args_only

    tools = [s["tool"] for s in last.get("steps") or [] if s["tool"] in catalogue()]
    return len(tools) == 1 and args_only(tools[0], text)


REMOVE_STEP = re.compile(r"^(?:(?:actually|no|nope|nah|meh|ok|okay|hmm|oh|ugh|please),? )*(?:lose|drop|ditch|remove|"
                         r"undo|get rid of|scrap|take (?:off|away|out)) (?:the|that|this) "
                         r"(?P<what>[\w -]+?)(?: please)?$")
BEFORE_STEP = re.compile(rf"\b(?:before (?:you|we|i) (?P<verb>\w+)(?: it| that| this)?|"
                         rf"after the (?P<nth>{attach.RANK}) "
                         r"(?:step|edit|change|turn))\b")
# a revert said anywhere in a short message ("undo that, wrong photo", "nah I don't like it, take it back")
REVERT_VERB = re.compile(rf"(?<!n't )(?<!not )(?<!never )\b(?:{REVERT_WORDS}|change it back)\b")
COUNT_BACK = re.compile(r"\b(?:the )?last (?P<k>two|three|four|[2-4])(?: (?:steps|edits|changes|turns|ones|things))?\b")
NTH_TURN = re.compile(rf"\b(?:the )?(?:very )?(?P<o>{attach.RANK})(?: turn| version| result| edit| step| one)(?:'s)?\b|"
                      r"\b(?:turn|version|step) (?P<d>[1-9])\b")
COUNT = {"two": 2, "three": 3, "four": 4}


def turn_named(text: str, turns: tuple[dict[str, Any], ...]) -> int | None:
    """A turn said by its place: "the second turn's version", "the first result", "turn 2" (from 1)."""
    m = NTH_TURN.search(text)
    if not m:
        return None
    if m["d"]:
        k = int(m["d"])
    else:
        i = attach.ORDINALS[m["o"]]
        k = len(turns) if i == -1 else i + 1
    return k if 1 <= k <= len(turns) else None


def _revert(text: str, turns: tuple[dict[str, Any], ...], planner: str) -> Plan | None:
    """"undo that", "scrap that", "lose the watercolor" (back to before the step that made it), "go back to the
    version before you stylized it", "what we had after the first step"."""
    if UNDO.search(text):
        return Plan(planner=planner, revert="$last")
    m = REMOVE_STEP.search(text)
    if m:
        k = _which_turn(m["what"], turns)
        if k is not None and k > 1:
            return Plan(planner=planner, revert=f"turn:{k - 1}")
    m = BEFORE_STEP.search(text) if re.search(r"\b(?:back|return|revert)\b", text) else None
    if m and m["nth"]:
        k = attach.ORDINALS[m["nth"]] + 1
        return Plan(planner=planner, revert=f"turn:{k if k > 0 else len(turns)}")
    if m and m["verb"]:
        k = _which_turn(m["verb"], turns)
        if k is not None and k > 1:
            return Plan(planner=planner, revert=f"turn:{k - 1}")
    if REVERT_VERB.search(text) and len(text.split()) <= 14 and not _asks_tool(text):
        if BACK_TO.search(text):
            return None  # "revert to the very first result": the turn it names
        m = COUNT_BACK.search(text)
        if m:  # "undo the last two": back to the turn before those
            k = len(turns) - int(COUNT.get(m["k"], m["k"]))
            return Plan(planner=planner, revert=f"turn:{k}") if k >= 1 else None
        return Plan(planner=planner, revert="$last")
    return None


def _asks_tool(text: str) -> bool:
    """Whether a message with a revert word also asks for new work ("undo the grain and sketch it again")."""
    from atelier.agent.planners.semantic import rule_tool

    rest = REVERT_VERB.sub(" ", text)
    return any(rule_tool(p, p) not in (None, "answer") for p in re.split(r"[,;.]\s*|\s+and\s+", rest) if p.strip())


def _other_attachment(text: str, n: int, used: set[str]) -> str | None:
    """"now the other photo", "do picture B too": the attachment the words name that the last turn did not use
    (refs.py reads the mention; "the other" is the first unused one)."""
    free = [f"attachment:{i}" for i in range(n) if f"attachment:{i}" not in used]
    named = [f"attachment:{i}" for i in attach.attachment_refs(text, n) if i < n]
    if not free or not named:
        return None
    return next((a for a in named if a in free), free[0] if re.search(r"\bother\b", text) else None)


def follow_up(request: PlanRequest, text: str, planner: str) -> Plan | None:
    """A plan for a follow-up that only makes sense in this thread, or None."""
    turns = request.thread
    if not turns:
        return None
    reverted = _revert(text, turns, planner)
    if reverted is not None:
        return reverted
    m = BACK_TO.search(text)
    if m and len(text.split()) <= 14:
        what = re.sub(r"^(?:how it (?:looked|was)|the way it (?:looked|was))(?: (?:right|just))? "
                      r"(?:after|when|before) ", "",
                      m["what"] or m["what2"])
        if re.search(r"^(?:the )?(?:previous|last|earlier)(?: one| version| result)?$|^(?:it )?before$", what):
            return Plan(planner=planner, revert="$last")
        if re.search(r"^(?:the )?(?:first|1st|very first)(?: one| version| result| edit| step)?$", what):
            return Plan(planner=planner, revert="turn:1")
        if re.fullmatch(r"(?:that|this|it)(?: one| version)?", what):  # "I liked it when it was anime, go back to that"
            what = BACK_TO.sub(" ", text)
        k = _which_turn(what, turns)
        if k is not None:
            return Plan(planner=planner, revert=f"turn:{k}")
        return Plan(planner=planner, ask=f"Which earlier result should I go back to? This conversation has "
                    f"{len(turns)} earlier turn{'s' if len(turns) != 1 else ''}; say e.g. \"go back to the sketch\".")
    last = _last_with_steps(turns)
    if last is None:
        return None
    n = request.n_attachments
    from atelier.agent.planners.semantic import named_args

    if AGAIN.search(text) or _values_only(text, last):
        steps = []
        for s in _steps(last["steps"]):
            spec = catalogue()[s.tool]
            said = re.sub(r"\b(?:more|another|extra|new)\s+", "", text)  # "3 more variations" sets variations
            args = {**s.args, **named_args(s.tool, said), **tx.cue_args(spec.hints.args, said)}
            seed = re.search(r"\bseed\s*(?:=|of|:|number)?\s*(\d+)", text)
            if seed and "seed" in spec.args_model.model_fields:
                args["seed"] = int(seed.group(1))
            inputs = {role: (v if not v.startswith("attachment:") or int(v.split(":")[1]) < n else "$last.image")
                      for role, v in s.inputs.items()}
            steps.append(s.model_copy(update={"args": args, "inputs": inputs}))
        return Plan(planner=planner, steps=steps, notes=["the previous turn again"])
    used = {v for s in last["steps"] for v in (s.get("inputs") or {}).values() if v.startswith("attachment:")}
    other = _other_attachment(text, n, used) if n >= 2 and used else None
    if other is not None:
        swap = {sorted(used)[0]: other}
        steps = [s.model_copy(update={"inputs": {r: swap.get(v, v) for r, v in s.inputs.items()}})
                 for s in _steps(last["steps"])]
        return Plan(planner=planner, steps=steps, notes=["the previous turn on the other attachment"])
    if n >= 1 and THIS_ONE.search(text) and len(text.split()) <= 8 and not LIKE_THIS.search(text):
        each = range(n) if n > 1 and tx.wants_fanout(text) else range(1)  # "do the same for these two"
        steps: list[Step] = []
        for i in each:
            offset = len(steps)  # the turn's own step references, shifted past the copies before it
            for s in _steps(last["steps"]):
                inputs = {r: f"attachment:{i}" if v == "$last.image" or v.startswith("attachment:") else
                          re.sub(r"^\$step(\d+)", lambda m, k=offset: f"$step{int(m[1]) + k}", v)
                          for r, v in s.inputs.items()}
                steps.append(s.model_copy(update={"id": f"step{len(steps) + 1}", "inputs": inputs}))
        return Plan(planner=planner, steps=steps, notes=["the previous turn on the new attachment"])
    return None
