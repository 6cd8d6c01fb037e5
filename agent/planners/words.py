"""Users' words -> the planner's words, before any rule reads them: other languages' words for the tools'
vocabulary ("boceto", "yeux", "Skizze" -> "sketch", "eyes") and numbers said in words or in users' units
("seven", "two-thirds shading", "a 400 % upscale") -> digits the argument cues read.

The tool words come from each tool's spec: a ``vocabulary`` entry ``"foreign words=english words"`` is a
translation (``"ojos=eyes"``); the general words (please, photo, then, make ...) are here. Pure functions.
"""

from __future__ import annotations

import functools
import re

from atelier.core.text import strip_accents

GENERAL = (
    # please / thanks / greetings
    "por favor=please", "s'il te plait=please", "s'il vous plait=please", "bitte=please", "per favore=please",
    "gracias=thanks", "merci=thanks", "danke=thanks", "grazie=thanks",
    "hola=hello", "bonjour=hello", "salut=hello", "hallo=hello", "ciao=hello",
    # the image
    "foto=photo", "fotos=photos", "fotografia=photo", "photographie=photo", "bild=photo", "bilder=photos",
    "immagine=photo", "imagen=photo", "imagenes=photos", "immagini=photos",
    "esta=this", "este=this", "cette=this", "ce=this", "dieses=this", "diesem=this", "dieser=this",
    "questa=this", "questo=this", "dit=this", "deze=these", "isso=this", "esse=this", "essa=this",
    "duas=two", "dois=two", "deux=two", "zwei=two", "twee=two", "een=a", "pode=can you", "fazer=make",
    # order and joining words
    "y luego=then", "y despues=then", "luego=then", "despues=then", "puis=then", "ensuite=then", "et puis=then",
    "und dann=then", "dann=then", "danach=then", "e poi=then", "poi=then", "primero=first", "d'abord=first",
    "zuerst=first", "zunachst=first", "otra vez=again", "encore=again", "nochmal=again", "noch einmal=again",
    "di nuovo=again", "ancora=again",
    # verbs and little words rules read
    "haz=make", "hacer=make", "hazme=make me", "fais=make", "faire=make", "mach=make", "mache=make",
    "machen=make", "fai=make", "fare=make", "con=with", "avec=with", "mit=with", "sin=without", "sans=without",
    "ohne=without", "senza=without", "mas=more", "mehr=more", "piu=more",
    "colourise=colorize", "colourize=colorize", "colorise=colorize",
    "necesito=i need", "quiero=i want", "je veux=i want", "j'aimerais=i'd like", "ich mochte=i'd like",
    "ich will=i want", "ich brauche=i need", "vorrei=i'd like", "voglio=i want", "puedes=can you",
    "peux-tu=can you", "pouvez-vous=can you", "kannst du=can you", "konnen sie=can you", "puoi=can you",
    "convierte=turn", "transforme=turn", "verwandle=turn", "trasforma=turn", "quien=who", "qui=who", "wer=who",
    "chi=who", "alguien=anyone",
    "eerste=first", "tweede=second", "derde=third", "laatste=last", "stijl=style", "van de=of the", "zoek=find",
    "mijn=my", "meine=my", "oude=old", "alten=old", "zeig mir=show me", "ergebnisse=results", "resultaten=results",
    "augen zu=eyes closed", "como=as",
    "todas=all", "todos=all", "toutes=all", "tous=all", "tutte=all", "tutti=all", "alle=all",
    "und=and", "et=and", "primera=first", "segunda=second", "segundo=second", "tercera=third", "tercero=third",
    "ultima=last", "ultimo=last", "premiere=first", "deuxieme=second", "seconde=second", "troisieme=third",
    "derniere=last", "dernier=last", "erste=first", "ersten=first", "zweite=second", "zweiten=second",
    "dritte=third", "dritten=third", "letzte=last", "letzten=last", "seconda=second", "secondo=second",
    "terza=third", "terzo=third", "la=the", "le=the", "les=the", "el=the", "los=the", "las=the", "il=the",
    "gli=the", "der=the", "das=the", "dem=the", "quelqu'un=anyone", "jemand=anyone", "qualcuno=anyone",
    "que puedes hacer=what can you do", "qu'est-ce que tu peux faire=what can you do",
    "was kannst du=what can you do", "cosa puoi fare=what can you do", "estilo=style", "stil=style",
    "stile=style", "semilla=seed", "graine=seed",
)
NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
           "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
           "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
