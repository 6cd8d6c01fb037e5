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
# General words by language (the tools' own words are in their specs). A word marked "~" is also an English
# word ("as", "met", "die", "to"): it is read as that language's only when the message has another word of it.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "es": ("arregla=fix", "arreglar=fix", "repara=fix", "corrige=fix", "variaciones=variations", "versiones=variations",
           "donde=where", "mis=my", "viejos=old", "viejas=old", "antiguos=old", "muestrame=show me", "muestra=show",
           "busca=find", "encuentra=find", "tres=three", "cuatro=four", "cinco=five", "veces=times",
           "agrandado=enlarged", "ampliado=enlarged", "ampliada=enlarged", "agrandada=enlarged", "antes=before",
           "estas=these", "estos=these", "tengan=have", "tenga=has", "en una=into one", "junta=combine",
           "combina=combine", "cada=each", "pero=but", "hazlo=make it",
           "todo el mundo=everyone", "~una=one", "~de=of", "~mi=my", "~me=me", "~son=are"),
    "fr": ("repare=fix", "corriger=fix", "comme=like", "variantes=variations",
           "ou=where", "mes=my", "anciens=old", "anciennes=old", "vieilles=old", "montre-moi=show me",
           "montre=show", "trouve=find", "trois=three", "quatre=four", "fois=times", "agrandi=enlarged",
           "agrandie=enlarged", "avant=before", "apres=after", "ces=these", "chaque=each", "elle=she",
           "ma fille=my daughter", "mon fils=my son", "mais=but",
           "tout le monde=everyone", "une=one", "a cligne des yeux=blinked", "a cligne=blinked",
           "ont cligne=blinked",
           "~il=he", "~de=of", "~des=the", "~ma=my", "~mon=my", "~sont=are"),
    "de": ("korrigiere=fix", "repariere=fix", "behebe=fix", "wie=like", "varianten=variations", "versionen=variations",
           "wo=where", "sind=are", "zeig=show", "zeige=show", "finde=find", "drei=three", "vier=four",
           "vergrossert=enlarged", "hochskaliert=upscaled", "vorher=before", "nachher=after", "jedes=each",
           "auf diesem=on this", "auf dem=on the", "aber=but", "sind zu=are closed", "geblinzelt=blinked", "~die=the",
           "~mal=times", "~zu=closed", "~auf=on"),
    "it": ("aggiusta=fix", "correggi=fix", "sistema=fix", "varianti=variations", "versioni=variations", "~come=like",
           "~dove=where", "miei=my", "vecchi=old", "vecchie=old", "mostrami=show me", "trova=find", "tre=three",
           "quattro=four", "volte=times", "ingrandito=enlarged", "ingrandita=enlarged", "prima=before",
           "dopo=after", "queste=these", "questi=these", "ogni=each", "ha sbattuto gli occhi=blinked",
           "~e=is", "~di=of"),
    "pt": ("conserta=fix", "corrija=fix", "arruma=fix", "variacoes=variations", "versoes=variations",
           "faca=make", "faz=make", "quero=i want", "obrigado=thanks", "obrigada=thanks", "depois=then",
           "primeiro=first", "antes=before", "onde=where", "meus=my", "minhas=my", "velhos=old", "antigos=old",
           "mostra=show", "mostre=show", "encontra=find", "tres=three", "vezes=times", "ampliado=enlarged",
           "ampliada=enlarged", "estas=these", "estes=these", "cada=each", "todas=all", "todos=all", "~as=the",
           "~os=the", "~com=with", "~sem=without", "~em=into"),
    "nl": ("repareer=fix", "zoals=like", "varianten=variations", "versies=variations",
           "zet=make", "maak=make", "kun je=can you", "kan je=can you", "graag=please", "bedankt=thanks",
           "daarna=then", "eerst=first", "zonder=without", "waar=where", "laat zien=show", "toon=show",
           "vind=find", "drie=three", "vier=four", "keer=times", "kleuren=colours", "vergroot=enlarged",
           "foto's=photos", "elke=each", "maar=but", "~met=with", "~'m=it", "~in=into", "~na=after", "~voor=before"),
    "pl": ("napraw=fix", "popraw=fix", "jak=like", "wersje=variations", "warianty=variations",
           "prosze=please", "dzieki=thanks", "dziekuje=thanks", "zdjecie=photo", "zdjecia=photos",
           "zdjeciu=photo", "wszystkie=all", "zrob=make", "zamien=turn", "mozesz=can you", "chce=i want",
           "potem=then", "najpierw=first", "przed=before", "bez=without", "gdzie=where", "moje=my", "stare=old",
           "pokaz=show", "znajdz=find", "trzy=three", "cztery=four", "razy=times", "kolorow=colours",
           "kolory=colours", "powiekszony=enlarged", "powiekszone=enlarged", "kazde=each", "~to=this", "~te=these",
           "~na=on", "~po=after", "~z=with", "~w=into"),
    "tr": ("duzelt=fix", "gibi=like", "versiyon=variations",
           "lutfen=please", "tesekkurler=thanks", "fotograf=photo", "fotografi=photo", "fotograflar=photos",
           "fotograflari=photos", "resim=photo", "resmi=photo", "bunu=this", "butun=all", "tum=all", "yap=make",
           "yapar misin=can you do", "istiyorum=i want", "sonra=then", "~once=first", "olmadan=without",
           "nerede=where", "benim=my", "eski=old", "goster=show", "uc=three", "dort=four", "renk=colours",
           "renkli=colour", "buyutulmus=enlarged", "her biri=each", "~bu=this", "~ile=with", "~bul=find",
           "~kat=times"),
    "sv": ("fixa=fix", "laga=fix", "ratta=fix", "versioner=variations", "~som=like",
           "snalla=please", "~tack=thanks", "bilder=photos", "den har=this", "alla=all", "gor=make", "kan du=can you",
           "jag vill=i want", "~sedan=then", "forst=first", "innan=before", "efter=after", "utan=without",
           "mina=my", "gamla=old", "hitta=find", "farger=colours", "forstorad=enlarged", "ganger=times",
           "~med=with", "~var=where", "~visa=show", "~tre=three", "~sen=then"),
}
NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
           "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
           "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
