"""Reading requests: clause splitting and ordering, attachment references, argument values, styles.

Pure functions of the request text; no model, no I/O beyond the prompts files read once.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from atelier.agent.planners import refs
from atelier.core.text import strip_accents

COUNT = r"(?P<count>\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
FANOUT_RE = re.compile(r"\b(each|every|all)\b(?:\s+(?:of\s+)?(?:these|those|them|the|my))?|\bboth\b|\bthe (?:lot|"
                       r"rest)\b|"
                       rf"\b(?:these|those) (?:{refs.PHOTO}|punk|sprite|portrait|selfie)s\b|"
                       rf"\b(?:these|those|all|the|my|all of these|all of the|all of my)\s+{COUNT}\b"
                       r"(?!\s*(?:px|%|x\b|times|colou?rs?|variations?|versions?|cells?))|"
                       rf"\bany of (?:these|those|them|the {refs.PHOTO}s)\b|\bone by one\b|"
                       rf"\bin which (?:{refs.PHOTO}|frame|one|picture)s?\b|\bwhich (?:{refs.PHOTO}|frame)s?\b")

SPLIT_RE = re.compile(
    r"\s*(?:;|[.?!]\s+|\s*(?:→|->|=>|>>|[>»⇒➜➔⟶|])\s*|\s+[—–-]\s+|"  # arrows: "open eyes → sketch"; dashes
    r",?\s*\b(?:(?:and )?only (?:then|after that|afterwards)|and then|then|after that|afterwards|"
    r"after which|and finally|finally|next|"
    r"once (?:that'?s|that is|it'?s|it is) done|when (?:that'?s|that is) done)\b,?)\s*"
)
BEFORE_RE = re.compile(r"^\s*(?:before|ahead of|prior to)\s+(?!(?:anything|everything|all) else\b)(?P<later>.+?),\s*"
                       r"(?P<first>.+)$")
AFTER_RE = re.compile(r"^\s*after\s+(?P<first>.+?),\s*(?P<later>.+)$")
BUT_FIRST_RE = re.compile(r"^(?P<later>.+?),?\s+but\s+(?:first\s+(?P<first>.+)|(?P<first2>(?!first\b).+?)\s+first)$")
BEFOREHAND_RE = re.compile(r"^(?P<later>.+?)(?:[,;—–]\s*(?:though|but|and|however)?|\s+(?:though|but|—|–|-))\s+"
                           r"(?:(?:oh|and|but),?\s+)*(?:make sure\s+)?(?P<first>.+?)\s+(?:beforehand|"
                           r"before (?:that|it|this|then)|(?<!the )(?<!my )first|before|"
                           r"before you do(?: that| it| so)?|before doing (?:that|so|it)|"
                           r"prior to (?:that|it|this)|ahead of (?:that|it|this))$")
ALL_OF = r"(?:(?:all|any) (?:of )?)?"  # "before all of that": everything said before it
BEFORE_THAT_RE = re.compile(rf"^(?P<later>.+?)[,;.]?(?:\s+and)?\s+(?:but\s+)?(?:before {ALL_OF}(?:that|this)|"
                            rf"prior to {ALL_OF}(?:that|this)|beforehand|before doing (?:that|so)),?\s+"
                            r"(?!(?:though|please|thanks|too|ok)$)(?P<first>.+)$")
LAST_WORDS = re.compile(r"^(?:finish|end) (?:with|by)\b|^(?:lastly|last of all|and lastly)\b|"
                        r"\bas a (?:final|last|finishing) (?:touch|step)\b|\b(?:as )?the very last\b|"
                        r"\b(?:goes|comes|should (?:come|go|be)|is|at the very|as the) (?:last|the last step|final|"
                        r"end|final step)\b|\b(?:at the end|in the end|last of all|as the last step)\b|"
                        r"^(?:the )?(?:last|final) (?:step|thing|one)\b|"
                        r"(?<!the )(?<!sent )(?<!attached )(?<!added )(?<!uploaded )(?<!my )\blast$|"
                        r"\b(?:after (?:everything|anything|all) else|after (?:all )?the rest|(?:come|comes|go|goes|"
                        r"happen|be done) (?:afterwards|later|after that))\b")
FIRST_WORDS = re.compile(r"\b(?:goes|comes|should (?:come|go|be)|is) first\b|\b(?:first of all|to start with|"
                         r"as the first step)\b|^(?:(?:but|and|so|oh|ok|okay),? )*(?:the )?first (?:step|thing)s?"
                         r"(?: to do)? (?:is|should be|will be|has to be)\b|"
                         r"^(?:start|begin) (?:with|by)\b|^to (?:begin|start)(?: with)?\b|"
                         r"\bthe main thing is\b|^first things first\b|(?<!the )(?<!my )(?<!this )\bfirst$|"
                         r"\bbefore (?:anything|everything|all) else\b|^(?:but )?first,? (?:though|however)\b|"
                         r"\bat the (?:very )?(?:start|beginning)\b|^(?:the )?first step\b")
EARLIER_RE = re.compile(rf"^(?:but |and )?(?:before {ALL_OF}(?:that|it|this|then|doing (?:that|so))|"
                        rf"prior to {ALL_OF}(?:that|it|this)|"
                        r"ahead of (?:that|it|this))\s*,?\s+")  # a part that goes before the part said just before it
EARLIER_END_RE = re.compile(r"\s+(?:before (?:you (?:do|[a-z]+ (?:it|that|this|them))(?: (?:that|it|so))?|"
                            r"doing (?:that|so|it)|that|it|then|"
                            r"(?:any|all) of (?:that|this|it))|beforehand|"
                            r"(?<!the )(?<!my )(?<!this )first|before)(?:,?\s+(?:though|please|thanks|too|ok))?$")
FIRST_RE = re.compile(r"^\s*(?:first things first|first of all|before (?:anything|everything|all) else|"
                      rf"first(?:ly)?(?!\s+(?:is|=|:|one|{refs.PHOTO}|and|&)\b))"
                      r"[,:]?\s+")
TRAILING_AFTER_RE = re.compile(r"^(?P<later>.+?)\s+after\s+(?!(?:everything|anything|something|nothing)\b)"
                               r"(?P<first>(?:you\s+)?\w+ing\b.+|"
                               r"(?:you|we|i)(?:'ve| have)?\s+\w+\b.+)$")
ONCE_RE = re.compile(r"^(?P<later>.+?),?\s+(?:(?:but|and)\s+)?(?:only\s+)?(?:once|when|after)\s+"
                     r"(?!(?:that|it|this|which)(?:'s| is| has been| was) (?:done|finished|over)\b)"
                     r"(?P<first>.+?(?:\b(?:has|have|is|are|was|were|gets|got|looks?)|'ve|'s)\s+(?:been\s+)?[\w-]+\b.*)$")
# a state said of the image ("once the eyes are open", "when her face is clean"): its step comes first
PARTICIPLE = r"[a-z]+(?:ed|en|t|ne)\b"  # "cleaned", "redrawn", "built", "done": a perfect participle's verb
WITH_DONE_RE = re.compile(rf"^(?P<later>.+?)\s+with\s+(?P<first>(?:her|his|their|its|the|my)\s+[\w-]+\s+"
                          rf"(?:{PARTICIPLE}|open|clean|fixed))\s+(?:beforehand|first|before(?:hand)?)$")
HAVING_RE = re.compile(rf"^(?P<later>.+?),?\s+(?:after\s+)?having\s+(?:first\s+|already\s+)?(?P<first>{PARTICIPLE}.+)$")
HAVING_LEAD_RE = re.compile(rf"^(?:after\s+)?having\s+(?:first\s+)?(?P<first>{PARTICIPLE}.+?),\s*(?P<later>.+)$")
MID_BEFORE_RE = re.compile(r"^(?P<later>.+?),?\s+(?:and\s+)?before (?!(?:the )?last\b)(?:the |that |this |it |you )?"
                           r"[\w ]{0,20}?,\s*(?P<first>.+)$")  # "sketch it, and before the sketch, unblink her"
NOT_BEFORE_RE = re.compile(r"^(?P<later>.+?),?\s+(?:but\s+)?(?:not|only) (?:before|after)\s+"
                           r"(?!(?:that|this|it|then|which)\b)(?P<first>.+)$")
PRIOR_RE = re.compile(r"^(?P<first>.+?)\s+(?:prior to|before)\s+(?!(?:anything|everything|something|nothing)\b)"
                      r"(?P<later>\w+ing\b.*)$")  # "… prior to sketching"
BEFORE_YOU_RE = re.compile(r"^(?P<later>.+?),?\s+(?:and\s+|but\s+)?before you \w+ (?:it|that|this|them),?\s+"
                           r"(?P<first>.+)$")  # "make it a pencil drawing but before you draw it open his eyes"
ORDER_ONLY = re.compile(r"^(?:the )?[\w ]{1,20}? (?:goes|comes|is|happens|should (?:go|come|be|happen))$")
ORDER_STATEMENT_RE = re.compile(r"^(?P<order>[^:;.]{3,60}?\b(?:goes|comes|should (?:come|go|be)|can come|happens?)\s+"
                                r"(?:last|first|at the (?:very )?(?:end|start)|afterwards|after|before)\b[^:;.]*?)"
                                r"\s*:\s*(?P<rest>.+)$")
COME_AFTER_RE = re.compile(r"^(?P<later>.+?)\s+(?:should |must |can |will )?(?:come|go|happen|be done)\s+after\s+"
                           r"(?!(?:everything|anything|all|the rest)\b)(?P<first>.+)$")
COME_BEFORE_RE = re.compile(r"^(?P<first>.+?)\s+(?:should |must |can |will )?(?:come|go|happen|be done)\s+before\s+"
                            r"(?P<later>.+)$")
START_END_RE = re.compile(r"^(?:start|begin) (?:with|by)\s+(?P<first>.+?),?\s+(?:and\s+)?(?:end|finish) (?:with|by)\s+"
                          r"(?P<later>.+)$")
LAST_FIRST_RE = re.compile(r"^the last (?:step|thing) is\s+(?P<later>.+?)[;,.]\s*(?:and\s+)?the first(?: one| step)? "
                           r"is\s+(?P<first>.+)$")


@functools.cache
def rx(pattern: str) -> re.Pattern:
    """A compiled pattern, kept: the rules, cues and style phrases are more than ``re``'s own cache holds, and
    recompiling them on every plan costs more than planning."""
    return re.compile(pattern)


GENERAL_WORDS = ("please", "photo", "image", "picture", "make", "turn", "variations", "shading", "more", "less",
                 "darker", "lighter",
                 "first", "second", "before", "after", "finally", "beforehand", "afterwards",
                 "like")  # the order and reference words carry the plan


def _vocabularies() -> tuple[tuple[str, ...], ...]:
    """Each tool's planner vocabulary and the words of its arguments' fixed choices ("charcoal", "mirror")."""
    from atelier.agent.catalogue import catalogue

    return tuple((*spec.hints.vocabulary, *_choice_words(spec.args_model)) for spec in catalogue().values())


@functools.cache
def _choice_words(model: type) -> tuple[str, ...]:
    props = model.model_json_schema().get("properties", {}).values()
    choices = {c for p in props for o in (p, *p.get("anyOf", [])) for c in o.get("enum", []) if isinstance(c, str)}
    return tuple(sorted(c for c in choices if len(c) > 4 and c.isalpha()))


def vocabulary() -> frozenset[str]:
    """Words the typo fixer corrects towards: every tool's planner vocabulary plus a few general ones
    (translation entries ``"foreign=english"`` are read by ``words.translate`` instead)."""
    return _vocabulary_of(_vocabularies())


@functools.cache
def _vocabulary_of(words: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(GENERAL_WORDS).union(*((w for w in ws if "=" not in w) for ws in words))


def fix_typos(text: str) -> str:
    """Correct near-misses of the planner's keywords ("skecth" -> "sketch"); other words are left alone.

    A correction keeps the first letter and the length within one (real typos do), and never touches a word
    of the style lexicon ("pastel" is not a misspelt "past").
    """
    import difflib

    protected = style_words()
    known = vocabulary()

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if word in known or word in protected or len(word) < 2:
            return word
        stem = re.sub(r"(?:ed|ing)$", "", word)
        if stem != word and (stem in known or stem + "e" in known or stem[:-1] in known):  # sketched, restoring
            return word
        if word.endswith("s") and (word[:-1] in known or word[:-2] in known):  # takes, sketches; "sketchs"
            return word[:-1] + "es" if re.search(r"(?:ch|sh|x)$", word[:-1]) else word
        candidates = [v for v in known if v[0] == word[0] and abs(len(v) - len(word)) <= 1]
        swapped = [v for v in candidates if len(word) > 3 and sorted(v) == sorted(word)]  # "fcae" -> "face"
        if swapped:
            return swapped[0]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.8 if len(word) > 3 else 0.79)
        return close[0] if close else word

    return style_typos(re.sub(r"[a-z]+", fix, text), known)


def style_typos(text: str, known: frozenset[str]) -> str:
    """Near-misses of a style's own name, read over as many words as the name has ("stained glas" ->
    "stained glass", "pixle art" -> "pixel art", "grafitti" -> "graffiti"): each word keeps its first letter and is
    close to the name's word; a one-word name needs six letters or more, and a word the planner knows stays."""
    import difflib

    words = text.split(" ")
    bare = [w.strip(",.;:!?") for w in words]
    names = _names_by_letter(style_names())
    for i in range(len(words)):
        if not bare[i] or bare[i] in known and i + 1 < len(words) and bare[i + 1] in known:
            continue
        for parts in names.get(bare[i][:1], ()):
            k = len(parts)
            said = bare[i:i + k]
            if len(said) < k or said == list(parts) or any(
                    not w or w[0] != p[0] or abs(len(w) - len(p)) > 2 for w, p in zip(said, parts, strict=True)):
                continue
            close = all(w == p or (w not in known and difflib.SequenceMatcher(None, w, p).ratio() >= 0.8)
                        for w, p in zip(said, parts, strict=True))
            if close and (k > 1 or difflib.SequenceMatcher(None, said[0], parts[0]).ratio() >= 0.85):
                tail = words[i + k - 1][len(said[-1]):] if words[i + k - 1].startswith(said[-1]) else ""
                words[i:i + k] = [*parts[:-1], parts[-1] + tail]
                bare[i:i + k] = list(parts)
                break
    return " ".join(words)