FRACTIONS = {"two-thirds": 0.67, "two thirds": 0.67, "three-quarters": 0.75, "three quarters": 0.75,
             "a third": 0.33, "one third": 0.33, "a quarter": 0.25, "one quarter": 0.25, "a half": 0.5,
             "half": 0.5, "one half": 0.5}
UNITS = (r"(?:times|x|px|pixels?|%|percent|per ?cent|variations?|versions?|variants?|options|takes|tries|copies|"
         r"colou?rs?|cells?|results?|outputs?)\b")
AMOUNTS = r"(?:shading|shade|shadows?|strength|intensity|opacity|weight|fidelity|tone|style|effect|restyle)"
NAMED = (r"(?:cell size|cell|cells|grid|block size|palette size|colou?rs|variations|seed|fidelity|strength|top|k|"
         r"factor|factor of|feather)")
SCALE_WORDS = r"(?:upscal\w*|enlarg\w*|scal\w*|zoom\w*|blow[ -]?up|blown up|magnif\w*|bigger|larger|resiz\w*)"


def translations(vocabularies: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    return _table(tuple(GENERAL) + tuple(w for words in vocabularies for w in words if "=" in w))


@functools.cache
def _table(entries: tuple[str, ...]) -> dict[str, str]:
    pairs = (e.split("=", 1) for e in entries)
    return {strip_accents(k.strip()): v.strip() for k, v in pairs}


@functools.cache
def _pattern(keys: tuple[str, ...]) -> re.Pattern:
    ordered = sorted(keys, key=len, reverse=True)  # "y luego" before "luego"
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(k) for k in ordered) + r")(?![\w'])")


def translate(text: str, table: dict[str, str]) -> str:
    """Other languages' words for tool words -> English (lower-case, unaccented text in and out)."""
    text = re.sub(r"[¿¡]", " ", text)
    text = re.sub(r"(?<![\w'])[dl]'(?=[a-z])", "", text)  # French elision: "d'ombres" -> "ombres"
    text = re.sub(r"(?<=[a-z]{2}) y (?=(?!offset|axis)[a-z]{3,})", " and ", text)  # Spanish "y", not "offset y"
    if not table:
        return text
    return _pattern(tuple(table)).sub(lambda m: table[m.group(0)], text)


def _number(words: str) -> int | None:
    """"forty five" -> 45, "seven" -> 7, "a hundred" -> 100; None when not a number."""
    total = 0
    for w in re.split(r"[ -]+", words.strip()):
        if w in ("a", "and"):
            continue
        if w not in NUMBERS:
            return None
        total = total * 100 if NUMBERS[w] == 100 and total else total + NUMBERS[w]
    return total


NUMBER_WORD = r"(?:(?:a|one|two|three|four|five|six|seven|eight|nine) hundred(?: and)?[ -]?)?" \
              r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[ -](?:one|two|three|four|five|six|" \
              r"seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|" \
              r"thirteen|fourteen|" \
              r"fifteen|sixteen|seventeen|eighteen|nineteen)"


def _ratio(m: re.Match) -> str:
    """"1/3" -> "0.33"; a split that adds up to 100 ("70/30") is its first share: "0.7"."""
    a, b = int(m[1]), int(m[2])
    if a + b == 100:
        return f"{a / 100:g}"
    return f"{round(a / b, 2):g}" if 0 < a < b else m.group(0)


