"""Words that point at a step instead of asking for one: "do a pencil sketch of the pop art version", "style
that sketch like the second picture" (the earlier step's result is the input), "sketch it before the anime part",
"after the restore, sketch" (the step is an anchor of an order), and corrections ("make it cubism. actually wait -
sketch first, and do the cubism on the sketch": the later sentence restates the plan).

A noun phrase refers to a step when its words name the tool or the style of another clause of the same request;
``tool_of`` reads a phrase's tool (the keyword rules), ``style_of`` its named style. Pure functions of clause text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

STEP_PHRASE = re.compile(
    r"\b(?:the|that|this|my|your)\s+(?P<np>(?:[\w-]+\s+){0,2}?"
    r"(?:version|one|result|output|step|part|image|picture|sketch|drawing|restore|restoration|look|pass|piece|"
    r"bit|effect|treatment|style|edit|fix|thing))\b")
ANCHOR = re.compile(r"^(?:(?:but|and|then|after|before|only|just)\s+)*(?:(?:the|that|this)\s+(?:[\w-]+\s+){0,2}?[\w-]+"
                    r"(?:\s+(?:part|step|bit|one|pass|thing))?|(?:you\s+)?[a-z]+ing(?:\s+(?:it|that|this|them|him|her))?)$")
ORDER_TAIL = re.compile(r"\s+(?:goes|comes|should (?:come|go|be)|can come|is|happens?)\s+"
                        r"(?:last|first|at the (?:very )?(?:end|start)|afterwards|later)$")

Reader = Callable[[str], str | None]


def _names(phrase: str, tool: str | None, style: str | None, tool_of: Reader, style_of: Reader) -> bool:
    """The phrase names that tool or that style ("the pop art version" names a pop-art restyle)."""
    said_style = style_of(phrase)
    if said_style is not None:
        return said_style == style
    return tool is not None and tool_of(phrase) == tool


def mask_step_references(clauses: list[str], tool_of: Reader, style_of: Reader) -> list[str]:
    """Each clause without the phrases that name another clause's step, when what is left still asks for a
    tool of its own: "do a pencil sketch of the pop art version" -> "do a pencil sketch"."""
    said = [(tool_of(c), style_of(c)) for c in clauses]
    out = []
    for i, clause in enumerate(clauses):
        others = [s for j, s in enumerate(said) if j != i]
        text = clause
        for m in reversed(list(STEP_PHRASE.finditer(clause))):
            phrase = m.group(0)
            if not any(_names(phrase, t, s, tool_of, style_of) for t, s in others):
                continue
            rest = re.sub(r"\s+", " ", text[:m.start()] + " it " + text[m.end():]).strip(" ,")
            if tool_of(rest) is not None or style_of(rest) is not None:
                text = rest  # the earlier step's result is "it", the image this step works on
        out.append(text)
    return out


def is_anchor(text: str) -> bool:
    """A clause that only names a step ("the anime part", "after the restore", "the style transfer comes last",
    "before describing it": a bare gerund of a step said elsewhere): an order's anchor."""
    return bool(ANCHOR.match(ORDER_TAIL.sub("", text.strip())))


def corrected(said: list[str], correction: list[str], first: bool, tool_of: Reader, style_of: Reader) -> list[str]:
    """The clauses after a correction ("sketch, then restore. actually no, restore the face beforehand"): what
    was said, less what the correction restates (the same tool or style), with the correction's clauses after
    it, or before it when the correction says so (``first``: "beforehand", "first"). A correction's clause that
    only names a step ("then the eyes") is the said step of that kind that it does not restate."""
    restated = [(tool_of(c), style_of(c)) for c in correction]
    tools = {t for t, _ in restated if t}
    styles = {s for _, s in restated if s}
    kept = [c for c in said if tool_of(c) not in tools and style_of(c) not in styles]
    dropped = [c for c in said if c not in kept]
    later = []
    for c, (tool, style) in zip(correction, restated, strict=True):
        if tool is None and style is None and is_anchor(c) and dropped:
            c = next((d for d in dropped if not any(tool_of(d) == t for t, _ in restated if t)), c)
        later.append(c)
    return later + kept if first else kept + later