@functools.lru_cache(maxsize=4)
def _names_by_letter(names: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The style names as word tuples by their first letter (one-word names of six letters or more)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for name in names:
        if " " in name or len(name) >= 6:
            out.setdefault(name[0], []).append(tuple(name.split(" ")))
    return {letter: tuple(v) for letter, v in out.items()}


def style_names() -> tuple[str, ...]:
    """The library's style names (not their tags)."""
    return tuple(name for phrase, name in style_lexicon() if phrase == name)


def style_words() -> frozenset[str]:
    return _words_of(tuple(phrase for phrase, _ in style_lexicon()))


@functools.lru_cache(maxsize=4)
def _words_of(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for phrase in phrases for w in re.findall(r"[a-z]+", phrase))


def normalise(text: str) -> str:
    """Lower-case, unaccented, other languages' tool words in English, numbers as digits, typos fixed."""
    from atelier.agent.planners import words

    text = strip_accents(text.lower().replace("&", " and ").replace("’", "'"))
    text = words.numbers(words.translate(text, words.translations(_vocabularies())))
    return fix_typos(re.sub(r"\s+", " ", text).strip(" .!?"))


NOT_ATTACHMENT = (rf"(?!(?:{refs.COUNT_ORD}|one|{refs.PHOTO}|original|reference|ref|example|painting|artwork|"
                  r"poster)\b)")
AFTER_NOUN_RE = re.compile(r"^(?P<later>.+?)\s+(?:only\s+)?after\s+(?P<first>(?:the|a|an|my|her|"
                           rf"his)\s+{NOT_ATTACHMENT}[\w-]+(?:\s+[\w-]+)?)"
                           r"(?:,?\s+(?:not before|and not before|not the other way round))?$")
BEFORE_NOUN_RE = re.compile(r"^(?P<first>.+?)\s+(?:only\s+)?before\s+"
                            rf"(?P<later>(?:the|a|an)\s+{NOT_ATTACHMENT}[\w-]+(?:\s+[\w-]+)?)"
                            r"(?:,?\s+(?:not after|and not after|not the other way round))?$")
ORDER_LABEL_RE = re.compile(r"\b(before that|after that|last step|first step|final step|next step|next|then|lastly|"
                            r"finally|"
                            r"at the (?:very )?(?:start|end|beginning)|to (?:start|finish)|before it|after it)\s*:\s*")
CORRECTION_RE = re.compile(r"\b[\w-]+\s*(?:\.\.\.|…|,|-|—)\s*(?:i mean|sorry|or rather|i meant|no wait)\s+")


INTRO_RE = re.compile(  # "i'm attaching a painting and a photo", "here's a reference style and my selfie"
    r"\b(?:here(?:'s| is| are)|these are|i'?m (?:attaching|sending|uploading|including|giving you)|"
    r"i(?:'ve| have)? (?:attached|sent|uploaded|included|added)|attached (?:are|is)|you(?:'ll| will)? (?:get|see))\s+"
    r"(?:two(?: things| images| photos| pictures)?\s*[:,]?\s*)?"
    r"(?P<items>(?:(?:a|an|my|the|our|one)\s+)?[\w'-]+(?:\s+[\w'-]+)?"
    r"(?:\s*(?:,|and|,\s*and|then|plus)\s+(?:(?:a|an|my|the|our|one)\s+)?[\w'-]+(?:\s+[\w'-]+)?){1,3})")
ITEM_SPLIT = re.compile(r"\s*(?:,\s*and|,|and|then|plus)\s+")
ITEM_WORDS = re.compile(rf"^(?:(?:a|an|my|the|our|one)\s+)?(?:(?:favou?rite|old|new|reference|own|little|"
                        rf"{refs.RANK})\s+)?"
                        rf"(?P<noun>[\w'-]+)(?:\s+(?:{refs.RANK}))?$")


def resolve_introduced(text: str, story: str, n_attachments: int) -> str:
    """After "I'm attaching a painting and a photo" (in ``story``), "the painting" is the first attachment and
    "the photo" the second: their later mentions in ``text`` are rewritten as ordinals the attachment readers
    know."""
    m = INTRO_RE.search(story) if n_attachments >= 2 else None
    if not m:
        return text
    items = [ITEM_WORDS.match(i.strip(" ,.;")) for i in ITEM_SPLIT.split(m["items"])]
    nouns = [i["noun"] for i in items if i]
    if len(nouns) < 2 or len(nouns) > n_attachments or len(set(nouns)) != len(nouns) or len(nouns) != len(items):
        return text
    ords = [w for w in refs.RANK.split("|") if w.isalpha() and w != "last"]  # first, second, third, ...
    cut = text.find(m.group(0))
    head, rest = (text[:cut + len(m.group(0))], text[cut + len(m.group(0)):]) if cut >= 0 else ("", text)
    for k, noun in enumerate(nouns):
        rest = re.sub(rf"\b(?:the|my|that|this)\s+(?:[\w'-]+\s+)?{re.escape(noun)}s?\b(?!\s+(?:is|=)\s+the)",
                      f"the {ords[k]} one", rest)
    return head + rest


PURPOSE_RE = re.compile(r",?\s+(?:so (?:that )?(?:it|they|i|we|the \w+) (?:gets?|has|have|looks?|can|will|'ll|is|are)|"
                        r"(?:before|when|after|so) (?:i|we) (?:can )?(?:send|post|print|share|show|give|upload|frame|"
                        r"email|use|put)\b|"
                        r"or (?:else )?(?:it|they)(?:'ll| will| would)|because (?:it|they|otherwise))\b[^.;?!]*")
ORDER_NOTE_RE = re.compile(r"\s*\((?:[\w ]{1,20} (?:first|last)|first [\w ]{1,20})\)")
CORRECTING_RE = re.compile(r"(?:^|[.?!;,]\s*|\s[—–-]\s)(?:(?:oh|ok|okay|hmm|um|so),?\s+)*(?:actually(?:,? no)?|"
                           r"no wait|wait|scratch that|on second thought|change of plan)\b[,:;\s—–-]*")


def split_correction(text: str) -> tuple[str, str] | None:
    """(what was said, its correction) for "do the restore after the eye fix? no wait — restore first, then the
    eyes"; None when nothing is corrected."""
    m = next((m for m in CORRECTING_RE.finditer(text) if m.start() > 0), None)
    if m is None or not re.search(r"[a-z]{3}", text[:m.start()]) or not re.search(r"[a-z]{3}", text[m.end():]):
        return None
    return text[:m.start()].strip(" ,.?!;"), text[m.end():].strip()


def goes_first(text: str) -> bool:
    """The words put their step before the others ("restore the face beforehand", "restore first")."""
    return bool(EARLIER_END_RE.search(text) or FIRST_WORDS.search(text) or FIRST_RE.match(text)
                or re.search(r"\b(?:beforehand|first)\b", text) or ORDER_BACK.search(text) and "before" in text)


def split_clauses(text: str) -> list[str]:
    """Clauses in the order the work must happen, whatever the wording order."""
    t = ORDER_LABEL_RE.sub(lambda m: f"{m[1]}, ", CORRECTION_RE.sub("", normalise(text)))
    t = ORDER_NOTE_RE.sub("", PURPOSE_RE.sub("", t))
    said = ORDER_STATEMENT_RE.match(t)
    if said:  # "the sketch comes after the pop art step: pop art first, then ...": the order, then the steps
        return ordered(split_clauses(said["order"]) + split_clauses(said["rest"]))
    for pattern in (WITH_DONE_RE, START_END_RE, LAST_FIRST_RE, BEFORE_RE, AFTER_RE, BUT_FIRST_RE, NOT_BEFORE_RE,
                    TRAILING_AFTER_RE, ONCE_RE, HAVING_RE, HAVING_LEAD_RE, BEFORE_THAT_RE, BEFOREHAND_RE,
                    MID_BEFORE_RE, COME_AFTER_RE, COME_BEFORE_RE, PRIOR_RE, BEFORE_YOU_RE, AFTER_NOUN_RE,
                    BEFORE_NOUN_RE):
        m = pattern.match(t)
        if m and ORDER_ONLY.match(m["first"] or ""):  # "…, but the restore goes first": an order, not a step
            continue
        said_first = m and (m["first"] if "first2" not in m.groupdict() or m["first"] else m["first2"])
        if said_first and TOLD_TAIL.match(f", {said_first}") and not is_request(said_first):
            continue  # "open his eyes before that, he blinked": what follows the order words only tells
        if said_first and re.match(r"(?:and\s+)?then\b", said_first):
            continue  # "restore it before that, then open the eyes": the order word is the clause's before it
        if m and said_first and re.search(r"[a-z]{3}", said_first) and re.search(r"[a-z]{3}", m["later"]):
            first = re.sub(r"^(?:but|though|and|however)\s+", "", said_first)
            return split_clauses(first) + split_clauses(m["later"])
    rest, sequence = said_sequence(t)
    if sequence:  # "do these in reverse order: …", "in the order 2 then 1: (1) … (2) …"
        return [q for item in sequence_items(rest, sequence) for q in split_clauses(item)]
    t = FIRST_RE.sub("", t)
    items = numbered_items(t)
    if items:  # a numbered list, in any order: "3. neon noir 2. sketch 1. open eyes" runs 1, 2, 3
        return [q for item in items for q in split_clauses(item)]
    parts = [p.strip(" ,") for p in SPLIT_RE.split(t)]
    parts = [p for p in parts if p and re.search(r"[a-z]", p)]
    if len(parts) > 1:  # "open the eyes; after the restore, sketch": each part's own order words
        parts = [q for p in parts for q in (split_clauses(p) if _ordering(p) else [p])]
    for i in range(1, len(parts)):  # "...; before that, open the eyes": that part moves one place earlier
        core, tail = _told_tail(parts[i])  # "open his eyes before that, he blinked": the order is the ask's
        if EARLIER_RE.match(core) or (EARLIER_END_RE.search(core) and not BINDING_FIRST.search(core)):
            parts[i - 1], parts[i] = EARLIER_END_RE.sub("", EARLIER_RE.sub("", core)) + tail, parts[i - 1]
    return ordered(parts)


NUMBER_MARK = re.compile(r"(?:^|(?<=\s))(?:step\s+)?\(?(?P<k>[1-9])(?:\)|\.(?!\d)|:)\s+")


def numbered_items(text: str) -> list[str]:
    """The items of a numbered list ("1) … 2) …", "2. sketch 1. open eyes", "step 1: …") in number order, or []
    when the text is no such list (the numbers 1 and 2 must both be there, each once)."""
    text = re.sub(r"\s*\([^()]*\b(?:order|first|last)\b[^()]*\)\s*$", "", text)  # "(do them in number order)"
    marks = list(NUMBER_MARK.finditer(text))
    ks = [int(m["k"]) for m in marks]
    if len(marks) < 2 or sorted(ks) != list(range(1, len(ks) + 1)):
        return []
    if text[:marks[0].start()].strip(" ,:;.") and ks[0] != 1:
        return []
    bounds = [*(m.start() for m in marks[1:]), len(text)]
    items = {int(m["k"]): text[m.end():end].strip(" ,;.") for m, end in zip(marks, bounds, strict=True)}
    lead = text[:marks[0].start()].strip(" ,;.")
    return [p for p in ([lead] if lead else []) + [items[k] for k in sorted(items)] if re.search(r"[a-z]", p)]


REVERSED = r"(?:in (?:the )?(?:reverse|reversed|opposite|backwards?|inverse) order|backwards|in reverse)"
SEQUENCE_LEAD = re.compile(rf"^(?:please\s+)?(?:(?:do|run|apply) (?:these|them|this|it|the steps|the following|"
                           rf"(?:both|all)(?: of)?(?: these| them)?)\s+)?(?:(?P<reversed>{REVERSED})|in (?:the |this )?"
                           r"order\s+(?P<order>[1-9](?:\s*(?:,|then|and|->|>|to|,\s*then)\s*[1-9])+))\s*[:,;]?\s+(?P<rest>.+)$")
SEQUENCE_TAIL = re.compile(rf"^(?P<rest>.+?)[,;.]?\s+(?:but\s+)?(?:(?:do|run|apply) (?:them|it|these|the steps)\s+)?"
                           rf"(?P<reversed>{REVERSED})$")
SEQUENCE_ITEM = re.compile(r",\s*(?:and\s+)?(?:then\s+)?|\s+(?:and then|then|and)\s+|[;.]\s+")


def said_sequence(text: str) -> tuple[str, str | list[int]]:
    """(the steps, the order said for them apart from the steps): "reverse" for "do these in reverse order: …",
    the item numbers for "in the order 2 then 1: (1) … (2) …"; ("", []) when no order is said so."""
    m = SEQUENCE_LEAD.match(text) or SEQUENCE_TAIL.match(text)
    if m is None:
        return "", []
    if m["reversed"]:
        return m["rest"], "reverse"
    return m["rest"], [int(k) for k in re.findall(r"[1-9]", m["order"])]


def sequence_items(rest: str, sequence: str | list[int]) -> list[str]:
    """The steps in the said order: numbered items by their numbers, or the listed steps reversed."""
    marks = {int(m["k"]): m for m in NUMBER_MARK.finditer(rest)}
    if isinstance(sequence, list) and sorted(marks) == sorted(sequence):
        ends = sorted(m.start() for m in marks.values())[1:] + [len(rest)]
        starts = sorted(marks.values(), key=lambda m: m.start())
        items = {int(m["k"]): rest[m.end():end].strip(" ,;.") for m, end in zip(starts, ends, strict=True)}
        return [items[k] for k in sequence]
    listed = [p.strip(" ,") for p in SEQUENCE_ITEM.split(rest) if re.search(r"[a-z]{3}", p)]
    return listed[::-1] if sequence == "reverse" else listed


TOLD_TAIL = re.compile(r",\s+(?:he|she|they|it|he's|she's|they're|it's)\s[^,;]*$")


def _told_tail(part: str) -> tuple[str, str]:
    """The part without a told clause at its end (", he blinked", ", they're really mushy"), and that clause."""
    m = TOLD_TAIL.search(part)
    return (part[:m.start()], part[m.start():]) if m else (part, "")


def _ordering(part: str) -> bool:
    """The part relates two steps of its own by an order word ("after the restore, sketch")."""
    return any(p.match(part) for p in (BEFORE_RE, AFTER_RE, BUT_FIRST_RE, COME_AFTER_RE, COME_BEFORE_RE, PRIOR_RE,
                                       BEFORE_YOU_RE))


def split_and(clause: str) -> list[str]:
    """Split "X and Y" / "X, Y" into candidate sub-clauses (the caller keeps them only if both are tools)."""
    parts = re.split(r",\s*(?:and\s+)?|\s+(?:and|n|\+)\s+(?:also\s+)?", clause)
    return ordered([p.strip() for p in parts if p.strip()])


BINDING_FIRST = re.compile(rf"\b(?:reference|ref|style|{refs.PHOTO}|painting|artwork|poster|selfie|portrait|"
                           r"sprite|punk|original|one)s? (?:is|comes|goes|was attached|i attached) first\b")


def ordered(parts: list[str]) -> list[str]:
    """"the sketch goes last" / "X comes first": move that part, keep the others' order ("the reference is
    first" says which attachment is which, not an order)."""
    last = [p for p in parts if LAST_WORDS.search(p) and not BINDING_FIRST.search(p)]
    first = [p for p in parts if FIRST_WORDS.search(p) and p not in last and not BINDING_FIRST.search(p)]
    if (last or first) and len(parts) > 1:
        return first + [p for p in parts if p not in last and p not in first] + last
    return parts


def wants_fanout(text: str) -> bool:
    return bool(FANOUT_RE.search(normalise(text)))


def said_count(text: str) -> int | None:
    """How many photos the words say there are ("sketch these 10", "these seven punks"), or None."""
    from atelier.agent.planners import words

    m = next((m for m in FANOUT_RE.finditer(normalise(text)) if m["count"]), None)
    if m is None:
        return None
    return int(m["count"]) if m["count"].isdigit() else words._number(m["count"])


def percent_or_fraction(raw: str) -> float:
    raw = re.sub(r"\s*(?:per ?cent|pct)\b", "%", raw.strip())
    value = float(raw.rstrip("%").strip())
    return value / 100.0 if raw.endswith("%") or value > 1 else value


NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def _read(raw: str, kind: str) -> float | int:
    if kind == "fraction":
        return round(min(1.0, percent_or_fraction(raw)), 4)
    if kind == "complement":  # "70 % lines" is 30 % of the other share
        return round(max(0.0, 1.0 - min(1.0, percent_or_fraction(raw))), 4)
    if kind == "int":
        return NUMBER_WORDS.get(raw) or int(float(raw))
    return float(raw)


def cue_args(cues, clause: str) -> dict[str, Any]:
    """Argument values a tool's ``ArgCue``s find in the clause; the first cue that matches sets an argument."""
    clause = re.sub(r"(\d)\s*(?:per ?cent|pct)\b", r"\1%", clause)
    args: dict[str, Any] = {}
    for cue in cues:
        if any(name in args for name in cue.args) or (cue.when and not rx(cue.when).search(clause)):
            continue
        m = rx(cue.pattern).search(clause)
        if not m:
            continue
        if cue.kind == "value":
            values = [cue.value] * len(cue.args)
        else:
            groups = [g for g in m.groups() if g is not None] if len(cue.args) == 1 else list(m.groups())
            values = [_read(g, cue.kind) for g in groups[:len(cue.args)]]
        if cue.minimum is not None and any(v < cue.minimum for v in values):
            continue
        args.update(zip(cue.args, values, strict=True))
    return args


def style_lexicon() -> list[tuple[str, str]]:
    """(phrase, style name) pairs from the style library (names and tags), longest phrase first; read again
    when the home or its user styles change, so a style added in a running chat is seen."""
    from atelier.core.config import load_settings

    home = load_settings().home
    user = home / "styles"
    stamp = user.stat().st_mtime_ns if user.is_dir() else 0
    return _lexicon_of(str(home), stamp)


@functools.lru_cache(maxsize=4)
def _lexicon_of(home: str, stamp: int) -> list[tuple[str, str]]:
    from pathlib import Path

    from atelier.knowledge.styles import StyleLibrary

    pairs = []
    for card in StyleLibrary.load(Path(home)).cards:
        pairs.append((card.name, card.name))
        pairs += [(t.lower(), card.name) for t in card.tags]
    return sorted(pairs, key=lambda p: -len(p[0]))


def find_style(clause: str) -> tuple[str, str] | None:
    """(the words used, the style name) for a style the clause names, e.g. ("neon rainy city", "cyberpunk"); a
    style said by its own name wins over another style's tag ("arctic frost style for the christmas card")."""
    lexicon = style_lexicon()
    for phrase, name in lexicon:
        if phrase == name and phrase in clause and rx(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])").search(clause):
            return phrase, name
    for phrase, name in lexicon:
        if phrase in clause and rx(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])").search(clause):
            return phrase, name
    return None


