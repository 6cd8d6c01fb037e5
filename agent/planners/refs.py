"""Which attachment a request means, and in which role: the attachments a clause names ("the second photo",
"painting 2", "the poster I attached second", "(2nd)", "the one before last") and, for each, whether it is the
reference (the style or the donor eyes) or the image to change.

A mention's role is read from three places, most telling first: what is said right after it ("'s eyes",
"= style", "is the photo to change", "should look like ..."), the noun it names ("the painting in the third",
"the poster I attached second": a painting is a reference) and the word that governs it ("like the second",
"after the second", "from image 1" make a reference; "make the first", "apply it to image 2", "fix B" a target).
Pure functions of normalised text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
            "5th": 4, "last": -1, "other": 1, "latter": -1, "former": 0, "final": -1, "latest": -1, "earlier": 0,
            "earliest": 0, "later": -1, "newest": -1, "newer": -1, "older": 0, "oldest": 0, "middle": -2,
            "top": 0, "bottom": -1, "left": 0, "right": -1}
ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
RANK = "first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last"  # a place in a row (photos, turns, steps)
COUNT_ORD = f"{RANK}|other|middle"  # the words that count photos
PHOTO = r"(?:photo|image|picture|pic|img|shot)"  # the plain words for one attached photo
NOUN = (rf"(?:{PHOTO}|one|attachment|upload|file|sprite|punk|portrait|frame|reference|ref|"
        r"painting|drawing|artwork|poster|selfie|screenshot|snap|scan|version)s?")
DET = r"(?:the|my|that|this|your|our|his|her)"
NOT_AN_ATTACHMENT = (r"(?:step|steps|thing|things|time|way|place|of all|things first|part|half|round|person|people|"
                     r"guy|girl|man|woman|face|faces|eye|eyes|runs?|results?|layer|pass|go|try|day|week|year|minute|"
                     r"minutes|moment|touch|two|three|few|couple|row|corner|side|edge|bit|lot|instructions?|tools?|"
                     r"option|choice|colou?rs?|style|look|hand)\b")
ORDINAL_NOUN = re.compile(rf"(?<!\bone )(?<!\ba )(?<!\ban )\b(?P<o>{ORD})\s+{NOUN}\b")  # not "one final image"
PAIR = re.compile(rf"(?:^|[,;.:]\s*)(?P<o>{ORD})(?=\s+(?:and|&)\s+(?:the\s+)?(?:{ORD})\b)")  # "first and last: ..."
DET_ORDINAL = re.compile(rf"\b{DET}\s+(?P<o>{ORD})\b(?!\s+{NOT_AN_ATTACHMENT})(?!-)")
BRACKET = re.compile(rf"\(\s*(?:the\s+)?(?P<o>{ORD})(?:\s+{NOUN})?\s*\)")
SENT = re.compile(rf"\b(?:i|we)\s+(?:attached|sent|added|uploaded|included|gave you|put)(?:\s+(?:it|them))?"
                  rf"(?:\s+as)?(?:\s+the)?\s+(?P<o>{ORD})(?:\s+{NOUN})?\b")
LEADING = re.compile(rf"(?:^|[,;.:]\s*|\b(?:and|but|so)\s+)(?P<o>{ORD})(?:\s+{NOUN})?(?=\s*(?:is|=|:|has|have|needs|"
                     r"should|-|—)(?:\s|$)|:)")
IS_ORDINAL = re.compile(rf"\b(?:is|=|:)\s+(?:the\s+)?(?P<o>{ORD})(?:\s+{NOUN})?(?=\s*(?:$|[,;.!?)]))")
NUMBERED = re.compile(rf"\b{NOUN}\s*(?:#|no\.?|number)?\s*(?P<d>\d)(?:\s*(?:,|and|&)\s*(?P<d2>\d))?(?:\s*(?:,|and|&)"
                      rf"\s*(?P<d3>\d))?\b(?!\s*(?:px|%|x\b))|(?:\bnumber|#)\s*(?P<d4>\d)\b(?!\s*(?:px|%|x\b))")
LETTERED = re.compile(rf"\b{PHOTO}\s+(?P<l>[a-d])\b(?!\s+(?:bit|little|lot|few|day|"
                      r"couple|new|closer))")
BEFORE_LAST = re.compile(r"\b(?:the )?(?:second[- ]to[- ]last|second[- ]last|penultimate|next[- ]to[- ]last|"
                         rf"one before (?:the )?last)(?: one| {PHOTO})?\b|"
                         r"\bthe one (?:right |just |directly )?before (?:it|that|the last(?: one)?)\b")
IN_THE_MIDDLE = re.compile(r"\bthe one in the middle\b")
ON_THE_SIDE = re.compile(r"\b(?:on|at) the (?P<o>left|right|top|bottom)\b")
FIRST_LAST_K = re.compile(r"\b(?:the )?(?P<o>last|first) (?P<k>two|three|2|3)\b")


POSTFIX = re.compile(  # "photo first, painting second", "reference is attached first, target second"
    rf"(?:^|[,;.:]\s*|\band\s+)(?:the\s+|my\s+)?(?P<noun>{PHOTO}|reference|ref|target|painting|poster|selfie|portrait|"
    r"drawing|artwork|style|content|base)\s+(?:(?:is|was|comes|goes)\s+)?(?:(?:attached|sent|uploaded|added)\s+)?"
    rf"(?P<o>{RANK})(?=\s*(?:$|[,;.]|and\b))")
LIST_MORE = re.compile(rf"(?:\s*,\s*(?:and\s+)?|\s+(?:and|&|or)\s+)(?:the\s+)?(?P<o>{COUNT_ORD})\b(?:\s+{NOUN})?"
                       r"(?!\s+(?:of|half|time|step|thing))")


class Mention(NamedTuple):
    start: int
    end: int
    index: int


def _index(word: str, n: int) -> int | None:
    i = ORDINALS[word]
    if i == -2:  # the middle one: only of an odd count; of two it names none (the plan asks)
        return (n - 1) // 2 if n >= 3 and n % 2 else n if n == 2 else None
    return i if i >= 0 else n + i


def mentions(clause: str, n: int) -> list[Mention]:
    """Every attachment the clause names, in order of appearance (an index out of range stays: the plan asks)."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, index: int | None, group: str | int = 0) -> None:
        s, e = m.span(group)
        if index is None or index < 0 or any(s < te and ts < e for ts, te in taken):
            return
        taken.append((s, e))
        found.append(Mention(s, e, index))

    for m in BEFORE_LAST.finditer(clause):
        add(m, n - 2 if n >= 2 else None)
    for m in FIRST_LAST_K.finditer(clause):
        k = {"two": 2, "three": 3, "2": 2, "3": 3}[m["k"]]
        for j in range(k):
            found.append(Mention(m.start(), m.end(), j if m["o"] == "first" else n - k + j))
        taken.append(m.span())
    for m in IN_THE_MIDDLE.finditer(clause):
        add(m, (n - 1) // 2 if n >= 3 else n)
    for pattern in (SENT, BRACKET, ORDINAL_NOUN, DET_ORDINAL, LEADING, PAIR, IS_ORDINAL, POSTFIX):
        for m in pattern.finditer(clause):
            word = m["o"]
            if word in ("top", "bottom", "left", "right") and not re.match(rf"{word}\s+{NOUN}", clause[m.start("o"):]) \
                    and pattern is not DET_ORDINAL:
                continue
            if word in ("earlier", "later", "older", "newer") and pattern is not ORDINAL_NOUN:
                continue  # "the earlier result", "later": time, unless "the earlier photo"
            add(m, _index(word, n), "o" if pattern in (LEADING, PAIR, POSTFIX) else 0)
    for m in ON_THE_SIDE.finditer(clause):
        add(m, _index(m["o"], n))
    for m in NUMBERED.finditer(clause):
        for g in ("d", "d2", "d3", "d4"):
            if m[g]:
                found.append(Mention(m.start(), m.end(), int(m[g]) - 1))
        taken.append(m.span())
    for m in LETTERED.finditer(clause):
        add(m, "abcd".index(m["l"]))
    for _ in range(4):  # a list goes on after a mention: "the 1st, 3rd and 5th", "photo 1, the 3rd and the last"
        ends = {f.end for f in found}
        more = [m for m in LIST_MORE.finditer(clause) if m.start() in ends]
        for m in more:
            add(m, _index(m["o"], n), "o")
        if not more:
            break
    return sorted(found)


def attachment_refs(clause: str, n: int) -> list[int]:
    """Attachment indices the clause names ("the second photo", "image 2", "the last one"), in order."""
    return [m.index for m in mentions(clause, n)]


REF_NOUNS = (r"style|styles|look|reference|references|ref|refs|painting|paintings|artwork|poster|cover|print|vibe|"
             r"palette|inspiration|screenshot|aesthetic|mood|feel|donor|source|guide|example|template|model|art|"
             r"illustration|brushwork|colou?rs|eyes? reference|eye ref|eyes? donor|one to copy|scheme")
TARGET_NOUNS = rf"target|content|base|subject|{PHOTO} to \w+|one to \w+|main (?:{PHOTO}|one)"
AFTER_REF = re.compile(
    rf"^\s*\)?\s*(?:'s|s')\s+(?:\w+\s+)?(?:eyes|style|look|colou?rs|palette|vibe|feel|mood|aesthetic|brushwork)\b|"
    rf"^\s*\)?\s*(?:is|=|:|are|as|for)\s+(?:just\s+)?(?:the |a |an |my |our |her |his )?(?:[\w-]+\s+){{0,2}}?"
    rf"(?:{REF_NOUNS})\b(?!\s+to\b)|"
    r"^\s*\)?[^,;]{0,40}?\b(?:with|where|has|have|in which|and|is)\b[^,;]{0,20}?\beyes\b "
    r"(?:are |were |wide |all )?open|"
    r"^\s*\)?\s*(?:is|looks|was) (?:fine|good|ok|okay|perfect|great|the good one)\b|"
    r"^\s*\)?\s*(?:are|is|were) (?:wide |all )?open\b|"
    r"^\s*\)?\s*(?:her|his|their|the|everyone'?s|our|my) eyes (?:are|were) (?:wide |all )?open\b")
AFTER_TARGET = re.compile(
    rf"^\s*\)?\s*(?:is|=|:|are|as)\s+(?:the |a |my |our )?(?:[\w-]+\s+){{0,2}}?(?:{TARGET_NOUNS})\b|"
    r"^\s*\)?\s*(?:is|=|:)\s+(?:my|our) (?:\w+ )?(?:photo|picture|pic|selfie|image|shot|portrait)\b|"
    r"^\s*\)?\s*(?:should|must|needs to|has to|will|would|could|to|can)?\s*(?:look|be made to look|be styled|be "
    r"restyled|get restyled|take on|adopt|borrow|get)\b|"
    r"^\s*\)?[^,;]{0,30}?\b(?:has|have|with)\b[^,;]{0,15}?\beyes (?:closed|shut)|^\s*\)?\s*(?:is|are) blinking|"
    r"^\s*\)?\s*(?:blinked|has (?:his|her|their) eyes closed)|^[^,;]{0,25}?\beyes (?:are |were )?(?:closed|shut)\b")
NOUN_BEFORE = re.compile(  # the noun a mention names: "the painting (2nd)", "the poster I attached", "style: pic 2"
    rf"\b(?P<noun>{REF_NOUNS}|{TARGET_NOUNS}|{PHOTO}|selfie|portrait|me|face)\s*"
    r"(?:(?:i|we)\s+(?:attached|sent|added|uploaded|included|gave you|put)(?:\s+(?:it|them))?(?:\s+as)?\s*|\(\s*|"
    r"(?:in|of|from)\s+|(?:is|=|:)\s*|(?:(?:is|was|comes|goes)\s+)?(?:attached|sent|uploaded|added)\s+|"
    r"(?:is|was|comes|goes)\s+)?(?:the\s+|my\s+)?$")
REF_GOVERNOR = (r"like|as|after|using|use|borrow|borrowing|take|taking|based on|match|matches|matching|resembling|"
                r"resemble|inspired by|from|with|copy|copying|steal|"
                r"(?:colou?rs?|texture|palette|look|style|feel|vibe|tones?|brushwork|mood) of")  # "texture of pic 2"
TARGET_GOVERNOR = (r"to|onto|on|for|in|into|make|turn|fix|restyle|restyling|styli[sz]e|style|sketch|open|restore|"
                   r"edit|change|redo|paint|do|transform|convert|keep")
GOVERNOR = re.compile(rf"\b(?:(?P<ref>{REF_GOVERNOR})|(?P<target>{TARGET_GOVERNOR}))\s+(?:(?!(?:{REF_GOVERNOR}|"
                      rf"{TARGET_GOVERNOR})\b)[\w']+\s+){{0,2}}$")
COPULA_BEFORE = re.compile(r"(?P<subject>[^,;:()]{3,50}?)\s+(?:is|=|are|was)\s+(?:the\s+|my\s+)?$")
SPAN_STOP = re.compile(r".*(?:[;.!?]\s|\s[-—–]\s)")
PHRASE_WORDS = re.compile(rf"^(?:\s*(?:{DET}|a|an|[\w-]+)){{0,3}}\s*$")


BRACKET_OPEN = re.compile(r"\(\s*(?:(?:it'?s|that'?s|this is|which is|=)\s*)?(?:the\s+)?$")  # "… (it's the second one)"
LIKED = re.compile(r"\b(?:i|we)\s+(?:really\s+|just\s+|absolutely\s+|so\s+)?(?:like|love|adore|enjoy)\b")  # the look
DESCRIPTIVE = re.compile(r"\b(?:with|of|showing|where|in which|wearing|holding|in)\s+$")  # inside a noun phrase
LABEL = re.compile(r"^\s*(?P<noun>[\w ]{2,20}?)\s*[:=]\s")  # "content: my cat photo (first)"


def _before(clause: str, m: Mention) -> str:
    text = clause[max(0, m.start - 60):m.start]
    cut = SPAN_STOP.match(text)
    return text[cut.end():] if cut else text


def _after(clause: str, m: Mention) -> str:
    text = clause[m.end:m.end + 60]
    return re.split(r"\s[-—–]\s|[;.!?]", text, maxsplit=1)[0]


def _noun_role(words: str) -> str | None:
    """The role the words' last role noun gives ("the reference with her eyes open": a reference)."""
    if re.search(r"\beyes (?:are |were )?(?:wide )?open\b", words):
        return "ref"
    nouns = list(re.finditer(rf"\b(?:(?P<target>{TARGET_NOUNS})|(?P<ref>{REF_NOUNS}))\b", words))
    if not nouns:
        return None
    return "target" if nouns[-1]["target"] else "ref"


def role(clause: str, m: Mention, style_named=None) -> str | None:
    """"ref", "target" or None (the words do not say) for one mention."""
    before, after = _before(clause, m), _after(clause, m)
    said = clause[m.start:m.end]
    if AFTER_REF.search(after):
        return "ref"
    if AFTER_TARGET.search(after):
        return "target"
    if SENT.match(said):  # "the style of my sketchbook page, which I attached last": the phrase's noun
        said_of = _noun_role(re.sub(r",?\s*(?:which|that)\s*$", "", before)[-40:])
        if said_of:
            return said_of
    own = re.search(rf"\b({REF_NOUNS})\b", said)
    if own:
        return "ref"  # "painting 2", "the second painting"
    noun = NOUN_BEFORE.search(before)
    if noun and _noun_role(noun["noun"]):
        return _noun_role(noun["noun"])
    if style_named and re.match(r"^\s*\)?\s*(?:is|=|:)\s", after) and style_named(after[:40]):
        return "ref"  # "the second picture is a watercolor I painted"
    subject = COPULA_BEFORE.search(before)
    if subject and _noun_role(subject["subject"]):
        return _noun_role(subject["subject"])  # "the reference with her eyes open is the second image"
    opened = BRACKET_OPEN.search(before)
    if said.startswith("(") or opened:
        phrase = before if said.startswith("(") else before[:opened.start()]
        if LIKED.search(phrase):
            return "ref"  # "I really like how this movie still looks (it's the second one)"
        if re.search(rf"\b(?:{REF_NOUNS})\s*$", phrase) or (style_named and style_named(phrase[-40:])):
            return "ref"  # "this anime screenshot (2nd one)"
        leads = [d for d in re.finditer(rf"\b{DET}\b", phrase) if not DESCRIPTIVE.search(phrase[:d.start()])]
        before = phrase[:leads[-1].start()] if leads else ""  # before the noun phrase: "the one with the dog (2nd)"
    governor = GOVERNOR.search(before)
    if governor:
        return "ref" if governor["ref"] else "target"
    label = LABEL.match(clause)
    if label and label.end() <= m.start:
        return _noun_role(label["noun"])
    return None


def reference_marks(clause: str, n: int, style_named=None) -> list[int]:
    """The named attachments the clause uses as a reference (the style, the donor eyes), in order."""
    found = mentions(clause, n)
    roles = [role(clause, m, style_named) for m in found]
    return list(dict.fromkeys(m.index for m, r in zip(found, roles, strict=True) if r == "ref"
                              and not any(o.index == m.index and q == "target" for o, q in zip(found, roles,
                                                                                                 strict=True)
                                          if o.start < m.start)))


BIND_FILLER = re.compile(rf"\b(?:use|using|take|treat|keep|consider|pick|choose|go with|is|are|as|for|the|a|an|my|our|"
                         rf"one|just|please|should|be|that'?s|this|it|{REF_NOUNS}|{TARGET_NOUNS}|{PHOTO}s?)\b|[=:,]")


def only_binds(clause: str, n: int) -> bool:
    """The clause only says which attachment is the one to change ("use the second shot as the base", "image B has
    his eyes closed"): a role for the step it belongs to, no step of its own (a reference said so still asks for a
    tool that takes one)."""
    found = mentions(clause, n)
    if not found or any(role(clause, m) != "target" for m in found):
        return False
    ends = [m.end + len(role_phrase(clause, m)) for m in found]
    rest = "".join(clause[a:b.start] for a, b in zip([0, *ends], [*found, Mention(len(clause), 0, 0)], strict=True))
    said = re.findall(r"[a-z]{3,}", BIND_FILLER.sub(" ", rest))
    return not said or (len(said) == 1 and bool(LABEL.match(clause)))  # "content: my cat photo (first)"


def role_phrase(clause: str, m: Mention) -> str:
    """The words right after a mention that give its role ("has his eyes closed", "is the style"); not one that
    names a step ("is the one to restore")."""
    after = _after(clause, m)
    said = AFTER_REF.search(after) or AFTER_TARGET.search(after)
    return after[:said.end()] if said and not re.search(r"\bto \w+$", after[:said.end()]) else ""


def binds_roles(sentence: str) -> bool:
    """The sentence gives an attachment its role by the words round the mention itself ("image B has his eyes
    closed", "this movie still (it's the second one)"), not by a verb that may be a story's ("after the final")."""
    postfix = {p.start("o") for p in POSTFIX.finditer(sentence)}  # "reference is attached first, target second"
    for m in mentions(sentence, 9):
        bracketed = sentence[m.start:m.end].startswith("(") or BRACKET_OPEN.search(_before(sentence, m))
        if role_phrase(sentence, m) or ((bracketed or m.start in postfix) and role(sentence, m)):
            return True
    return False