def numbers(text: str) -> str:
    """Numbers in words and users' units -> digits: "seed number seven" -> "seed 7", "eight times" -> "8 times",
    "two-thirds shading" -> "0.67 shading", "a 400 % upscale" -> "a 4x upscale"."""
    def said(m: re.Match) -> str:
        value = _number(m["n"])
        return m.group(0) if value is None else m.group(0).replace(m["n"], str(value), 1)

    text = re.sub(rf"(?<![\w-])(?P<n>{NUMBER_WORD})(?=\s*(?:-\s*)?{UNITS})", said, text)
    text = re.sub(rf"\bseed(?:\s+(?:number|no\.?|of|=|:|#))?\s+(?P<n>{NUMBER_WORD})\b", said, text)
    # a number said next to the amount it sets: "zero shading", "cell size twelve", "weight of seven tenths"
    text = re.sub(rf"(?<![\w-])(?P<n>{NUMBER_WORD})(?=\s+(?:{AMOUNTS}|{NAMED})\b)", said, text)
    text = re.sub(rf"\b(?:{AMOUNTS}|{NAMED})(?:\s+(?:of|at|to|is|=|:|around|about))?\s+(?P<n>{NUMBER_WORD})\b"
                  r"(?![- ](?:thirds?|quarters?|halves|half|tenths?))",
                  said, text)
    text = re.sub(r"\b(doubled|twice as (?:big|large))\b", "2x upscaled", text)  # "the sprite was doubled"
    text = re.sub(r"\b(tripled|three times as (?:big|large))\b", "3x upscaled", text)
    text = re.sub(r"\b(quadrupled|four times as (?:big|large))\b", "4x upscaled", text)
    text = re.sub(r"\b(\d+)\s*(?:-\s*)?fold\b", r"\1x", text)  # "enlarged 4 fold"
    text = re.sub(r"\b(half|quarter|third|full)-(?=[a-z])", r"\1 ", text)  # "half-strength"
    text = re.sub(r"\b([a-z]+)-only\b", r"\1 only", text)  # "a lines-only sketch"
    text = re.sub(r"\b(\d+)\s+(?:versions|variants|options|alternatives)\b",
                  r"\1 variations", text)  # "three versions" is the variations argument
    text = re.sub(r"\bseed\s+(?:number|no\.?|#)\s*(\d+)", r"seed \1", text)
    text = re.sub(rf"\b(?:number|no\.?|#|photo|image|picture|pic|shot)\s+(?P<n>{NUMBER_WORD})\b", said, text)
    for words, value in sorted(FRACTIONS.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{words}(?=(?:\s+of)?(?:\s+(?:the|a|an|more|less))?\s+(?:\w+\s+)?{AMOUNTS})",
                      f"{value:g}", text)
        text = re.sub(rf"\b({AMOUNTS}(?:\s+(?:at|to|of|is|=|:|around|about))?)\s+{words}\b", rf"\1 {value:g}", text)
    text = re.sub(r"\b(?:zero |oh |nought )?point (one|two|three|four|five|six|seven|eight|nine)\b",
                  lambda m: f"0.{NUMBERS[m[1]]}", text)  # "fidelity point seven"
    text = re.sub(rf"\b({SCALE_WORDS}(?:\s+up)?)\s+(twice|thrice)\b",
                  lambda m: f"{m[1]} {2 if m[2] == 'twice' else 3} times", text)  # "upscaled twice"
    text = re.sub(r"(\d)\s*(?:per ?cent|pct)\b", r"\1%", text)
    text = re.sub(rf"\bx\s*(\d+)(?=\s*{UNITS})", r"\1", text)  # "x3 variations"
    text = re.sub(rf"\b(\d{{1,3}})\s*/\s*(\d{{1,3}})\b(?=\s+(?:\w+\s+)?{AMOUNTS})", _ratio, text)  # "1/3 shading"
    # a scale said in percent is a factor: "a 400 % upscale", "upscaled by 300%" -> "4x"
    text = re.sub(rf"\b(\d{{3,4}})\s*%(?=\s*(?:\w+\s+)?{SCALE_WORDS})", lambda m: f"{int(m[1]) / 100:g}x", text)
    text = re.sub(rf"\b({SCALE_WORDS}(?:\s+up)?(?:\s+(?:was|is|of|at|by|to))*)\s+(\d{{3,4}})\s*%",
                  lambda m: f"{m[1]} {int(m[2]) / 100:g}x", text)
    text = re.sub(r"\b(\d{1,3})\s*x\s*\1\b(?P<mid>[^.;?!]{1,60}?)\b(\d{2,4})\s*x\s*\3\b", _sizes, text)
    return text


def _sizes(m: re.Match) -> str:
    """"it was 32x32 and I exported it at 512x512" says an upscale: "... (upscaled 16x)"."""
    small, big = int(m[1]), int(m[3])
    if big <= small or big % small:
        return m.group(0)
    return f"{m.group(0)} (upscaled {big // small}x)"