def style_query(clause: str) -> str:
    """The descriptive part of a style clause: "make it look like a neon rainy city" -> "neon rainy city"."""
    q = re.sub(
        r"\b(please|can you|could you|would you|i want|i'd like|make|turn|give|apply|restyle|render|paint|"
        r"redo|convert|transform|it|this|that|these|them|the|a|an|into|in|to|as|look|looks|looking|like|"
        r"style|styled|stylish|styli[sz]e|of|with|some|vibe|feel|aesthetic|version|sketch|photo|"
        r"image|picture|result|one|more|bit|little|kind|sort|now|also|same|which|what|would|suit|suits|fit|fits|"
        r"go with|goes with|work for|works for|best|good|for|recommend|suggest|find|show|me|styles|similar|close)\b",
        " ",
        clause,
    )
    return re.sub(r"\s+", " ", q).strip(" ,.-") or clause


MARKER_RE = re.compile(r"\b(?:anyway|anyhow|long story short|so here'?s what i (?:need|want)|what i(?:'d| would) like"
                       r"(?: is)?|the actual request|back to the point|my request(?: is)?|here'?s what i (?:want|need)|"
                       r"all i (?:want|need|ask)(?: is)?(?: for you)?|so,? my question is|"
                       r"(?:two|three|a few|a couple of) things\s*:)\b\s*[:,—–-]*\s*", re.I)