DENOMINATORS = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
MULTIPLIERS = {"double": 2, "twice the": 2, "twice": 2, "triple": 3, "treble": 3, "three times the": 3,
               "quadruple": 4, "half the": 0.5, "half": 0.5}  # "double strength", "half the strength"


def _fractions() -> dict[str, float]:
    """Every fraction said in words, "a fifth" to "nine tenths", hyphenated or not: one parser for all of them."""
    out = {"half": 0.5}
    for word, d in DENOMINATORS.items():
        for n in range(1, d):
            said = ("a", "one") if n == 1 else (next(k for k, v in NUMBERS.items() if v == n),)
            plural = word + ("s" if n > 1 else "")
            for head in said:
                for joint in (" ", "-"):
                    out[f"{head}{joint}{plural}"] = round(n / d, 2)
    return out


FRACTIONS = _fractions()
UNITS = (r"(?:times|x|px|pixels?|%|percent|per ?cent|variations?|versions?|variants?|options|takes|tries|copies|"
         r"colou?rs?|cells?|results?|outputs?)\b")
AMOUNTS = r"(?:shading|shade|shadows?|strength|intensity|opacity|weight|fidelity|tone|style|effect|restyle)"
NAMED = (r"(?:cell size|cell|cells|grid|block size|palette size|colou?rs|variations|seed|fidelity|strength|top|k|"
         r"factor|factor of|feather)")
SCALE_WORDS = r"(?:upscal\w*|enlarg\w*|scal\w*|zoom\w*|blow[ -]?up|blown up|magnif\w*|bigger|larger|resiz\w*)"


def translations(vocabularies: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    said = tuple(w for words in LANGUAGES.values() for w in words if not w.startswith("~"))
    return _table(tuple(GENERAL) + said + tuple(w for words in vocabularies for w in words if "=" in w))


@functools.cache
def _gated(language: str) -> tuple[re.Pattern, dict[str, str]]:
    """The words that show a message is partly in ``language``, and its words that are also English words."""
    entries = LANGUAGES[language]
    markers = tuple(strip_accents(e.split("=", 1)[0]) for e in entries if not e.startswith("~"))
    return _pattern(markers), _table(tuple(e[1:] for e in entries if e.startswith("~")))


@functools.cache
def _gated_words(language: str) -> re.Pattern:
    return _pattern(tuple(_gated(language)[1]))


def languages_in(text: str) -> list[str]:
    """The languages whose own words are in the (unaccented, lower-case) message."""
    return [language for language in LANGUAGES if _gated(language)[0].search(text)]


def translate_ambiguous(text: str, languages: list[str]) -> str:
    """The words of those languages that are also English ("todas as fotos", "zet 'm in pixel art met 16
    kleuren") in English; read after the unambiguous words, so that longer phrases go first."""
    for language in languages:
        _, table = _gated(language)
        if table:
            text = _gated_words(language).sub(lambda m, t=table: t[m.group(0)], text)
    return text


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
    languages = languages_in(text)
    if table:
        text = _pattern(tuple(table)).sub(lambda m: table[m.group(0)], text)
    return translate_ambiguous(text, languages)


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
    text = re.sub(rf"\b(?P<m>{'|'.join(sorted(MULTIPLIERS, key=len, reverse=True))})\s+(?P<a>strength|intensity|"
                  r"shading|fidelity|feather)\b", lambda m: f"{m['a']} {MULTIPLIERS[m['m']]:g}", text)
    text = re.sub(r"\b(doubled|twice as (?:big|large))\b", "2x upscaled", text)  # "the sprite was doubled"
    text = re.sub(r"\b(tripled|three times as (?:big|large))\b", "3x upscaled", text)
    text = re.sub(r"\b(quadrupled|four times as (?:big|large))\b", "4x upscaled", text)
    text = re.sub(r"\b(\d+)\s*(?:-\s*)?fold\b", r"\1x", text)  # "enlarged 4 fold"
    text = re.sub(r"\b(half|quarter|third|full)-(?=[a-z])", r"\1 ", text)  # "half-strength"
    text = re.sub(r"\b([a-z]+)-only\b", r"\1 only", text)  # "a lines-only sketch"
    text = re.sub(r"\b(\d+)\s+(?:versions|variants|options|alternatives|takes|renders|goes)\b",
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
    text = re.sub(rf"\b({SCALE_WORDS}(?:\s+up)?(?:\s+(?:it|them|this|that))?(?:\s+(?:was|is|of|at|by|to))*)\s+"
                  r"(\d{3,4})\s*%",
                  lambda m: f"{m[1]} {int(m[2]) / 100:g}x", text)
    text = re.sub(r"\b(\d{1,3})\s*x\s*\1\b(?P<mid>[^.;?!]{1,60}?)\b(\d{2,4})\s*x\s*\3\b", _sizes, text)
    return text


def _sizes(m: re.Match) -> str:
    """"it was 32x32 and I exported it at 512x512" says an upscale: "... (upscaled 16x)"."""
    small, big = int(m[1]), int(m[3])
    if big <= small or big % small:
        return m.group(0)
    return f"{m.group(0)} (upscaled {big // small}x)"
