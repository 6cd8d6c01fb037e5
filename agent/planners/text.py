"""Reading requests: clause splitting and ordering, attachment references, argument values, styles.

Pure functions of the request text; no model, no I/O beyond the prompts files read once.
"""

from __future__ import annotations

import functools
import re
from typing import Any

ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "last": -1,
    "other": 1,
    "latter": -1,
    "former": 0,
}
NOUNS = r"(?:photo|image|picture|pic|one|shot|attachment|file|sprite|punk|portrait|frame|reference|ref)s?"
ORDINAL_RE = re.compile(
    rf"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|other|latter|former)"
    rf"(?:\s+(?:{NOUNS})\b|(?=\s*(?:$|[,.;!?]|\s(?:and|then|as|for|please)\b)))"
)
NUMBERED_RE = re.compile(rf"\b{NOUNS}\s*(?:#|no\.?|number)?\s*(\d)\b")
FANOUT_RE = re.compile(r"\b(each|every|all)\b(?:\s+(?:of\s+)?(?:these|those|them|the|my))?|\bboth\b")

SPLIT_RE = re.compile(
    r"\s*(?:;|\.\s+|,?\s*\b(?:and then|then|after that|afterwards|after which|and finally|finally|next|"
    r"once (?:that'?s|that is|it'?s|it is) done|when (?:that'?s|that is) done)\b,?)\s*"
)
BEFORE_RE = re.compile(r"^\s*before\s+(?P<later>.+?),\s*(?P<first>.+)$")
AFTER_RE = re.compile(r"^\s*after\s+(?P<first>.+?),\s*(?P<later>.+)$")
BUT_FIRST_RE = re.compile(r"^(?P<later>.+?),?\s+but\s+first\s+(?P<first>.+)$")
FIRST_RE = re.compile(r"^\s*first(?:ly)?,?\s+")
TRAILING_AFTER_RE = re.compile(r"^(?P<later>.+?)\s+after\s+(?P<first>(?:you\s+)?\w+ing\b.+)$")
ONCE_RE = re.compile(r"^(?P<later>.+?),?\s+(?:once|when|after)\s+(?P<first>.+?\b(?:has|have|is|are|was|were)\s+"
                     r"(?:been\s+)?\w+(?:ed|en)\b.*)$")


VOCABULARY = frozenset(
    [
        "sketch",
        "sketches",
        "sketching",
        "pencil",
        "drawing",
        "draw",
        "graphite",
        "open",
        "eyes",
        "eye",
        "blink",
        "blinking",
        "blinked",
        "closed",
        "restore",
        "restoring",
        "face",
        "faces",
        "portrait",
        "enhance",
        "repair",
        "pixel",
        "pixels",
        "sprite",
        "sprites",
        "punk",
        "punks",
        "describe",
        "traits",
        "attributes",
        "accessories",
        "caption",
        "style",
        "styles",
        "cyberpunk",
        "watercolor",
        "watercolour",
        "reference",
        "fix",
        "clean",
        "recover",
        "reconstruct",
        "upscaled",
        "blurry",
        "shading",
        "please",
        "photo",
        "image",
        "picture",
        "make",
        "turn",
        "show",
        "find",
        "previous",
        "past",
        "history",
        "search",
        "steampunk",
        "vaporwave",
        "synthwave",
        "anime",
        "painting",
        "vintage",
        "sepia",
        "comic",
        "gothic",
        "graffiti",
        "cubism",
        "pointillism",
        "impressionism",
        "variations",
        "colours",
        "colors",
    ]
)


def fix_typos(text: str) -> str:
    """Correct near-misses of the planner's keywords ("skecth" -> "sketch"); other words are left alone.

    A correction keeps the first letter and the length within one (real typos do), and never touches a word
    of the style lexicon ("pastel" is not a misspelt "past").
    """
    import difflib

    protected = style_words()

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if word in VOCABULARY or word in protected or len(word) < 2:
            return word
        candidates = [v for v in VOCABULARY if v[0] == word[0] and abs(len(v) - len(word)) <= 1]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.8 if len(word) > 3 else 0.79)
        return close[0] if close else word

    return re.sub(r"[a-z]+", fix, text)