NARRATIVE_RE = re.compile(
    r"^(?:so |and |but |also |oh,? )?(?:i (?:was|went|tried|watched|saw|restored|used|had|collect|made|took|think|"
    r"have no|bought|love|loved|printed|got|found|did|just got)|i'm (?:making|doing|not|a|so)|i am (?:making|a)|"
    r"my (?:grand\w+|mum|mom|dad|mother|father|friend|cousin|sister|brother|teacher|phone|family|wife|husband|kids?|"
    r"son|daughter|partner|boss|aunt|uncle|neighbou?r)|we (?:went|printed|were|had|took|did|got|made)|"
    r"there (?:was|were|are)|it was|it'?s (?:from|for|raining|been|a long)|this (?:is|was) (?:for|from|taken|my)|"
    r"the (?:light|photographer|weather|lighting|camera|party|trip|wedding)|last (?:time|week|year|summer|month)|"
    r"yesterday|honestly|he (?:was|is|has been|loves)|she (?:was|is|has been|loves)|they (?:were|are))\b")
WEAK_REQUEST_RE = re.compile(r"\b(?:i|we)(?:'d| would)? (?:just |really |only |also |now )?"
                             r"(?:like|love|want|need|wish)\b")
REQUEST_RE = re.compile(
    r"\b(?:please|pls|plz|can you|could you|would you|will you|can u|could u|would you mind|"
    r"(?:i|we)(?:'d| would) (?:just |really |also |only )?(?:like|love)|"
    r"(?:i|we) (?:just |really |only |also |now )?(?:want|need|wish)|let'?s|help me|kindly|"
    r"do me a favou?r|"
    r"(?:asked|wants|want|told|needs|begged) (?:me|you|us) to|is it possible to|how about|"
    r"(?:wants?|needs?) (?:it|this|his|her|my|the|our|their)\b[^.]{0,30}\bto (?:look|be|become|have|get))\b|\?\s*$")
