"""The semantic planner: clause splitting, tool choice by rules and MiniLM nearest examples, arguments by
rules, inputs wired by attachment references and pronouns. No LLM; ~10 ms a plan once loaded."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from atelier.agent.catalogue import capabilities, catalogue, chains_image, read_lines
from atelier.agent.plan import Plan, Step
from atelier.agent.planners import PlanRequest, intent, steps
from atelier.agent.planners import refs as attach
from atelier.agent.planners import text as tx
from atelier.agent.planners.compact import replies
from atelier.agent.planners.guard import screen
from atelier.agent.planners.thread import follow_up
from atelier.core.registry import Rule

UNSUPPORTED_PRIORITY = 20  # tool rules with a lower priority are tried before the "no tool does that" check
DANGER = re.compile(
    r"\b(delete|erase|wipe|format (?:the |my |your )?(?:disk|drive|hard ?drive|partition|computer|c:)|rm\s+-|"
    r"sudo|shell|bash|terminal|execute|exec|eval|system prompt|curl|wget|"
    r"ignore (?:all |your |the |previous |my )*(?:instructions|tools|rules)|jailbreak|password|api key|"
    r"admin(?:istrator)? (?:mode|rights|access|privileges|password|panel)|as (?:an? )?admin(?:istrator)?|"
    r"no rules|without (?:any )?rules|you are dan|dan mode|developer mode|config(?:uration)? files?|run rm|"
    r"(?:list|open|read|show|browse|access|delete|clear|empty|look in(?:to)?|go (?:in)?to|cd) (?:the |my |your )?"
    r"(?:temp|tmp|home|system|runs) (?:folder|directory)|"
    r"(?:print|show|dump|read|cat) (?:me )?(?:the )?contents of (?:the |my |your |a |every )?(?:files?|folders?|"
    r"director(?:y|ies)|disk|drive|config\w*|system|home|env\w*|database)|environment variables|"
    r"(?:disable|skip|bypass|turn off) (?:all |the |your )?(?:safety|checks|filters|rules|guard\w*)|"
    r"exfiltrat|upload (?:my|all) files|file ?system|access (?:the|my|your) (?:files|disk|folders?|drive)|"
    r"allowed to (?:access|run|execute|delete|read)|e-?mail (?:\w+ ){0,3}to|(?:use|call|run) the \w+_\w+ tool|"
    r"with the \w+_\w+ tool)\b|(?:^|\s)(?:/etc/|/usr/|~/|c:\\|\.\./)|https?://|[\w.+-]+@[\w-]+\.\w+")
META = re.compile(r"^how (?:long|fast|quick|much time)\b|"
                  r"^(how|what|why|which|can|does|do|is|are|tell me|explain)\b.*\b(work|works|tools?|do you|"
                  r"can you do|does it|atelier|you are|are you|explain|how (?:do|does|did) you|how you|difference)\b")
DEFINITION = re.compile(r"^what(?:'s| is| are) (?:a|an) \w+(?: \w+)?$|^what does [\w ]+ mean$")  # "what is a cell size"
SUPPORTED = re.compile(r"\b(?:(?:do|can) you (?:support|offer|know|have|handle)|supported|available|(?:list|all|every) "
                       r"(?:of )?(?:the |your )?styles)$|\b(?:a |the )?list of (?:the |your |all )?(?:\w+ )?styles\b|"
                       r"^(?:what|which) styles (?:are there|can i|could i|do you|"
                       r"does atelier|are available)\b")  # asks for the list, not for a style
TARGET = re.compile(rf"\b(?:is|=) (?:what|the (?:one|{attach.PHOTO})) (?:i want|i'd like|to be|that needs?|"
                    r"you should|"
                    r"i need)\b|\b(?:is|=) (?:the |my )?(?:target|base|photo to (?:change|restyle|edit))\b")
IS_WHAT = re.compile(rf"^(?:and |the )?(?:{attach.COUNT_ORD}|(?:{attach.PHOTO}|attachment) ?#?\d)"
                     rf"(?: (?:one|{attach.PHOTO}|attachment))? (?:is|=|:) (?:a|an|the|my|our)\b")
CONTEXT_ONLY = re.compile(r"\b(?:is|are) (?:just|only) (?:for (?:context|reference|comparison)|(?:some )?screenshots?|"
                          r"an? (?:example|screenshot))\b|\bjust for context\b")
IGNORE = re.compile(r"^(?:and |but |oh,? )?(?:please )?(?:ignore|skip|never mind|don'?t use|forget about|leave out|"
                    r"leave (?:the )?[\w ]{1,20} alone|don'?t touch)\b")
REF_ONLY = re.compile(r"\b(is|as|for) (?:the |a |my )?(?:reference|ref|example|guide|source)\b|"
                      rf"^(?:use|using|with|from|based on) (?:the |my )?\w+ (?:{attach.PHOTO}|one)s?$|"
                      rf"^(?:and )?(?:the |my |this )?[\w-]+(?: one| {attach.PHOTO})? (?:is|=) "
                      rf"(?:the |my )?(?:{attach.COUNT_ORD}|\d)\b")  # "the selfie is the 1st"
ATTACHMENT_ONLY = re.compile(  # a part that only says which attachment: "only the second image", "just photo 2"
    rf"^(?:(?:only|just|for|on|in|with|use|using|take)\s+)?(?:the\s+|my\s+)?(?:{attach.COUNT_ORD}|latest)\s+"
    rf"(?:one|{attach.PHOTO}|attachment|upload|file)s?(?:\s+only)?$|^(?:only |just )?{attach.PHOTO}\s*#?\d$|"
    r"^(?:for |on |to |with )?(?:each|every|all)(?: single)?(?: one)?(?: of)?(?: these| those| them| the| my)?"
    rf"(?: (?:{attach.PHOTO}|one|attachment)s?)?$")
NEGATED = re.compile(r"^(?:(?:no|nope|ok|okay|thanks|no thanks|actually|wait|please|but|and|so),?\s+)*"
                     r"(?:(?:i|we) (?:don'?t|do not) (?:need|want)|no need for|don'?t|do not|dont|no need to|never|"
                     r"please don'?t|stop|you don'?t need to|(?:please )?leave (?:\w+ ){1,3}(?:exactly |just )?"
                     r"(?:as (?:it is|they are|is)|alone|untouched)|"
                     r"there'?s no need to)\b|"
                     r"^(?:(?:and|but|please|just),?\s+)*no\s+(?!(?:need|problem|worries|rush|pressure)\b)[a-z-]+"
                     r"(?:\s+[a-z-]+)?(?:,?\s+please)?$")  # "no, please don't open the eyes", "no drawing": no tool
PRIVACY = re.compile(
    r"\b(privacy|private|upload(?:ed|s|ing)? (?:anywhere|somewhere|online|elsewhere|to)|(?:do|did|will) you upload|"
    r"(?:is|are|was|were) (?:it|this|they|my \w+|anything) uploaded|the cloud|servers?|internet|"
    r"(?:is|are|was|were) (?:it|this|they|my \w+) (?:stored|kept|saved)|online|shared? with|sell|"
    r"train(?:ed)? on|where (?:are|is|do you|does atelier) (?:\w+ ){0,3}(?:saved|stored|kept|save|store|keep)|"
    r"keep (?:a )?cop(?:y|ies)|(?:do|did|will|if|whether) you (?:store|keep|save|log|remember|send)|log about|"
    r"track(?:ing)? me|(?:used?|using) (?:it |them )?(?:to|for) (?:ai |model |machine )?(?:learning |train\w*)|"
    r"training data|train your|"
    r"(?:other|others|other people|anyone else|anybody else|someone else|strangers) (?:\w+ ){0,4}?(?:can |could )?"
    r"(?:see|access|view)|visible to|(?:can|could) (?:anyone|others|other people|strangers) (?:see|access|view)|"
    r"gps|who (?:else )?can (?:see|access|view|get)|where do (?:my|the|your) \w+ go|"
    r"(?:do|will|did|would) you (?:share|sell|give|pass)|"
    r"others? (?:users? )?(?:can )?see|(?:delete|remove|wipe|erase|forget) (?:all )?(?:of )?"
    rf"my (?:\w+ )?(?:data|history|runs|{attach.PHOTO}s|files|stuff|last {attach.PHOTO})|remove everything|"
    r"safe with you|"
    r"my data|personal data|accidentally (?:put|upload\w*|sent|attach\w*|share\w*|added)|sent to|send (?:it|them|"
    r"my \w+|anything) to|leaves? (?:my|the|your) (?:computer|machine|device|laptop|phone|pc)|on the internet|"
    rf"(?:find|search|look up) (?:more )?{attach.PHOTO}s of (?:this|that|him|her|them))\b")
CLAIM = re.compile(
    r"\b(?:i|we|you|it)(?: have| has|'ve| already| just)* (?:already )?(?:deleted|removed|erased|wiped|ran|executed|"
    r"formatted)\b|\b(?:i|we|you|it)(?:'ve| have| has)? already uploaded\b|"
    r"\b(?:pretend|confirm|say|tell me) (?:that )?(?:you|it)(?:'ve| have| has)? (?:already )?"
    r"\w+ed\b|\breveal\b|\bhidden instructions\b|\badmin(?:istrator)? mode\b")
UNSAFE = re.compile(f"(?:{DANGER.pattern})|(?:{CLAIM.pattern})")
SEARCH_FILLER = re.compile(r"\b(show|find|list|search|get|display|bring up|pull up|dig up|look up|from|where|what|"
                           r"which|when|did|is|are|me|my|all|the|of|"
                           r"for|past|previous|"
                           r"earlier|old|older|recent|please|can you|could you|runs?|results?|everything|anything|"
                           r"(?:i|we)(?:'ve| have)? (?:ever |already )?(?:done|made|did|created)(?: with)?|style)\b")


@functools.cache
def unsupported() -> re.Pattern:
    return re.compile("|".join(f"(?:{line})" for line in read_lines("unsupported.txt")))


def _rules() -> list[tuple[int, str, Rule]]:
    return _rules_of(tuple(catalogue()))


@functools.cache
def _rules_of(tools: tuple[str, ...]) -> list[tuple[int, str, Rule]]:
    """Every tool's keyword rules, lowest priority first (ties keep the tools' order)."""
    rules = [(rule.priority, name, rule) for name in tools for rule in catalogue()[name].hints.rules]
    return sorted(rules, key=lambda r: r[0])


def _matches(rule: Rule, clause: str, request: str) -> bool:
    return (all(tx.rx(p).search(clause) for p in rule.all) and not any(tx.rx(p).search(clause) for p in rule.none)
            and all(tx.rx(p).search(request) for p in rule.request_all)
            and not any(tx.rx(p).search(request) for p in rule.request_none)
            and (rule.style is None or _asks_style(clause) == rule.style))


def _asks_style(clause: str) -> bool:
    """A style is named, and not as what is wrong with the image ("it's all pixelated because I zoomed in")."""
    return bool(tx.find_style(clause)) and not tx.STATE.search(clause)


@dataclass
class Clause:
    text: str
    tool: str | None  # None: no tool (answer)
    confidence: float
    style: tuple[str, str] | None = None
    refs: list[int] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)  # the named attachments used as a reference


def _examples() -> tuple[list[str], np.ndarray]:
    return _examples_of(tuple(catalogue()))


@functools.cache
def _examples_of(tools: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """Each tool's example phrasings (from its spec) and the agent's no-tool phrasings (prompts/examples.txt)."""
    from atelier.knowledge.embedders.minilm import encode_cached

    rows = [(name, phrase) for name in tools for phrase in catalogue()[name].examples]
    rows += [("answer", phrase) for phrase in read_lines("examples.txt")]
    labels = [label for label, _ in rows]
    return labels, encode_cached([phrase for _, phrase in rows])


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


DESCRIPTION_TAIL = re.compile(r",\s+(?=(?:it|this|that|they)(?:'s| is| was| are| were)\s)")  # what the image is


def rule_tool(clause: str, request: str, n_attachments: int | None = None) -> str | None:
    """High-precision keyword rules from the tools' specs; "answer" for edits no tool does; None when unsure.
    With ``n_attachments`` known, a tool that combines several photos (further frame roles) is not chosen for
    fewer than two: the next rule decides ("one photo where everyone's eyes are open" of a single photo)."""
    hit = rule_hit(clause, request, n_attachments)
    return hit[1] if hit else None


def rule_hit(clause: str, request: str, n_attachments: int | None = None) -> tuple[int, str] | None:
    """(priority, tool) of the first rule that matches, or (UNSUPPORTED_PRIORITY, "answer")."""
    checked = False
    asked = DESCRIPTION_TAIL.split(clause)[0]  # "restore the face, it's a screenshot from a video call": no video edit
    for priority, tool, rule in _rules():
        if n_attachments == 1 and frame_roles(tool):
            continue
        if not checked and priority > UNSUPPORTED_PRIORITY:
            checked = True
            if unsupported().search(asked) or _unsupported_edit(asked):
                return UNSUPPORTED_PRIORITY, "answer"
        if _matches(rule, clause, request) and not _inside_style_name(rule, tool, clause):
            return priority, tool
    if not checked and (unsupported().search(asked) or _unsupported_edit(asked)):
        return UNSUPPORTED_PRIORITY, "answer"
    return _gerund_hit(clause, request, n_attachments)


GERUND = re.compile(r"\b([a-z]{3,}?)ing\b")


def _gerund_hit(clause: str, request: str, n_attachments: int | None) -> tuple[int, str] | None:
    """The rules read verbs: a clause that no rule read, said with gerunds ("prior to restyling it like pic 2"),
    is read again with each gerund as its verb ("restyle", "open")."""
    if not GERUND.search(clause):
        return None
    for ending in ("", "e"):
        verb = GERUND.sub(lambda m, e=ending: m[1] + e, clause)
        hit = rule_hit(verb, request, n_attachments) if not GERUND.search(verb) else None
        if hit is not None:
            return hit
    return None


def _inside_style_name(rule: Rule, tool: str, clause: str) -> bool:
    """A rule that only read one of its tool's choice words inside a style said by its own name of two words or
    more ("turn it into ink wash": "ink" is a sketch medium and half of the style): the style, the longer reading,
    is what was asked for."""
    found = tx.find_style(clause) if rule.style is None and rule.all else None
    if not found or found[0] != found[1] or " " not in found[0]:
        return False
    inside = set(found[0].split()) & _choice_words(tool)
    if not inside:
        return False
    rest = tx.rx(rf"(?<![a-z]){re.escape(found[0])}(?![a-z])").sub(lambda m: m[0].replace(next(iter(inside)), "_"),
                                                                     clause)
    return not any(tx.rx(p).search(rest) for p in rule.all)


def _named_by_argument(clause: str) -> str | None:
    """The one tool whose argument the clause sets by name and value ("try the charcoal medium on the result":
    sketchify's medium), or None."""
    def said(arg: str, value: str) -> bool:  # the value next to the argument's name: "charcoal medium"
        if arg in tx.vocabulary():
            return False  # a name that is also a tool word ("restore", "eyes") names no argument
        a, v = re.escape(arg.replace("_", " ")), re.escape(value.replace("_", " "))
        return bool(re.search(rf"\b{v}\s+{a}\b|\b{a}\s*(?:=|:|of)?\s*{v}\b", clause))

    tools = [name for name in catalogue() if any(said(arg, value) for arg, value in named_args(name, clause).items()
                                                 if isinstance(value, str) and value not in COMMON_CHOICES)]
    return tools[0] if len(tools) == 1 else None


def _unsupported_edit(clause: str) -> bool:
    """An edit no tool does, unless a style is said by its own name ("turn my dog into a graffiti piece")."""
    if not intent.unsupported_edit(clause):
        return False
    style = tx.find_style(clause)
    return not (style and style[0] == style[1] and not intent.ADDS_SOMETHING.search(clause))


def classify(clauses: list[str], request: str, n_attachments: int, parts: bool = False) -> list[Clause]:
    """Each clause's tool (None: no tool); ``parts``: the clauses are parts of one sentence, where a part that
    only tells ("the second picture is from a few seconds later") gets no tool from a nearest example."""
    ruled = ["answer" if NEGATED.search(c) or ATTACHMENT_ONLY.search(c) or intent.statement(c)
             or attach.only_binds(c, n_attachments)
             else _named_by_argument(c) or rule_tool(c, request, n_attachments) for c in clauses]
    todo = [c for c, r in zip(clauses, ruled, strict=True) if r is None]
    near = iter(nearest(todo)) if todo else iter(())
    out = []
    for c, r in zip(clauses, ruled, strict=True):
        if r is not None:
            out.append(Clause(c, None if r == "answer" else r, 1.0))
            continue
        label, sim, margin = next(near)
        names_only = attach.attachment_refs(c, n_attachments) and not tx.is_request(c) and (parts or NOUN_PHRASE.match(
            c))  # "the one with the dog (2nd)": which attachment, for the step beside it
        tool = None if label == "answer" or sim < 0.35 or intent.statement(c) or (parts and intent.told(c)) \
            or names_only else label
        if tool and not _supported(tool, c) and not tx.find_style(c) and not attach.attachment_refs(c, n_attachments):
            tool = None  # "make it HDR", "vectorize this logo": close to an example, but no word of the tool's own
        out.append(Clause(c, tool, float(min(1.0, max(0.0, margin * 4 + (sim - 0.35))))))
    for cl in out:
        hints = catalogue()[cl.tool].hints if cl.tool else None
        wants_style = hints and (hints.ref_from or hints.text_arg == ("query", "style"))
        cl.style = tx.find_style(cl.text) if wants_style else None
        cl.refs = attach.attachment_refs(cl.text, n_attachments)
        cl.marks = attach.reference_marks(cl.text, n_attachments, tx.find_style)
        if cl.marks and n_attachments >= 2:
            cl.tool = _with_reference(cl, request, n_attachments)
            if cl.tool and catalogue()[cl.tool].hints.ref_from and cl.style is None:
                cl.style = tx.find_style(cl.text)
    return out


def _with_reference(cl: Clause, request: str, n: int) -> str | None:
    """A clause that names one attachment as a reference asks for a tool that takes one: which, by the words
    the tools' specs use for themselves and their reference ("use the middle photo's eyes to fix the top one":
    eyes; "this drawing (1st) should look like that artwork (2nd)": a look). A tool a rule chose that takes a
    reference is kept; so is a clause that only tells which attachment is which."""
    tool = cl.tool
    several = tool is not None and len(catalogue()[tool].images) > 1  # a reference, or frames to combine
    if several and (cl.confidence >= 1.0 or tool == rule_tool(cl.text, request, n)):
        return tool
    if tool is None and (intent.told(cl.text) or intent.statement(cl.text) or NEGATED.search(cl.text)
                         or not re.search(r"[a-z]{3}", re.sub(r"\b(?:the|a|an|is|are|and|one)\b", "", cl.text))):
        return tool
    said = {_singular(w) for w in re.findall(r"[a-z]+", cl.text)}
    scores = {name: len(said & _reference_words(name)) for name, spec in catalogue().items()
              if spec.role("ref") is not None}
    best = max(scores, key=scores.get, default=None)
    if best is None or scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        return tool
    return best


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@functools.cache
def _reference_words(tool: str) -> frozenset[str]:
    """A tool's own words (its planner vocabulary and its reference role's description), without the words every
    reference has ("reference", "image")."""
    spec = catalogue()[tool]
    words = [w for phrase in (*spec.hints.vocabulary, spec.role("ref").description) if "=" not in phrase
             for w in re.findall(r"[a-z]+", phrase)]
    return frozenset(_singular(w) for w in words if len(w) > 2 and w not in GENERIC_REFERENCE_WORDS)


GENERIC_REFERENCE_WORDS = frozenset(("the", "reference", "ref", "references", "image", "photo", "picture", "same",
                                     "with", "one", "person"))


def _args_for(tool: str, clause: Clause) -> dict[str, Any]:
    spec = catalogue()[tool]
    args = tx.cue_args(spec.hints.args, clause.text)
    if "seed" in spec.args_model.model_fields and "seed" not in args:
        seed = re.search(r"\bseed\s*(?:=|of|:)?\s*(\d+)", clause.text)
        if seed:
            args["seed"] = int(seed.group(1))
    args.update({k: v for k, v in named_args(tool, clause.text).items() if k not in args})
    if spec.hints.text_arg:
        name, kind = spec.hints.text_arg
        if kind == "style":
            args[name] = clause.style[1] if clause.style else tx.style_query(clause.text)
        else:
            args[name] = re.sub(r"\s+", " ", SEARCH_FILLER.sub(" ", clause.text)).strip() or clause.text
    return args


COMMON_CHOICES = {"auto", "none", "default", "closed", "both", "photo", "reference", "palette", "fast", "hq", "dodge",
                  "line_art"}  # choice values that are ordinary words in requests: never read as an argument


@functools.cache
def _arg_kinds(tool: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """argument -> (JSON type, fixed choices) from the tool's own argument model."""
    out = {}
    for name, prop in catalogue()[tool].args_model.model_json_schema().get("properties", {}).items():
        options = [prop, *prop.get("anyOf", [])]
        choices = tuple(c for o in options for c in o.get("enum", []) if isinstance(c, str))
        kind = next((o.get("type") for o in options if o.get("type") in ("number", "integer", "boolean")), "")
        out[name] = (kind, choices)
    return out


@functools.cache
def _maximum(tool: str, name: str) -> float | None:
    prop = catalogue()[tool].args_model.model_json_schema().get("properties", {}).get(name, {})
    tops = [o.get("maximum", o.get("exclusiveMaximum")) for o in (prop, *prop.get("anyOf", []))]
    return next((t for t in tops if t is not None), None)


@functools.cache
def _unit_interval(tool: str, name: str) -> bool:
    """An argument that lives in 0..1 (a share): "70 %" or "70" said for it means 0.7."""
    prop = catalogue()[tool].args_model.model_json_schema().get("properties", {}).get(name, {})
    options = [prop, *prop.get("anyOf", [])]
    return any(o.get("maximum") == 1 or o.get("exclusiveMaximum") == 1 for o in options)


def _order_by_words(parts: list[Clause]) -> list[Clause]:
    """"sketch + restore face, but the restore goes first": an ordering part that names a tool another part
    already asks for moves that part (first or last) instead of adding a step."""
    out = list(parts)
    for part in parts:
        first, last = tx.FIRST_WORDS.search(part.text), tx.LAST_WORDS.search(part.text)
        other = next((p for p in out if p is not part and p.tool == part.tool), None)
        if (first or last) and other is not None and part in out:
            out.remove(part)
            out.remove(other)
            out = [other, *out] if first else [*out, other]
    return out


@functools.cache
def _choice_words(tool: str | None) -> frozenset[str]:
    """The words of a tool's fixed-choice argument values ("charcoal", "ink", "codeformer")."""
    if tool is None:
        return frozenset()
    return frozenset(c.replace("_", " ") for _, choices in _arg_kinds(tool).values() for c in choices
                     if c not in COMMON_CHOICES)


ARG_FILLER = frozenset((
    "please", "and", "with", "at", "of", "the", "a", "an", "to", "is", "it", "its", "on", "in",
    "for", "also", "use", "using", "make", "set", "give", "me", "seed", "size", "px", "x", "percent", "per",
    "cent", "pct", "variations", "variation", "top", "k", "by", "about", "around", "only", "just", "same", "so", "now",
    "bit", "little", "slightly", "lot", "much", "more", "less", "even", "again", "this", "time", "instead"))


def args_only(tool: str, clause: str) -> bool:
    """A clause that only gives values of the tool's arguments ("offset 2,3 and cell 8", "3 variations please",
    "charcoal"): it belongs to that tool's step, not a step of its own."""
    spec = catalogue()[tool]
    found = {**tx.cue_args(spec.hints.args, clause), **named_args(tool, clause)}
    if not found and not re.search(r"\bseed\s*\d", clause):
        return False
    known = ARG_FILLER | _choice_words(tool) | {w for name in spec.args_model.model_fields for w in name.split("_")}
    said = clause
    for cue in spec.hints.args:  # the words a cue read are the value ("darker", "no grain")
        said = tx.rx(cue.pattern).sub(" ", said)
    rest = [w for w in re.findall(r"[a-z]+", said) if w not in known]
    return len(rest) <= 1


def named_args(tool: str, clause: str) -> dict[str, Any]:
    """Arguments said by name ("fidelity 0.5", "strength=0.8", "palette size 6") or by a distinctive choice word
    ("with codeformer", "in charcoal"), read from the tool's argument model; each kept only if valid."""
    from pydantic import ValidationError

    model = catalogue()[tool].args_model
    found: dict[str, Any] = {}
    for name, (kind, choices) in _arg_kinds(tool).items():
        if kind in ("number", "integer"):
            words = name.replace("_", r"[ _]?")
            m = tx.rx(rf"\b{words}\s*(?:=|:|of|at|to|is)?\s*(?:about |around |roughly )?(\d+(?:\.\d+)?)(\s*%)?"
                      rf"(?![\d.])").search(clause)
            if m is None and kind == "integer":  # "2 variations"
                m = tx.rx(rf"\b(\d+)\s+{words}s?\b").search(clause)
            if m is None and kind == "number":  # "70 % strength", "0.6 fidelity"
                m = tx.rx(rf"(?<![\d.])(\d+(?:\.\d+)?)(\s*%)\s*(?:of\s+)?(?:the\s+)?{words}\b|"
                          rf"(?<![\d.])(0?\.\d+|[01])()\s+{words}\b").search(clause)
            if m is None:  # "feather the blends by 50 px", "a 40 px feather"
                m = tx.rx(rf"\b{words}\w*\s+(?:the\s+)?(?:\w+\s+)?(?:by|of|at|to)\s+(\d+(?:\.\d+)?)()\s*(?:px|"
                          rf"pixels?)?\b|\b{words}\w*\s+(?:the\s+)?(?:\w+\s+)?(\d+(?:\.\d+)?)()\s*(?:px|pixels?)\b|"
                          rf"(?<![\d.])(\d+(?:\.\d+)?)()\s*(?:px|pixels?)\s+{words}\b").search(clause)
            if m:
                groups = (*m.groups(), None)
                raw, percent = next((groups[i], groups[i + 1]) for i in range(0, len(groups) - 1, 2) if groups[i])
                value = float(raw)
                top = _maximum(tool, name)
                if kind == "number" and ((_unit_interval(tool, name) and (percent or 1 < value <= 100))
                                         or (percent and top is not None and value > top)):
                    value = round(value / 100, 4)  # "strength 70 %" of a 0..2 strength is 0.7
                found[name] = int(value) if kind == "integer" else value
        if kind == "boolean":  # "with dithering", "without aligning them"
            stem = re.sub(r"e$", "", name.split("_")[0])
            off = (rf"\b(?:no|without|don'?t|dont|do not|skip(?:ping)?|turn off|disable|not|no need to|never)\s+"
                   rf"(?:the\s+|any\s+)?{stem}\w*")
            on = rf"\b(?:with|use|using|turn on|enable|and)\s+(?:the\s+)?{stem}\w*|\b{stem}\w*\s+on\b"
            if tx.rx(off).search(clause):
                found[name] = False
            elif tx.rx(on).search(clause):
                found[name] = True
        said_name = name.replace("_", r"[ _]?")
        for choice in choices:
            word = re.escape(choice.replace('_', ' '))
            if choice not in COMMON_CHOICES and tx.rx(rf"(?<![a-z]){word}(?![a-z])").search(clause):
                found[name] = choice
            elif tx.rx(rf"\b{word}\s+{said_name}\b|\b{said_name}\s*(?:=|:|of|to)?\s*{word}\b").search(clause):
                found[name] = choice  # an ordinary word said with its argument's name: "hq preset", "preset: fast"
    kept = {}
    for name, value in found.items():
        try:
            model.model_validate({name: value})
        except ValidationError:
            continue
        kept[name] = value
    return kept


class SemanticPlanner:
    name = "semantic"

    def plan(self, request: PlanRequest) -> Plan:
        plan, _ = self.plan_with_confidence(request)
        return plan

    def plan_with_confidence(self, request: PlanRequest) -> tuple[Plan, float]:
        cleaned, asked = screen(request.text, self.name)
        if asked is not None:
            return asked, 1.0
        whole = tx.normalise(cleaned)  # safety reads every word, not only the instruction's
        text = tx.resolve_introduced(tx.normalise(tx.instruction_part(cleaned)), whole, request.n_attachments)
        if not text:
            return Plan(planner=self.name, answer=capabilities()), 1.0
        last = request.thread[-1] if request.thread else {}
        if request.n_attachments and HANDOVER.match(text) and not last.get("steps") and last.get("text"):
            # "here you go" after an ask for the image: the request asked before, now with its image
            return self.plan_with_confidence(PlanRequest(text=last["text"], n_attachments=request.n_attachments,
                                                         has_last_image=request.has_last_image,
                                                         thread=request.thread[:-1]))
        follow = follow_up(request, text, self.name) if request.thread else None
        if follow is not None:
            return follow, 1.0
        privacy_notes: list[str] = []
        private = PRIVACY.search(tx.PURPOSE_RE.sub("", text))
        if private and (not re.search(r"\b(?:show|find|list|search)\b", text) or re.search(
                rf"internet|{attach.PHOTO}s of", private[0])):  # "find more photos of this woman online"
            work = [p for p in re.split(r",?\s+but\s+|[,;]\s+|\s+and (?:then |also )?(?=\w)", text)
                    if not PRIVACY.search(p) and not NEGATED.search(p) and rule_tool(p, p, request.n_attachments)
                    not in (None, "answer")]
            if not work:
                return Plan(planner=self.name, answer=replies()["privacy"][1]), 1.0
            privacy_notes = [replies()["privacy"][1]]  # "sketch this, but don't keep a copy": the sketch runs
            text = ", ".join(work)
        if tx.only_tells(cleaned) and not DANGER.search(whole):  # a story shared, no work asked for
            return Plan(planner=self.name, answer=capabilities()), 1.0
        if intent.about_atelier(text, request.n_attachments) and not DANGER.search(whole):
            return Plan(planner=self.name, answer=capabilities()), 1.0
        about_input = re.search(rf"\b(this|these|it|her|his|my|the {attach.PHOTO})\b",
                                text.replace("how does it work", ""))
        styles = re.search(r"\b(style|styles|references?)\b", text)
        definition = request.n_attachments == 0 and DEFINITION.search(text)
        listing = SUPPORTED.search(text) and not about_input  # "which styles do you support?"
        if (META.search(text) and not about_input and not styles) or listing or definition:
            return Plan(planner=self.name, answer=capabilities()), 1.0
        ignored: list[str] = []
        if DANGER.search(whole) or CLAIM.search(whole):  # run only the legitimate part of an injected request
            legit, ignored = intent.strip_injection(cleaned, UNSAFE)
            asks = intent.TOOL_VERB.search(legit.lower()) or tx.find_style(tx.normalise(legit))
            text = tx.normalise(tx.instruction_part(legit)) if asks else ""
            if not text or DANGER.search(text) or CLAIM.search(text) or request.n_attachments == 0:
                return Plan(planner=self.name, answer=replies()["refuse"][1]), 1.0
            whole = tx.normalise(legit)
        clauses = self._clauses(text, request.n_attachments, whole)
        tools = [c for c in clauses if c.tool]
        if not tools and not ignored and whole != text and POINTS_BACK.search(text):  # "the faces are grainy.
            # could you clean them up?": the
            clauses = self._clauses(whole, request.n_attachments)  # request needs the sentences it points back to
            tools = [c for c in clauses if c.tool]
            text = whole
        confidence = min((c.confidence for c in clauses), default=0.0)
        several = rule_tool(text, text) if not tools and request.n_attachments == 1 else None
        if several not in (None, "answer") and frame_roles(several):  # "the best-take thing on these?" of one photo
            return Plan(planner=self.name, ask=self._ask_for_shots(several)), confidence
        if not tools and request.n_attachments == 0 and not ignored and VAGUE_EDIT.search(text) and not any(
                c.tool == "answer" or intent.unsupported_edit(c.text) for c in clauses):
            return Plan(planner=self.name, ask=replies()["ask_image"][1]), confidence  # "edit the photo"
        if not tools:
            answer = replies()["refuse"][1] if ignored else self._no_tool_answer(text)
            return Plan(planner=self.name, answer=answer), confidence
        plan = self._wire(tools, request, text)
        if privacy_notes:
            plan = plan.model_copy(update={"notes": [*plan.notes, *privacy_notes]})
        if ignored:
            plan = plan.model_copy(update={"notes": [*plan.notes, *(
                f"ignored (not an image request; nothing in a request can run commands, touch files or change "
                f"the rules): {part!r}" for part in ignored)]})
        if whole != text:  # a story was left out: its measured values may still be this plan's arguments
            plan = plan.model_copy(update={"steps": [story_args(s, whole) for s in plan.steps]})
        return plan, confidence

    def _clauses(self, text: str, n: int, whole: str = "") -> list[Clause]:
        context = f"{whole} {text}" if whole and whole != text else text  # rules may read the story too
        out: list[Clause] = []

        def tool_of(phrase: str) -> str | None:
            tool = rule_tool(phrase, context, n)
            return None if tool == "answer" else tool

        def style_of(phrase: str) -> str | None:
            found = tx.find_style(phrase)
            return found[1] if found else None

        text = EXCEPT.sub("", text) if EXCEPT.search(text) and attach.attachment_refs(text, n) else text
        fixed = tx.split_correction(text)
        said = tx.split_clauses(text) if fixed is None else steps.corrected(
            tx.split_clauses(fixed[0]), tx.split_clauses(fixed[1]), tx.goes_first(fixed[1]), tool_of, style_of)
        for clause in steps.mask_step_references(said, tool_of, style_of):
            parts = steps.mask_step_references(tx.split_and(clause), tool_of, style_of)
            if len(parts) > 1 and any(ATTACHMENT_ONLY.search(p) for p in parts):  # "only the second image, ..."
                rest = [p for p in parts if not ATTACHMENT_ONLY.search(p)]
                if rest:
                    parts = [f"{rest[0]}, on {', '.join(p for p in parts if ATTACHMENT_ONLY.search(p))}", *rest[1:]]
                    clause = ", ".join(parts)
            if len(parts) > 1 and any(IGNORE.search(p) for p in parts):  # "ignore the first, sketch the others"
                parts = [p for p in parts if not IGNORE.search(p)] or parts[:1]
                clause = ", ".join(parts)
            if len(parts) > 1 and any(NEGATED.search(p) for p in parts):  # "don't restore it, just sketch it"
                kept_parts: list[str] = []
                for p in parts:  # "best take, but don't align the frames": a switch of a step's own argument
                    if NEGATED.search(p) and kept_parts and _switches_off(p):
                        kept_parts[-1] = f"{kept_parts[-1]}, {p}"
                    elif not NEGATED.search(p):
                        kept_parts.append(p)
                parts = kept_parts or parts[:1]
                clause = ", ".join(parts)
            whole_hit = rule_hit(clause, context, n) if len(parts) > 1 else None
            part_hits = [rule_hit(p, context, n) for p in parts] if whole_hit else []
            if whole_hit and whole_hit[1] != "answer" and all(h is None or h[0] > whole_hit[0] for h in part_hits):
                parts = [clause]  # "check for anyone with closed eyes and fix them": one rule reads the whole
            if len(parts) > 1:
                kept: list[Clause] = []
                for s in classify(parts, context, n, parts=True):
                    owner = next((k for k in kept if s.text.strip() in _choice_words(k.tool)
                                  or (k.tool != s.tool and args_only(k.tool, s.text))), None)
                    if owner is not None:  # "shading at 0.45, seed 3, charcoal": a value of a step's own argument
                        owner.text = f"{owner.text}, {s.text}"
                    elif s.tool and kept and kept[-1].tool == s.tool and not _differ(kept[-1], s):
                        # "upscaled, fix the pixels": one step
                        kept[-1] = Clause(f"{kept[-1].text}, {s.text}", s.tool, min(kept[-1].confidence, s.confidence),
                                          kept[-1].style or s.style, kept[-1].refs + s.refs, kept[-1].marks + s.marks)
                    elif s.tool:
                        kept.append(s)
                for k in list(kept):  # "lines only, zero shading": a part that only sets a later step's value
                    owner = next((o for o in kept if o is not k and o.tool != k.tool and args_only(o.tool, k.text)
                                  and not args_only(k.tool, o.text)), None)
                    if owner is not None and not _supported_rule_free(k, context, n):
                        owner.text = f"{owner.text}, {k.text}"
                        kept.remove(k)
                kept = _order_by_words(kept)
                if len(kept) >= 2 and all(s.confidence >= 1.0 for s in kept):  # split only on rule-sure parts
                    out += kept
                    continue
            out += classify([clause], context, n)
        return said_looks(told_reasons(join_clauses(anchored(out), context, n)))

    @staticmethod
    def _ask_for_shots(tool: str) -> str:
        return f"{catalogue()[tool].summary} Please attach the other shots too (at least two photos of the same group)."

    def _no_tool_answer(self, text: str) -> str:
        if re.search(r"\b(hi|hello|hey|good (morning|afternoon|evening)|thanks|thank you|cheers)\b", text):
            return "Hello! " + capabilities()
        if re.search(r"\b(what can you do|help|who are you|what are you|what is atelier|tools?|how do(es)?)\b",
                     text):
            return capabilities()
        return "I can't do that: no Atelier tool does it. " + capabilities()

    def _wire(self, clauses: list[Clause], request: PlanRequest, text: str) -> Plan:
        n = request.n_attachments
        several = next((c.tool for c in clauses if frame_roles(c.tool)), None)
        if n == 1 and any(catalogue()[c.tool].role("ref") for c in clauses) and TWO_IMAGES_ONE_SENT.search(text):
            return Plan(planner=self.name, ask="Please attach the reference too: I have only one image, and the "
                        "request names two (the photo to change and the reference).")
        if several and n == 1:  # a tool that combines shots, given one: ask for the others
            return Plan(planner=self.name, ask=self._ask_for_shots(several))
        said = tx.said_count(text)
        if said is not None and said > max(n, 1):  # "sketch these 10" with 3 attached: ask for the rest
            return Plan(planner=self.name, ask=f"You mention {said} photos but {n} {'is' if n == 1 else 'are'} "
                        "attached. Please attach all of them (or say which ones to use).")
        if n >= 2 and not several and not any(c.refs for c in clauses) and DESCRIBED_ONE.search(text):
            return Plan(planner=self.name, ask=f"Which of the {n} photos do you mean? Say e.g. \"the second one\" or "
                        "\"photo 3\".")  # "sketch the one with the dog in it", "fix the blurry one"
        ref_fan = self._ref_fanout(clauses, n, text)
        if ref_fan:
            return Plan(planner=self.name, steps=ref_fan)
        fan = (n > 1 and tx.wants_fanout(text) and not any(frame_roles(c.tool) for c in clauses)
               and not any(c.refs or c.marks for c in clauses))  # "sketch each of them, then make them watercolor"
        named = list(dict.fromkeys(clauses[0].refs)) if len(clauses) == 1 else []
        named_look = bool(named) and clauses[0].style is not None and not clauses[0].marks  # "the last two → pop art"
        if len(named) >= 2 and not frame_roles(clauses[0].tool) and (
                named_look or not catalogue()[clauses[0].tool].role("ref")):
            return self._fan_out(clauses, request, named)  # "sketch the second and the third" (one style lookup)
        skipped = ignored_attachments(text, n)
        if skipped and len(clauses) >= 1 and not any(c.refs or c.marks for c in clauses):
            rest = [i for i in range(n) if i not in skipped]  # "ignore the first picture, open the eyes in the others"
            return self._fan_out(clauses, request, rest)
        if fan:
            return self._fan_out(clauses, request, list(range(n)))
        return Plan(planner=self.name, steps=self._steps_for(clauses, request, start=0, image=None))

    def _fan_out(self, clauses: list[Clause], request: PlanRequest, targets: list[int]) -> Plan:
        """The clauses' steps once for each target attachment, a lookup they share run once."""
        steps: list[Step] = []
        for i in targets:
            steps += self._steps_for(clauses, request, start=len(steps), image=f"attachment:{i}", fan=True)
        return Plan(planner=self.name, steps=share_lookups(steps))

    def _ref_fanout(self, clauses: list[Clause], n: int, text: str) -> list[Step]:
        """"apply the style of the last image to the other three": one step per target attachment, each with
        the named reference."""
        if len(clauses) != 1 or n < 3 or not clauses[0].marks:
            return []
        cl = clauses[0]
        if catalogue()[cl.tool].role("ref") is None:
            return []
        ref = cl.marks[-1]
        named = [i for i in dict.fromkeys(cl.refs) if i not in cl.marks]  # "onto image 1 and image 2"
        if len(named) < 2 and not (tx.wants_fanout(text) or OTHERS.search(text)):
            return []
        targets = named if len(named) >= 2 or (named and not OTHERS.search(text)) else [i for i in range(n) if i != ref]
        if len(targets) < 2:
            return []
        args = _args_for(cl.tool, cl)
        return [Step(id=f"step{k}", tool=cl.tool, args=dict(args), inputs={"image": f"attachment:{i}",
                                                                          "ref": f"attachment:{ref}"})
                for k, i in enumerate(targets, start=1)]

    def _steps_for(self, clauses: list[Clause], request: PlanRequest, start: int, image: str | None,
                   fan: bool = False) -> list[Step]:
        n = request.n_attachments
        steps: list[Step] = []
        current = image  # the working image, as it flows from step to step
        started: set[str] = set()  # the attachments the chain so far started from

        def add(tool: str, args: dict[str, Any], inputs: dict[str, str]) -> Step:
            step = Step(id=f"step{start + len(steps) + 1}", tool=tool, args=args, inputs=inputs)
            steps.append(step)
            return step

        for clause in clauses:
            tool = clause.tool
            spec = catalogue()[tool]
            takes_ref = spec.role("ref") is not None
            claimed = {m for c in clauses if c is not clause for m in c.marks}  # another step's reference
            named = bool(spec.hints.ref_from) and ((clause.style is not None and not clause.marks)
                                                    or not (clause.marks or n >= 2))
            marks = clause.marks if takes_ref and not named else []
            plain = [r for r in clause.refs if r not in marks]  # attachments the clause works on
            if plain and steps and not fan and f"attachment:{plain[0]}" not in started:
                current = None  # "restore the face in the 1st and sketch the 2nd": a step on its own attachment
            if current is None:
                if plain:
                    current = f"attachment:{plain[0]}"
                elif n > 0:
                    current = f"attachment:{next((i for i in range(n) if i not in marks), 0)}"
                elif request.has_last_image:
                    current = "$last.image"
            if current and current.startswith("attachment:"):
                started.add(current)
            inputs: dict[str, str] = {"image": current} if current and spec.needs_image else {}
            if current and not spec.needs_image and spec.role("image") and THIS_IMAGE.search(clause.text):
                inputs = {"image": current}  # "find every run where I used this picture"
            if takes_ref and n == 1 and request.has_last_image and LIKE_ATTACHED.search(clause.text):
                add(tool, _args_for(tool, clause), {"image": "$last.image", "ref": "attachment:0"})
                continue  # in a thread, "style it like this pic": the last result, after the new attachment
            if takes_ref and named:
                found = add(spec.hints.ref_from, {"query": clause.style[1] if clause.style
                                                  else tx.style_query(clause.text)}, {})
                inputs = {"image": current} if current else {}
                inputs["ref"] = f"${found.id}.image"
            elif takes_ref and (marks or len(plain) > 1 or (n >= 2 and not fan and (n == 2 or not plain)
                                                            and any(f"attachment:{i}" != current and i not in claimed
                                                                    for i in range(n)))):
                others = [i for i in range(n) if f"attachment:{i}" != current and (marks or i not in claimed)]
                ref = marks[-1] if marks else plain[-1] if len(plain) > 1 else (others[-1] if others else 0)
                base = current if current and current != f"attachment:{ref}" else \
                    f"attachment:{next((i for i in range(n) if i != ref), 0)}"
                inputs = {"image": base, "ref": f"attachment:{ref}"}
            elif frame_roles(tool) and current and current.startswith("attachment:"):
                rest = [f"attachment:{i}" for i in range(n) if f"attachment:{i}" != current]
                inputs.update(zip(frame_roles(tool), rest, strict=False))
            step = add(tool, _args_for(tool, clause), inputs)
            if chains_image(spec):
                current = f"${step.id}.image"
        return steps


VAGUE_EDIT = re.compile(r"^(?:(?:please|pls|can you|could you|would you|just),? )*(?:edit|fix|improve|enhance|"
                        rf"retouch|touch up|work on|do something with|process) (?:the|my|this|a) (?:{attach.PHOTO}|"
                        r"portrait|selfie)\b")
HANDOVER = re.compile(r"^(?:(?:ok|okay|sure|sorry|oops|right|here),? )*(?:here (?:you go|it is|they are|goes)|"
                      r"there (?:you go|it is)|attached|(?:i'?ve |just )?(?:attached|uploaded|added) (?:it|them)|"
                      rf"here'?s the (?:{attach.PHOTO}|file)|this one|done)(?: now)?$")
TWO_IMAGES_ONE_SENT = re.compile(  # "make my photo look like this reference" with one image: the reference is missing
    rf"\bmy (?:\w+ )?(?:{attach.PHOTO}|selfie|portrait)\b.*\b(?:this|that|the) (?:reference|ref|painting|"
    rf"poster|artwork|style image)\b|\b(?:reference|painting|poster|artwork|{attach.PHOTO})\b[^.]{{0,20}}\b"
    r"(?:i'?m|i am|i'?ll|i will) (?:going to )?(?:send|attach|upload)\w*")
DESCRIBED_ONE = re.compile(  # an attachment named by what is in it or how it looks: only the user knows which
    rf"\bthe (?:one|{attach.PHOTO}) (?:with|where|in which|showing)\b|"
    rf"\bthe (?!(?:same|new|next|previous|original|final|good|right|left|top|bottom|{attach.COUNT_ORD}|"
    r"latest|real|whole|small|big)\b)[a-z]+(?:y|er|est|ed|ing) one\b")
POINTS_BACK = re.compile(r"\b(?:it|that|this|them|those|him|her|the original)\b")  # what a request points back to
NOUN_PHRASE = re.compile(rf"^{attach.DET}\s(?!.*\b(?:is|are|was|were|has|have|had|\w+ing|[a-z]{{2,}}ed)\b)")  # no verb
THIS_IMAGE = re.compile(rf"\b(?:this|the attached|these) (?:{attach.PHOTO}|one|sprite|punk)s?\b")
LIKE_ATTACHED = re.compile(rf"\b(?:like|as|after|of|from|texture of|colou?rs of|palette of|look of|style of) "
                           rf"(?:(?:this|the attached|the new) (?:one|{attach.PHOTO}|"
                           rf"painting|poster|artwork|drawing|print)\b|the (?:one|{attach.PHOTO}|painting|poster|"
                           r"artwork|drawing|print) (?:that )?(?:i|i've|i have|we) (?:just |now )?(?:attached|sent|"
                           r"uploaded|added|shared|gave you)\b)")
OTHERS = re.compile(rf"\bthe others?\b|\bthe other (?:two|three|four|five|\d|ones|{attach.PHOTO}s)\b|"
                    rf"\b(?:two|three|four|five|\d) {attach.PHOTO}s\b|"
                    r"\bthe (?:first|last) (?:two|three|four|\d)\b")


EXCEPT = re.compile(r"\s*,?\s*\b(?:except(?: for)?|but not|apart from|other than|excluding|save for)\s+(?:for\s+)?"
                    rf"(?P<left>(?:the|my|{attach.PHOTO}|attachment|number|#)[^,;.]{{0,30}})")


def ignored_attachments(text: str, n: int) -> set[int]:
    """Attachments the request says to leave out ("ignore photo 2", "skip the first one", "every pic except the
    first one")."""
    left = {i for m in EXCEPT.finditer(text) for i in attach.attachment_refs(m["left"], n) if i < n}
    return left | {i for part in re.split(r"[,;.]\s*|\s+and\s+", text) if IGNORE.search(part.strip())
                   for i in attach.attachment_refs(part, n) if i < n}


def share_lookups(steps: list[Step]) -> list[Step]:
    """One lookup for a fan-out: identical steps that take no input (the same style retrieved for each photo)
    run once, and every later step reads the first one's output."""
    kept: list[Step] = []
    alias: dict[str, str] = {}
    for s in steps:
        twin = next((k for k in kept if not s.inputs and not k.inputs and k.tool == s.tool and k.args == s.args), None)
        if twin is not None:
            alias[s.id] = twin.id
            continue
        kept.append(s.model_copy(update={"inputs": {r: _alias(v, alias) for r, v in s.inputs.items()}}))
    ids = {s.id: f"step{k}" for k, s in enumerate(kept, start=1)}
    return [s.model_copy(update={"id": ids[s.id], "inputs": {r: _alias(v, ids) for r, v in s.inputs.items()}})
            for s in kept]


def _alias(value: str, ids: dict[str, str]) -> str:
    m = re.fullmatch(r"\$(step\d+)(\..+)", value)
    return f"${ids.get(m[1], m[1])}{m[2]}" if m else value


def _ruled(cl: Clause, context: str, n: int) -> bool:
    """The clause's tool came from a keyword rule (not only from a nearest example)."""
    return cl.tool is not None and rule_tool(cl.text, context, n) == cl.tool


def _supported(tool: str, text: str) -> bool:
    """The clause shares a word with what the tool's spec says about itself (vocabulary, examples), or says
    nothing of its own ("could you do the same for my mum?")."""
    words = {_stem(w) for w in re.findall(r"[a-z]+", text) if len(w) > 3 and w not in STOP_WORDS}
    return not words or bool(_tool_words(tool) & words)


def _stem(word: str) -> str:
    return re.sub(r"(?:ings?|ed|es|s)$", "", word) if len(word) > 4 else word


@functools.cache
def _tool_words(tool: str) -> frozenset[str]:
    spec = catalogue()[tool]
    words = {w for phrase in (*spec.examples, *spec.hints.vocabulary) for w in re.findall(r"[a-z]+", phrase)}
    return frozenset(_stem(w) for w in words if len(w) > 3 and w not in STOP_WORDS)


STOP_WORDS = frozenset((
    "this", "that", "these", "those", "them", "they", "with", "from", "into", "your", "mine", "make", "turn",
    "give", "please", "photo", "photos", "image", "images", "picture", "pictures", "more", "less", "like", "look",
    "looks", "some", "just", "only", "also", "then", "what", "which", "where", "when", "have", "does", "done",
    "each", "every",
    "could", "would", "should", "same", "thing", "things", "thanks", "want", "need", "there", "their", "about",
    "after", "before", "again", "also", "it's", "that's", "here", "okay", "really", "very", "much", "something",
    "anything", "everything", "someone", "maybe", "perhaps", "possible", "kind", "sort", "bit", "little"))
STYLE_ANAPHORA = re.compile(r"\b(?:that|this|the same|such an?|those) (?:style|look|aesthetic|vibe|technique|treatment|"
                            r"feel|effect|"
                            r"kind of art)\b")


def join_clauses(out: list[Clause], context: str, n: int) -> list[Clause]:
    """The clauses as steps: bindings ("the punk is the last one", "photo 3 has her eyes open"), argument values
    ("offset 2,3", "feather the blends by 50 px") and vague follow-ups ("get me the original back") join the step
    they belong to, whether said before or after it; ignored attachments drop out."""
    merged: list[Clause] = []
    pending: list[Clause] = []  # said before the step they belong to
    for cl in out:
        if cl.tool is None and not cl.refs and not _has_values(cl.text) and not STYLE_ANAPHORA.search(cl.text):
            continue  # "here's a reference style and a photo": says nothing a step needs
        if cl.refs and (IGNORE.search(cl.text) or (CONTEXT_ONLY.search(cl.text) and not REF_ONLY.search(cl.text)
                                                    and not _ruled(cl, context, n))):
            continue  # "ignore photo 2", "the first one is just for context"
        names = IS_WHAT.search(cl.text)  # "second is a painting from my aunt": which attachment is which
        names = names or attach.only_binds(cl.text, n)
        binding = bool(cl.refs) and (names or REF_ONLY.search(cl.text) or TARGET.search(cl.text) or (
            cl.marks and not tx.is_request(cl.text)) or cl.tool is None)
        if not merged and ((binding and (names or not _ruled(cl, context, n))) or (
                _has_values(cl.text) and not _ruled(cl, context, n) and _values_for_later(out, cl))):
            pending.append(cl)
            continue
        for p in pending if cl.tool else []:
            if p.refs or args_only(cl.tool, p.text):
                if p.marks and not cl.marks and n >= 2:  # the step takes the reference said before it: a tool
                    cl.marks = p.marks  # that takes one ("this cover (2nd) ... can my photo get that look?")
                    cl.tool = _with_reference(cl, context, n) or cl.tool
                    cl.marks = []
                cl.refs, cl.marks = p.refs + cl.refs, p.marks + cl.marks
                if args_only(cl.tool, p.text):
                    cl.text = f"{cl.text}, {p.text}"
            elif p.tool:
                merged.append(p)  # a step of its own after all
        if cl.tool:
            pending = []
        prev = merged[-1] if merged else None
        if prev and cl.refs and TARGET.search(cl.text):
            prev.refs = prev.refs + cl.refs
        elif prev and prev.tool and not _ruled(cl, context, n) and args_only(prev.tool, cl.text):
            prev.text = f"{prev.text}, {cl.text}"  # "recover the sprite; offset 2,3 and cell 8"
        elif prev and prev.tool and binding and (names or REF_ONLY.search(cl.text) or not tx.is_request(cl.text)) \
                and not _own_step(cl, prev, context, n):
            prev.refs = prev.refs + cl.refs  # "..., the 2nd photo is a reference"
            prev.marks = prev.marks + cl.marks
        elif prev and prev.tool and cl.tool and cl.tool != prev.tool and prev.confidence >= 1.0 and \
                not _ruled(cl, context, n) and not _supported(cl.tool, cl.text) and not cl.style:
            prev.text = f"{prev.text}, {cl.text}"  # "this sprite was upscaled 4x. get me the original back"
            prev.refs = prev.refs + cl.refs
        elif prev and cl.tool and cl.tool == prev.tool and (not catalogue()[cl.tool].hints.ref_from or (
                prev.style and cl.style and prev.style[1] == cl.style[1]) or (prev.marks and not tx.is_request(
                prev.text))):  # "this anime screenshot (2nd one) - make me look like that"
            # one step, said twice (a restyle said twice is two restyles, unless in the same style)
            merged[-1] = Clause(f"{prev.text}, {cl.text}", cl.tool, min(prev.confidence, cl.confidence),
                                prev.style or cl.style, prev.refs + cl.refs, prev.marks + cl.marks)
        else:
            merged.append(cl)
    if pending:  # bindings with no step after them: they were the steps ("open the eyes in the second
        merged = [p for p in pending if p.tool] + merged  # photo using the first as reference")
    restyler = next((name for name, spec in catalogue().items() if spec.hints.ref_from), None)
    for cl in merged:  # "a photo of our school done in that style", "could this get that treatment?"
        if cl.style is None and STYLE_ANAPHORA.search(cl.text) and restyler and tx.find_style(context) and (
                cl.tool == restyler or not _ruled(cl, context, n)):
            cl.tool, cl.style = restyler, tx.find_style(context)
    return merged


def anchored(out: list[Clause]) -> list[Clause]:
    """"do anime, but sketch it before the anime part": a clause that only names a step another clause asks for
    is where that step goes (the first such anchor), not a second step."""
    kept = list(out)
    for cl in out:
        if cl not in kept or cl.tool is None or not steps.is_anchor(cl.text):
            continue
        key = (cl.tool, cl.style[1] if cl.style else None)
        same = [c for c in kept if c.tool == cl.tool and (c.style[1] if c.style else None) == key[1]]
        if len(same) < 2:
            continue
        real = next((c for c in same if not steps.is_anchor(c.text)), cl)
        at = kept.index(same[0] if all(steps.is_anchor(c.text) for c in same) else cl)
        merged = Clause(real.text, real.tool, real.confidence, real.style, [r for c in same for r in c.refs],
                        [m for c in same for m in c.marks])
        kept = [merged if k == at else c for k, c in enumerate(kept) if k == at or c not in same]
    return kept


def told_reasons(clauses: list[Clause]) -> list[Clause]:
    """A clause that tells, with no ask, what another clause asks to fix ("open his eyes before that, he
    blinked") is that step's reason, not a second step."""
    asked = {c.tool for c in clauses if c.tool and tx.is_request(c.text)}
    kept = [c for c in clauses if not (c.tool in asked and not tx.is_request(c.text) and not c.refs and not c.marks
                                       and not _has_values(c.text) and tx.STORY_START.search(c.text))]
    return kept or clauses


def said_looks(clauses: list[Clause]) -> list[Clause]:
    """Where a style is said by its own name ("film noir", "oil painting"), restyles that no request asks for and
    that are read only from words describing a style ("moody, black and white", "something to hang above the
    fireplace") are that style's or the story's, not steps; one look said twice ("ink wash ... done in that
    style") is one."""
    lookups = {spec.hints.ref_from for spec in catalogue().values() if spec.hints.ref_from}

    def look(c: Clause) -> bool:  # a restyle or a style lookup
        return bool(c.tool) and (c.tool in lookups or bool(catalogue()[c.tool].hints.ref_from))

    def by_name(c: Clause) -> bool:
        return c.style is not None and c.style[0] == c.style[1]

    if not any(look(c) and by_name(c) for c in clauses):
        return clauses
    kept: list[Clause] = []
    seen: set[str] = set()
    for c in clauses:
        if look(c) and ((not by_name(c) and not tx.is_request(c.text)) or (c.style and c.style[1] in seen)):
            continue
        if look(c) and c.style:
            seen.add(c.style[1])
        kept.append(c)
    return kept


def _own_step(cl: Clause, prev: Clause, context: str, n: int) -> bool:
    """A clause with a reference that a rule gives a tool other than the step before it, asked for or with a
    reference that step cannot take, is a step of its own: "restore photo 1, then open her eyes using photo 2 as
    the reference", "prior to restyling it like pic 2, sketch pic 1"."""
    if not cl.tool or cl.tool == prev.tool or not _ruled(cl, context, n):
        return False
    acts = bool(tx.IMPERATIVE_RE.search(cl.text) or re.match(r"^[a-z]{3,}ing (?:it|this|that|them)\b", cl.text))
    return acts or catalogue()[prev.tool].role("ref") is None


def _switches_off(part: str) -> bool:
    """The part turns off an argument of some tool ("don't align the frames", "no dithering", "no grain")."""
    return any(value is False for name in catalogue() for value in named_args(name, part).values()) or any(
        re.search(rf"\bno\s+{arg.replace('_', ' ')}\b", part) for name in catalogue() for arg in _arg_kinds(name))


def _values_for_later(out: list[Clause], cl: Clause) -> bool:
    """The clause only gives values of a step said after it ("feather the blends by 50 px; merge these 3")."""
    return any(c.tool and args_only(c.tool, cl.text) for c in out[out.index(cl) + 1:])


def _supported_rule_free(cl: Clause, context: str, n: int) -> bool:
    """The part asks for its own tool by a rule that is not about a style (a style word can be a value too)."""
    hit = rule_hit(cl.text, context, n)
    return bool(hit) and not tx.find_style(cl.text)


def _differ(a: Clause, b: Clause) -> bool:
    """Two parts with the same tool that are still two steps: "the left one as anime and the right one as
    watercolor" (two named styles)."""
    styles = a.style and b.style and a.style[1] != b.style[1]
    return bool(styles)


def _has_values(text: str) -> bool:
    return bool(re.search(r"\d", text)) or bool(re.search(r"\b(?:with|without|no)\s+\w+ing\b", text))


def story_args(step: Step, story: str) -> Step:
    """A number with its unit said in the story round the instruction ("scaled up three times by the emulator.
    I'd like the original sprite back") fills an argument the instruction left unset; so does an argument said by
    its name ("threshold 0.03", "no need to align them"); only the tool's number cues count otherwise (a percentage
    or a word like "darker" in a story is not taken)."""
    cues = tuple(c for c in catalogue()[step.tool].hints.args if c.kind in ("number", "int"))
    said = {k: v for k, v in named_args(step.tool, story).items()  # "threshold 0.03", "no need to align them"
            if _arg_kinds(step.tool)[k][0] in ("number", "integer", "boolean")}
    found = {k: v for k, v in {**said, **tx.cue_args(cues, story)}.items() if k not in step.args}
    return step.model_copy(update={"args": {**step.args, **found}}) if found else step


def frame_roles(tool: str | None) -> tuple[str, ...]:
    """A tool's further image roles beyond ``image`` and ``ref`` (best_take's frame_1 … frame_9): filled, in
    order, from the attachments the plan does not otherwise use."""
    if tool is None:
        return ()
    return tuple(r.name for r in catalogue()[tool].images if r.name not in ("image", "ref"))