@functools.cache
def style_words() -> frozenset[str]:
    return frozenset(w for phrase, _ in style_lexicon() for w in re.findall(r"[a-z]+", phrase))


def normalise(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("’", "'")
    return fix_typos(re.sub(r"\s+", " ", text).strip(" .!?"))


def split_clauses(text: str) -> list[str]:
    """Clauses in the order the work must happen, whatever the wording order."""
    t = normalise(text)
    for pattern in (BEFORE_RE, AFTER_RE, BUT_FIRST_RE, TRAILING_AFTER_RE, ONCE_RE):
        m = pattern.match(t)
        if m:
            return split_clauses(m["first"]) + split_clauses(m["later"])
    t = FIRST_RE.sub("", t)
    parts = [p.strip(" ,") for p in SPLIT_RE.split(t)]
    return [p for p in parts if p and re.search(r"[a-z]", p)]


def split_and(clause: str) -> list[str]:
    """Split "X and Y" / "X, Y" into candidate sub-clauses (the caller keeps them only if both are tools)."""
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+(?:also\s+)?", clause)
    return [p.strip() for p in parts if p.strip()]


def attachment_refs(clause: str, n_attachments: int) -> list[int]:
    """Attachment indices the clause names ("the second photo", "image 2", "the last one"), in order."""
    refs = []
    for m in ORDINAL_RE.finditer(clause):
        i = ORDINALS[m[1]]
        refs.append((m.start(), i if i >= 0 else n_attachments + i))
    for m in NUMBERED_RE.finditer(clause):
        refs.append((m.start(), int(m[1]) - 1))
    return [i for _, i in sorted(refs) if i >= 0]  # out-of-range refs stay: validation turns them into a question


def wants_fanout(text: str) -> bool:
    return bool(FANOUT_RE.search(normalise(text)))


def _number(pattern: str, text: str) -> float | None:
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def percent_or_fraction(raw: str) -> float:
    raw = re.sub(r"\s*(?:per ?cent|pct)\b", "%", raw.strip())
    value = float(raw.rstrip("%").strip())
    return value / 100.0 if raw.endswith("%") or value > 1 else value


def sketch_args(clause: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    clause = re.sub(r"(\d)\s*(?:per ?cent|pct)\b", r"\1%", clause)
    m = re.search(
        r"(\d+(?:\.\d+)?\s*%|0?\.\d+)\s*(?:of\s+)?(?:ai\s+|learned\s+)?(?:shading|strength|shade|ai)?", clause
    )
    if m and re.search(r"shad|strength|\bai\b|%", clause):
        args["ai_strength"] = round(min(1.0, percent_or_fraction(m.group(1))), 4)
    elif re.search(r"\b(no|without)\s+shading\b|\bjust (the )?lines\b|\blines only\b|\bonly lines\b", clause):
        args["ai_strength"] = 0.0
    elif re.search(r"\b(more|heavy|heavier|lots of|strong|stronger|dark|darker|deep)\s+shad", clause):
        args["ai_strength"] = 0.6
    elif re.search(r"\b(less|light|lighter|subtle|little|soft|softer)\s+shad", clause):
        args["ai_strength"] = 0.2
    if re.search(r"\b(no|without)\s+grain\b|\bsmooth\b", clause):
        args["grain"] = 0.0
    seed = _number(r"\bseed\s*(?:=|of|:)?\s*(\d+)", clause)
    if seed is not None:
        args["seed"] = int(seed)
    return args


def sprite_args(clause: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    cell = (
        _number(r"\b(?:cell|pixel|block|grid)\s*(?:size)?\s*(?:of|is|=|:)?\s*(\d+(?:\.\d+)?)", clause)
        or _number(r"\b(\d+(?:\.\d+)?)\s*(?:px|pixel)\s*(?:cells?|blocks?|grid)\b", clause)
        or _number(r"\b(?:upscaled|scaled|blown up|enlarged)\s*(?:by\s*)?(?:x\s*)?(\d+(?:\.\d+)?)\s*x?\b", clause)
        or _number(r"\b(\d+(?:\.\d+)?)\s*x\s*(?:upscale|upscaled|scale|enlarg)", clause) \
        or _number(r"\b(\d+(?:\.\d+)?)\s*(?:px|pixels?)\s*(?:wide|across|big|large|in size)\b", clause)
    )
    if cell is not None:
        args["cell_size"] = cell
    ox = _number(r"\b(?:x\s*offset|offset\s*x|horizontal offset)\s*(?:of|=|:)?\s*(\d+(?:\.\d+)?)", clause)
    oy = _number(r"\b(?:y\s*offset|offset\s*y|vertical offset)\s*(?:of|=|:)?\s*(\d+(?:\.\d+)?)", clause)
    both = re.search(r"\boffsets?\s*(?:of|=|:)?\s*\(?(\d+(?:\.\d+)?)\s*[, ]\s*(\d+(?:\.\d+)?)", clause)
    if both:
        ox, oy = float(both.group(1)), float(both.group(2))
    if ox is not None:
        args["offset_x"] = ox
    if oy is not None:
        args["offset_y"] = oy
    colours = _number(r"\b(\d+)\s*colou?rs?\b", clause)
    if colours is not None and colours >= 2:
        args["palette_size"] = int(colours)
    return args


def eyes_args(clause: str) -> dict[str, Any]:
    n = _number(r"\b(\d+)\s*(?:variations|variants|versions|options|takes|tries)\b", clause)
    words = {"two": 2, "three": 3, "four": 4, "five": 5}
    m = re.search(r"\b(two|three|four|five)\s+(?:variations|variants|versions|options)\b", clause)
    n = n or (words[m.group(1)] if m else None)
    return {"variations": int(n)} if n else {}


def style_args(clause: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    clause = re.sub(r"(\d)\s*(?:per ?cent|pct)\b", r"\1%", clause)
    m = re.search(r"(\d+(?:\.\d+)?\s*%|0?\.\d+)\s*(?:style\s*)?(?:strength|intensity|stylis|styliz)?", clause)
    if m and re.search(r"strength|intensity|%|stylis|styliz", clause):
        args["strength"] = round(min(1.0, percent_or_fraction(m.group(1))), 4)
    return args


@functools.cache
def style_lexicon() -> list[tuple[str, str]]:
    """(phrase, style name) pairs from the style library (names and tags), longest phrase first."""
    from atelier.knowledge.styles import StyleLibrary
    from atelier.tools.core.config import load_settings

    pairs = []
    for card in StyleLibrary.load(load_settings().home).cards:
        pairs.append((card.name, card.name))
        pairs += [(t.lower(), card.name) for t in card.tags]
    return sorted(pairs, key=lambda p: -len(p[0]))


def find_style(clause: str) -> tuple[str, str] | None:
    """(the words used, the style name) for a style the clause names, e.g. ("neon rainy city", "cyberpunk")."""
    for phrase, name in style_lexicon():
        if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", clause):
            return phrase, name
    return None


def style_query(clause: str) -> str:
    """The descriptive part of a style clause: "make it look like a neon rainy city" -> "neon rainy city"."""
    q = re.sub(
        r"\b(please|can you|could you|would you|i want|i'd like|make|turn|give|apply|restyle|render|paint|"
        r"redo|convert|transform|it|this|that|these|them|the|a|an|into|in|to|as|look|looks|looking|like|"
        r"style|styled|stylish|stylise|stylize|of|with|some|vibe|feel|aesthetic|version|sketch|photo|"
        r"image|picture|result|one|more|bit|little|kind|sort|now|also|same)\b",
        " ",
        clause,
    )
    return re.sub(r"\s+", " ", q).strip(" ,.-") or clause