POLITE_ONLY = re.compile(r"^(?:(?:please|pls|thanks|thank you|thx|ty|cheers|and|so much|in advance|a lot|very much)"
                         r"[\s,.!]*)+$")
IMPERATIVE_RE = re.compile(
    r"^(?:(?:ok(?:ay)?|so|now|and|then|also|just|only|first|next|finally|lastly|oh|hey|hi|no|last step:?|first step:?|"
    r"final step:?|before that:?|after that:?|at the (?:very )?(?:start|end|beginning):?|to (?:start|finish):?|"
    r"actually|wait|hmm|scratch that|on second thought|change of plan|first things first:?|first of all:?),?\s+"
    r"(?:[-–—]\s+)?)*"
    r"(?:make|turn|open|fix|sketch|draw|restore|clean|find|show|give|apply|restyle|paint|render|convert|do|detect|"
    r"check|tell|describe|reconstruct|recover|combine|merge|pick|use|take|change|remove|enhance|repair|list|search|"
    r"get|style|colou?r|unblink|put|transform|try|redo|add|crop|rotate|translate|write|sharpen|denoise|pencil|"
    r"undo|keep|let|go|start|begin|finish|end|styli[sz]e|retouch|touch|upscale|downscale|compare|identify|caption|"
    r"run|create|generate|produce|transfer|copy|match|borrow|swap|don'?t|do not|never|who|which|what|is|are|did|"
    r"skip|ignore|exclude|omit|leave|"
    r"does|how)\b")
