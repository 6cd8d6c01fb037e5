"""The semantic planner: clause splitting, tool choice by rules and MiniLM nearest examples, arguments by
rules, inputs wired by attachment references and pronouns. No LLM; ~10 ms a plan once loaded."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from atelier.agent.catalogue import capabilities, catalogue, read_rows
from atelier.agent.plan import Plan, Step
from atelier.agent.planners import PlanRequest
from atelier.agent.planners import text as tx

PRODUCES_IMAGE = {"sketchify", "open_eyes", "restore_face", "stylize", "reconstruct_sprite"}
DANGER = re.compile(
    r"\b(delete|erase|wipe|format|rm\s+-|sudo|shell|bash|terminal|execute|exec|eval|system prompt|"
    r"ignore (?:all |your |the |previous |my )*(?:instructions|tools|rules)|jailbreak|password|api key|"
    r"exfiltrat|upload (?:my|all) files)\b|(?:^|\s)(?:/etc/|/usr/|~/|c:\\|\.\./)|https?://")
META = re.compile(r"^(how|what|why|which|can|does|do|is|are|tell me)\b.*\b(work|works|tools?|do you|can you do|"
                  r"does it|atelier|you are|are you)\b")
SKETCH_VERB = re.compile(r"^(?:please |can you |could you )?(?:sketch|draw|pencil)\b|"
                         r"\b(?:into|as) an? (?:pencil |graphite )?(?:sketch|drawing)\b|"
                         r"\bmake (?:it|this|that|them) (?:into )?an? (?:pencil |graphite )?(?:sketch|drawing)\b")
LOOKUP = re.compile(r"\b(find|show|suggest|recommend|which|what|look up|search|list|browse|references?)\b")
TRANSFORM = re.compile(r"\b(make|turn|give|apply|restyle|paint|render|convert|transform|style it|style this|"
                       r"redo|change|do it|do this|draw)\b")
UNSUPPORTED = re.compile(
    r"\b(rotate|crop|resize|flip|mirror it|blur the background|background (?:removal|blur)|remove the background|"
    r"(?:remove|erase|delete) (?:the |that |this )?(?:person|object|people|text|watermark|background)|"
    r"add (?:a|an|some)\b|translate|animate|video|gif|colori[sz]e|upscale (?:this|the|my|it)\b|"
    r"change the colou?r of|swap (?:the )?faces?|face ?swap|write (?:a|me)|poem|weather|joke)\b")
QUESTION = re.compile(r"^(who|which|what|are|is|did|does|do|has|have|how many|how|can you tell|tell me|check|"
                      r"detect|find|count|see if|any)\b")
EYES = re.compile(r"\b(eyes?|blink\w*|eyelids?|shut)\b")
REF_ONLY = re.compile(r"\b(is|as|for) (?:the |a |my )?(?:reference|ref|example|guide|source)\b|"
                      r"^(?:use|using|with|from|based on) (?:the |my )?\w+ (?:photo|image|picture|pic|one|shot)s?$")


@dataclass
class Clause:
    text: str
    tool: str | None  # None: no tool (answer)
    confidence: float
    style: tuple[str, str] | None = None
    refs: list[int] = field(default_factory=list)


@functools.cache
def _examples() -> tuple[list[str], np.ndarray]:
    from atelier.knowledge.embedders.minilm import minilm

    rows = read_rows("examples.txt", 2)
    labels = [label for label, _ in rows]
    return labels, minilm().encode([phrase for _, phrase in rows])


def nearest(clauses: list[str]) -> list[tuple[str, float, float]]:
    """(label, similarity, margin over the best other label) by nearest example, per clause."""
    from atelier.knowledge.embedders.minilm import minilm

    labels, matrix = _examples()
    sims = minilm().encode(clauses) @ matrix.T
    out = []
    for row in sims:
        best: dict[str, float] = {}
        for label, s in zip(labels, row, strict=True):
            best[label] = max(best.get(label, -1.0), float(s))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        out.append((ranked[0][0], ranked[0][1], ranked[0][1] - ranked[1][1]))
    return out


def rule_tool(clause: str, request: str) -> str | None:
    """High-precision keyword rules; None when no rule is sure."""
    c = clause
    past = re.search(r"\b(past|previous|earlier|older|recent|last (?:week|time|month|night)|yesterday|before|"
                     r"history)\b|\bi (?:made|fixed|did|created|sketched|styled|stylised|stylized|ran|generated)\b|"
                     r"\bmy (?:[\w-]+ ){0,2}(?:runs|results|sketches|creations|outputs|edits|drawings|"
                     r"sprites|fixes|renders|stylis\w+|styliz\w+|work)\b", c)
    lookup = re.search(r"\b(show|find|list|search|get|display|where|look up|bring up|pull up|dig up|see|view|"
                       r"what|which)\b", c)
    if past and lookup and not re.search(r"\b(this|these|attached|here|it)\b", c):
        return "search_runs"
    if UNSUPPORTED.search(c):
        return "answer"
    if EYES.search(c):
        asks = QUESTION.search(c) or c.endswith("?") or re.search(r"\b(closed|shut)\?*$", c)
        wants_fix = re.search(r"\b(open|fix|unblink|remove)\b.*\b(eyes?|blink)", c)
        if asks and (not wants_fix or c.startswith(("are", "is"))):
            return "detect_closed_eyes"
        if re.search(r"\bopen\b|\bunblink|\b(fix|remove|undo|get rid of|correct)\b.*\b(blink|closed|shut)", c):
            return "open_eyes"
    fix_words = (r"(restor\w*|enhanc\w*|repair\w*|retouch\w*|denois\w*|de-noise|sharpen\w*|improv\w*|fix up|"
                 r"clean(?:ed)? up|clean-up|touch(?:ed)? up|grainy|blurry|noisy|damaged|look better|clearer|crisper)")
    face = r"(faces?|portraits?|skin|headshots?)"
    if re.search(rf"\b{fix_words}\b.*\b{face}\b|\b{face}\b.*\b{fix_words}", c):
        return "restore_face"
    punk = re.search(r"\b(crypto)?punks?\b", request) and not re.search(r"\b(cyber|steam)punk", request)
    if re.search(r"\b(pixel[- ]?art|sprites?|pixels|pixel grid|cell size|true (?:size|resolution)|"
                 r"native (?:size|resolution)|real (?:size|resolution))\b", c) and not re.search(
                 r"\b(look|style|like|into|as)\b.*\bpixel[- ]?art\b|\bpixel[- ]?art (look|style)\b", c):
        return "reconstruct_sprite"
    describe = re.search(r"\b(trait|attribute|describ|caption|accessor|wear|type|feature|what|tell|list|zombie|"
                         r"alien|ape|human|male|female|look like|detail)\w*", c)
    if punk and re.search(r"\b(upscaled|enlarged|blown up|scaled up|resized|blurry|blurred|fix the (?:pixels|grid)|"
                          r"downscale|jpe?g|pixel grid|pixels)\b", c) and not describe:
        return "reconstruct_sprite"
    if punk and describe:
        return "describe_punk"
    if SKETCH_VERB.search(c):  # "sketch the sunset photo": a style word naming the subject is no style
        return "sketchify"
    if tx.find_style(c) and LOOKUP.search(c) and not TRANSFORM.search(c):
        return "retrieve_style"
    if tx.find_style(c) or re.search(r"\b(restyle|style transfer|in the style|style of|styled like|look like the|"
                                     r"looks? like (?:the )?(?:first|second|third|last|other))\b", c):
        return "stylize"
    if re.search(r"\b(sketch\w*|pencil\w*|graphite|drawing|draw|hand[- ]drawn)\b", c):
        return "sketchify"
    if TRANSFORM.search(c) and re.search(r"\b(like|look|style|vibe|feel|aesthetic|as if)\b", c) and \
            not re.search(r"\b(better|sharper|clearer|cleaner|nicer)\b", c):
        return "stylize"  # a style we have no name for: retrieval finds the nearest reference
    return None


def classify(clauses: list[str], request: str, n_attachments: int) -> list[Clause]:
    ruled = [rule_tool(c, request) for c in clauses]
    todo = [c for c, r in zip(clauses, ruled, strict=True) if r is None]
    near = iter(nearest(todo)) if todo else iter(())
    out = []
    for c, r in zip(clauses, ruled, strict=True):
        if r is not None:
            out.append(Clause(c, None if r == "answer" else r, 1.0))
            continue
        label, sim, margin = next(near)
        tool = None if label == "answer" or sim < 0.35 else label
        out.append(Clause(c, tool, float(min(1.0, max(0.0, margin * 4 + (sim - 0.35))))))
    for cl in out:
        cl.style = tx.find_style(cl.text) if cl.tool in ("stylize", "retrieve_style") else None
        cl.refs = tx.attachment_refs(cl.text, n_attachments)
    return out


def _args_for(tool: str, clause: Clause) -> dict[str, Any]:
    c = clause.text
    if tool == "sketchify":
        return tx.sketch_args(c)
    if tool == "reconstruct_sprite":
        return tx.sprite_args(c)
    if tool == "open_eyes":
        return tx.eyes_args(c)
    if tool == "stylize":
        return tx.style_args(c)
    if tool == "retrieve_style":
        return {"query": clause.style[1] if clause.style else tx.style_query(c)}
    if tool == "search_runs":
        q = re.sub(r"\b(show|find|list|search|get|display|where|is|are|me|my|all|the|of|for|past|previous|"
                   r"earlier|old|older|recent|please|can you|could you|runs?|results?)\b", " ", c)
        return {"query": re.sub(r"\s+", " ", q).strip() or c}
    return {}


class SemanticPlanner:
    name = "semantic"

    def plan(self, request: PlanRequest) -> Plan:
        plan, _ = self.plan_with_confidence(request)
        return plan

    def plan_with_confidence(self, request: PlanRequest) -> tuple[Plan, float]:
        text = tx.normalise(request.text)
        if not text:
            return Plan(planner=self.name, answer=capabilities()), 1.0
        about_input = re.search(r"\b(this|these|it|her|his|my|the (?:photo|image|picture))\b",
                                text.replace("how does it work", ""))
        if META.search(text) and not re.search(r"\b(style|styles|references?)\b", text) and not about_input:
            return Plan(planner=self.name, answer=capabilities()), 1.0
        if DANGER.search(text):
            return Plan(planner=self.name, answer=(
                "I won't do that: I only run Atelier's image tools on images you attach, and nothing in a "
                "request can run commands or touch files. " + capabilities())), 1.0
        clauses = self._clauses(text, request.n_attachments)
        tools = [c for c in clauses if c.tool]
        confidence = min((c.confidence for c in clauses), default=0.0)
        if not tools:
            return Plan(planner=self.name, answer=self._no_tool_answer(text)), confidence
        return self._wire(tools, request, text), confidence

    def _clauses(self, text: str, n: int) -> list[Clause]:
        out: list[Clause] = []
        for clause in tx.split_clauses(text):
            parts = tx.split_and(clause)
            if len(parts) > 1:
                kept: list[Clause] = []
                for s in classify(parts, text, n):
                    if s.tool and kept and kept[-1].tool == s.tool:  # "upscaled, fix the pixels": one step
                        kept[-1] = Clause(f"{kept[-1].text}, {s.text}", s.tool, min(kept[-1].confidence, s.confidence),
                                          kept[-1].style or s.style, kept[-1].refs + s.refs)
                    elif s.tool:
                        kept.append(s)
                if len(kept) >= 2 and all(s.confidence >= 1.0 for s in kept):  # split only on rule-sure parts
                    out += kept
                    continue
            out += classify([clause], text, n)
        merged: list[Clause] = []
        for cl in out:
            if merged and cl.refs and REF_ONLY.search(cl.text):  # "..., the 2nd photo is a reference"
                merged[-1].refs = merged[-1].refs + cl.refs
            elif merged and cl.tool and cl.tool == merged[-1].tool and cl.tool != "stylize":  # one step, said twice
                prev = merged[-1]
                merged[-1] = Clause(f"{prev.text}, {cl.text}", cl.tool, min(prev.confidence, cl.confidence),
                                    prev.style or cl.style, prev.refs + cl.refs)
            else:
                merged.append(cl)
        return merged

    def _no_tool_answer(self, text: str) -> str:
        if re.search(r"\b(hi|hello|hey|good (morning|afternoon|evening)|thanks|thank you|cheers)\b", text):
            return "Hello! " + capabilities()
        if re.search(r"\b(what can you do|help|who are you|what are you|what is atelier|tools?|how do(es)?)\b",
                     text):
            return capabilities()
        return "I can't do that: no Atelier tool does it. " + capabilities()

    def _wire(self, clauses: list[Clause], request: PlanRequest, text: str) -> Plan:
        n = request.n_attachments
        fan = n > 1 and tx.wants_fanout(text) and len(clauses) == 1
        if fan:
            steps = []
            for i in range(n):
                steps += self._steps_for(clauses, request, start=len(steps), image=f"attachment:{i}")
            return Plan(planner=self.name, steps=steps)
        return Plan(planner=self.name, steps=self._steps_for(clauses, request, start=0, image=None))

    def _steps_for(self, clauses: list[Clause], request: PlanRequest, start: int, image: str | None) -> list[Step]:
        n = request.n_attachments
        steps: list[Step] = []
        current = image  # the working image, as it flows from step to step

        def add(tool: str, args: dict[str, Any], inputs: dict[str, str]) -> Step:
            step = Step(id=f"step{start + len(steps) + 1}", tool=tool, args=args, inputs=inputs)
            steps.append(step)
            return step

        for clause in clauses:
            tool = clause.tool
            refs = clause.refs
            if current is None:
                if refs and tool not in ("stylize", "open_eyes"):
                    current = f"attachment:{refs[0]}"
                elif n > 0:
                    current = "attachment:0"
                elif request.has_last_image:
                    current = "$last.image"
            needs = catalogue()[tool].needs_image
            inputs: dict[str, str] = {}
            if tool == "stylize":
                style_ref = [r for r in refs if f"attachment:{r}" != current]
                if clause.style is None and (style_ref or n >= 2):
                    style_ref = style_ref or [n - 1]
                    inputs = {"image": current or "attachment:0", "ref": f"attachment:{style_ref[-1]}"}
                else:
                    query = clause.style[1] if clause.style else tx.style_query(clause.text)
                    found = add("retrieve_style", {"query": query}, {})
                    inputs = {"image": current} if current else {}
                    inputs["ref"] = f"${found.id}.image"
            elif tool == "open_eyes" and n >= 2:
                ref = refs[-1] if refs and refs[-1] != 0 else 1
                base = current if current and current != f"attachment:{ref}" else f"attachment:{0 if ref else 1}"
                inputs = {"image": base, "ref": f"attachment:{ref}"}
            elif needs and current:
                inputs = {"image": current}
            step = add(tool, _args_for(tool, clause), inputs)
            if tool in PRODUCES_IMAGE:
                current = f"${step.id}.image"
        return steps