ANAPHORA_RE = re.compile(r"^(?:(?:can|could|would|will) (?:you|we|u) )?(?:(?:do|manage) (?:that|this|it|one)|"
                         r"make one)\b|^(?:(?:ok|okay|now|so|and|just),? )*(?:go(?: ahead| for it)?|make it happen|"
                         r"do it|do your thing|hit it|let'?s go)(?: please| now)?$|"
                         r"\b(?:that|this|it) (?:possible|doable)\b|"
                         r"\bcan (?:that|this|it) be done\b")
ATTACHED_RE = re.compile(r"\b(?:this|these|here|attached|it|them)\b")
STORY_START = re.compile(  # a sentence that starts with its subject: a statement, e.g. a story's
    r"^(?:(?:so|and|but|also|oh|okay|ok|well|honestly|basically|anyway),?\s+)*(?:i|i'm|i've|im|we|we're|we've|our|"
    r"my|he|she|they|he's|she's|they're|his|her|their|there|this|that|these|those|the|a|an|one|some|last|yesterday|"
    r"today|people|everyone|everybody|nobody|someone|somebody|[a-z]+'s|[a-z]+ (?:was|were|is|are|has|had|did))\b")


ORDER_SAID = re.compile(  # "the first thing is to fix the faces", "the last step should be the sketch": an order asks
    r"^(?:(?:but|and|so|oh|ok|okay),?\s+)*(?:the )?(?:first|last|final|next) (?:thing|step)s?(?: to do)? "
    r"(?:is|should be|will be|has to be)\b")
ORDER_BACK = re.compile(r"\b(?:before|prior to|after|ahead of) (?:that|this|doing (?:that|so)|you do (?:that|it))\b|"
                        r"\b(?:beforehand|afterwards|first|too|as well)[.!]?$")  # relative to what was said before
ORDER_ANAPHORA = re.compile(r"^(?:(?:but|and|oh|ok|so),?\s+)*(?:(?:before|prior to|after|ahead of) (?:that|this|it|"
                            r"doing (?:that|so))|first,? (?:though|however)|but first|then|after that|next)\b")
PLEA = re.compile(r"^(?:(?:oh|so|please|pls),?\s+)*(?:help(?: me)?(?: please)?|(?:can|could) (?:you|anyone|someone) "
                  r"help(?: me)?(?: with (?:it|this|that))?|any ideas|what can (?:you|i) do|can (?:this|"
                  r"it) be (?:fixed|saved)|"
                  r"is (?:this|it) fixable|save it|rescue it)\W*$")  # "Help!": the problem is said before it
POINTS_BACK = re.compile(r"\b(?:it|that|this|them|those|the original|something about|what (?:is|are) (?:it|they))\b")
DESCRIBES = re.compile(  # a short sentence about the attachment itself: what it is, what is wrong with it
    r"^(?:(?:so|and|but|oh|ok|well),?\s+)?(?:this|the|my|our|her|his|their|these)\s+(?:\w+\s+){0,2}?"
    rf"(?:sprite|punk|pixel art|{refs.PHOTO}|portrait|selfie|faces?|eyes|drawing|scan)s?\s+"
    r"(?:is|are|was|were|got|has|have|looks?)\b")
ORDER_SENTENCE = re.compile(r"\b(?:goes|comes|should (?:come|go|be)|is) (?:last|first|the final|the last)\b|"
                            r"\b(?:final|last|finishing) (?:touch|step)\b|^(?:last|first|final) step\b|"
                            r"^(?:and )?(?:before|after) (?:that|it|this|the \w+)\b|\bat the (?:very )?(?:start|end)\b|"
                            r"\b(?:comes?|go|goes|happen|be done) (?:afterwards|later|after that|after everything)\b")
PREFERENCE = re.compile(r"\b(?:would be (?:perfect|great|nice|ideal|lovely|best|amazing)|is what i(?:'m| am)? "
                        r"(?:want|after|looking for)|(?:would|will) look (?:great|best|perfect))\b")
BINDS = re.compile(  # which attachment is which: "the punk is the last one", "second image = the vibe"
    rf"^(?:(?:and|so|oh),?\s+)?(?:the |my |this )?[\w-]+(?: [\w-]+)?(?: one| {refs.PHOTO})?\s+"
    rf"(?:is|=|are)\s+(?:the |my )?(?:{refs.COUNT_ORD}|\d)\b|"
    rf"^(?:(?:the )?(?!other|middle)(?:{refs.COUNT_ORD})(?: one| {refs.PHOTO})?|"
    rf"(?:{refs.PHOTO}|attachment) ?#?\d)\s*(?:is\b|has\b|=|:)|"
    rf"\b(?:the )?(?:reference|ref|style) is (?:the )?(?:{refs.COUNT_ORD})\b|"
    rf"^ignore (?:the )?(?:{refs.PHOTO}|attachment|{refs.COUNT_ORD})")


STATE = re.compile(  # "it's blurry because ...", "this is an upscaled punk": what is wrong with the attachment
    r"^(?:(?:so|and|but|oh|ok|well),?\s+)?(?:it|this|that|they|these)(?:'s| is| was| are| were| looks?| got| has been)"
    r"\s+(?:(?:a|an|my|so|really|very|pretty|kind of|all|way too|too|quite|super)\s+)*(?:[\w-]+\s+){0,3}?"
    r"(?:upscal\w*|blurr\w*|nois\w*|grain\w*|pixelat\w*|enlarg\w*|scaled|blown|low[- ]res\w*|fuzzy|jpe?g\w*|"
    r"closed|shut)\b")


def describes(sentence: str) -> bool:
    """A short sentence about the attachment itself: what it is, what is wrong with it."""
    s = normalise(sentence)
    return bool(DESCRIBES.search(s) or STATE.search(s)) and len(s.split()) <= 14


def binds(sentence: str) -> bool:
    """A sentence that says which attachment is which, or the order of the steps: part of the instruction."""
    s = sentence.strip().lower()
    return len(s.split()) <= 16 and bool(BINDS.search(s) or ORDER_SENTENCE.search(s) or PREFERENCE.search(s)
                                         or LAST_WORDS.search(s) or FIRST_WORDS.search(s)
                                         or refs.binds_roles(s))


CLAUSE_JOINT = re.compile(r",?\s+(?:so|and so|and then|then|which is why|that'?s why)\s+|;\s*|\s+[-—–]\s+|:\s+|"
                         r"^if\s[^,]{1,40},\s*")  # "if not, go ahead and sketch it": the condition, then the ask
CONSEQUENCE = re.compile(r",?\s+(?:so|and so|then|and then)\s+(?!(?:it|i|we|you|he|she|they|this|that|the|my|our|"
                         r"there|not|too|very|much|maybe|probably|also|just|really|please|at|in|on|for|with|to|from|"
                         r"of|by|after|before|when|all|now|later|once)\b)[a-z]+\s+(?:it|this|that|"
                         r"the|my|her|his|them|these|those|a|an)\b")  # "…, so rebuild the grid": verb and object


def is_request(sentence: str) -> bool:
    """A sentence that asks for something (imperative, "could you", "please", a question), not a story's; the
    imperative may open any of its clauses ("it's upscaled, so reconstruct the grid")."""
    s = sentence.strip().lower()
    if POLITE_ONLY.match(s):
        return False  # "Please and thank you.": manners, the ask is elsewhere
    return bool(REQUEST_RE.search(s) or CONSEQUENCE.search(s) or ORDER_SAID.search(s)
                or any(IMPERATIVE_RE.search(c) for c in CLAUSE_JOINT.split(s)))


def wish(sentence: str) -> bool:
    """"I need a blink-free version of our team photo": a wish that asks for work ("I love ukiyo-e prints" and
    "which is not what I want" are not)."""
    s = sentence.strip().lower()
    return weak_request(s) and not re.search(r"\b(?:i|we) (?:really |just )?(?:love|like)\b(?! (?:to|it if|if))", s) \
        and not re.search(r"\bwhat (?:i|we) (?:want|need|wanted|like)\b", s)


def weak_request(sentence: str) -> bool:
    """A wish ("we want a framed drawing of her") rather than a direct ask: no imperative, no "could you"."""
    s = sentence.strip().lower()
    return bool(WEAK_REQUEST_RE.search(s)) and not IMPERATIVE_RE.search(s) and not REQUEST_RE.search(
        WEAK_REQUEST_RE.sub(" ", s))


CONTRAST = re.compile(r",?\s+but\s+(?=(?:for (?:this one|this|now|today)|this time|here|now|today|right now)?,?\s*"
                      r"(?:i|we)\b)", re.I)


def _after_contrast(sentence: str) -> str:
    """"She loves anime and cyberpunk, but for this one I just want a pencil sketch": what follows the "but" when
    what comes before it only tells (no request of its own)."""
    parts = CONTRAST.split(sentence)
    if len(parts) < 2 or any(is_request(p) and not weak_request(p) for p in parts[:-1]):
        return sentence
    last = parts[-1]
    return last if is_request(last) or wish(last) else sentence


def fragment(sentence: str) -> bool:
    """A short sentence without a subject or a finite verb ("Best take of these four.", "Watercolor please."): an
    ask said as a noun phrase."""
    s = sentence.strip().lower()
    return len(s.split()) <= 6 and not STORY_START.search(s) and not re.search(
        r"\b(?:is|are|was|were|has|have|had|[a-z]{2,}ed)\b", s)


SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b\d\.)\s+")  # not a list's number: "2. sketch 1. open the eyes"


def only_tells(text: str) -> bool:
    """Three or more sentences that each start with their subject, and none asks, wishes, pleads, names a style,
    binds an attachment or says what is wrong with the image ("This is the last photo of my dad. We took it at
    the lake. I just wanted to show someone."): the message shares something and asks for no work."""
    sentences = [x.strip().lower() for x in SENTENCE_END.split(text) if x.strip()]
    return len(sentences) >= 3 and not any(is_request(x) or wish(x) or PLEA.search(x) or describes(x) or binds(x)
                                           or find_style(normalise(x)) for x in sentences) and all(
        STORY_START.search(x) or len(x.split()) <= 5 for x in sentences)


def instruction_part(text: str) -> str:
    """The instruction inside a story: what follows "anyway, …" (and the like); of several sentences, those that
    ask for something (or, when none does, those about the attachment), so a story's words ("my grandfather
    used to sketch ships.") do not become steps."""
    marks = list(MARKER_RE.finditer(text))
    if marks and marks[-1].end() < len(text) - 3:
        text = text[marks[-1].end():]
    sentences = [_after_contrast(x) for x in SENTENCE_END.split(text) if x.strip()]
    if len(sentences) < 2:
        return sentences[0] if sentences else text
    if any(is_request(x) or wish(x) for x in sentences):  # the requests, and short fragments
        keep = [is_request(x) or wish(x) for x in sentences]
        direct = [k and not weak_request(x) for x, k in zip(sentences, keep, strict=True)]
        if any(direct):  # "we want a framed drawing of her. … can you fix her eyes?": the direct ask wins
            keep = direct
        keep = [k or binds(x) for x, k in zip(sentences, keep, strict=True)]  # which attachment is which
        for i in range(1, len(sentences)):  # "Sketch it. 40 % shading.": a short fragment after a request
            if keep[i - 1] and not keep[i] and len(sentences[i].split()) <= 6 and not STORY_START.search(
                    sentences[i].strip().lower()):
                keep[i] = True
        for i in range(len(sentences) - 1):  # "Best take of these four. Use the third shot as the base.": a
            if keep[i + 1] and not keep[i] and fragment(sentences[i]) and binds(sentences[i + 1]):  # binding
                keep[i] = True  # needs the step it binds for
        for i in range(1, len(sentences)):  # "... to look like a Renaissance painting. Can we do that?"
            if keep[i] and (ANAPHORA_RE.search(sentences[i].lower()) or PLEA.search(sentences[i].strip().lower())
                            or ORDER_ANAPHORA.search(sentences[i].strip().lower())
                            or (ORDER_BACK.search(sentences[i].lower()) and (is_request(sentences[i - 1])
                                                                             or wish(sentences[i - 1])))):
                keep[i - 1] = True
                j = i - 1  # "film noir. moody. black and white. go": the fragments before it are the ask
                while ANAPHORA_RE.search(sentences[i].lower()) and j > 0 and fragment(sentences[j]) and fragment(
                        sentences[j - 1]):
                    keep[j - 1] = True
                    j -= 1
            elif (keep[i] and not keep[i - 1] and describes(sentences[i - 1])
                  and (POINTS_BACK.search(sentences[i].lower()) or len(sentences[i].split()) <= 6)):
                keep[i - 1] = True  # "This sprite was upscaled 400 %. Get me the original back." / "What are its
                # attributes?": a short ask that leans on what was just said of the image
        return " ".join(x for x, k in zip(sentences, keep, strict=True) if k)
    about = [x for x in sentences if ATTACHED_RE.search(x.lower()) or binds(x)]
    kept = [x for x in (about or sentences) if not NARRATIVE_RE.search(x.strip().lower())]
    return " ".join(kept or about or sentences)
