"""What the planners and the chat know about the style tools: phrasings, keyword rules, argument cues, cards."""

from __future__ import annotations

from typing import Any

from atelier.core.cards import Card, CardImage, Row, Table, number
from atelier.core.registry import ArgCue, PlannerHints, Rule

LOOKUP = r"\b(find|show|suggest|recommend|(?<!, )which|what|look up|search|list|browse|references?)\b"
TRANSFORM = (r"\b(make|turn|give|apply|restyle|paint|render|convert|transform|style it|style this|redo|change|"
             r"do it|do this|draw|match|copy|transfer|(?:would|could|might|will) look|"
             r"colou?r(?:ed|ise|ize|ised|ized)? (?:it|this|that|them|like|in|as))\b")
VOCABULARY = ("style", "styles", "reference", "cyberpunk", "watercolor", "watercolour", "steampunk", "vaporwave",
              "synthwave", "anime", "painting", "vintage", "sepia", "comic", "gothic", "graffiti", "cubism",
              "pointillism", "impressionism", "colours", "colors", "look", "artwork", "vibe", "mood", "palette",
              "poster", "brushwork", "aesthetic",
              # other languages' words (the planner translates them before reading)
              "acuarela=watercolor", "aquarelle=watercolor", "aquarell=watercolor", "acquerello=watercolor",
              "pintura al oleo=oil painting", "peinture a l'huile=oil painting", "olgemalde=oil painting",
              "pittura a olio=oil painting", "estilo de=style of", "style de=style of", "im stil von=in the style of",
              "nello stile di=in the style of", "al estilo de=in the style of", "colores=colours",
              "couleurs=colours", "farben=colours", "colori=colours", "aquarela=watercolor",
              "waterverf=watercolor", "akwarela=watercolor", "suluboya=watercolor", "akvarell=watercolor",
              "pintura a oleo=oil painting", "olieverf=oil painting", "obraz olejny=oil painting",
              "yagli boya=oil painting", "oljemalning=oil painting", "cores=colours", "kolory=colours",
              "renkler=colours", "farger=colours", "styl=style",
              "no estilo de=in the style of", "in de stijl van=in the style of", "w stylu=in the style of",
              "tarzinda=in the style of", "i stil med=in the style of")

RETRIEVE_EXAMPLES = (
    "find me a cyberpunk style reference", "which style matches a neon rainy city",
    "show me style references for watercolor", "suggest a style for a spooky castle",
    "what style would fit a sunny beach", "look up styles like art deco",
)
RETRIEVE_HINTS = PlannerHints(rules=(Rule(70, all=(LOOKUP,), none=(TRANSFORM,), style=True),
                                     # "give me 5 style matches for art deco": references asked for, none applied
                                     Rule(69, all=(r"\b(?:give|get|send|show|find|list|pull up|bring up)\b.*\b(?:"
                                                   r"references|refs|matches|suggestions|options|ideas)\b",),
                                          none=(r"\b(?:apply|make (?:it|this|them)|turn (?:it|this)|restyle|"
                                                r"styli[sz]e)\b",)),
                                     Rule(70, all=(r"^(?:any |some |more )?(?:styles?|references?|looks?) (?:like|"
                                                   r"similar to|"
                                                   r"close to|for)\b",), none=(TRANSFORM,))),
                              args=(ArgCue(("k",), r"\btop\s+(\d+)\b|\b(\d+)\s+(?:\w+\s+)?(?:matches|references|refs|"
                                                   r"styles|suggestions|options|results)\b", "int"),),
                              text_arg=("query", "style"), vocabulary=VOCABULARY)
STYLIZE_EXAMPLES = (
    "make it cyberpunk", "make this sketch look like a watercolor", "restyle it as an oil painting",
    "apply an anime style", "give it a steampunk look", "in the style of the second image",
    "make it look like the second picture", "transfer the style of the reference", "turn it into pop art",
    "give this a vaporwave vibe", "make it look vintage", "paint it like ukiyo-e",
    "make 16-colour pixel art of it", "turn this photo into pixel art",
)
# "make 16-colour pixel art of it" asks for the pixel-art style of a picture; fixing an upscaled sprite's grid
# is the sprite tool's (its rules come at 50, so this one must come first and stand back for repair words)
MAKE_PIXEL_ART = Rule(
    45, all=(r"\b(make|turn|render|convert|draw|paint|redo|restyle|create|give)\b.*\bpixel[- ]?art\b",),
    none=(r"\b(upscaled|enlarged|blown up|scaled up|resized|blurry|blurred|fix|clean|recover|grid|cell|true|"
          r"native|real|downscale|reconstruct|unscale|jpe?g|messy)\w*",))
STYLIZE_HINTS = PlannerHints(
    rules=(MAKE_PIXEL_ART, Rule(19, all=(r"\badd (?:a|an|some) (?:[\w-]+ ){0,2}(?:look|style|vibe|feel|effect|filter|"
                                         r"touch|aesthetic|tone|mood|twist|flair|finish|palette)\b",),
                                style=True),  # before the "add a …" edits
           Rule(75, style=True),
           Rule(74, all=(r"\b(?:same|similar) (?:palette|style|look|colou?rs|vibe|feel|mood|aesthetic) (?:as|like)\b|"
                         r"\b(?:in|with) (?:that|this|the same) (?:style|look|vibe|aesthetic)\b|"
                         r"\b(?:take|borrow|use|steal|copy) the (?:look|style|vibe|mood|palette|feel|colou?rs) "
                         r"of\b|\b(?:take|borrow|use|steal|copy) (?:the |my |her |his )?[\w-]+'s (?:look|style|vibe|"
                         r"mood|palette|feel|colou?rs)\b|"
                         r"\b(?:vibe|look|style|mood|aesthetic|palette|inspiration) (?:is|=|:) (?:the )?"
                         r"(?:first|second|"
                         r"third|last|other)\b|\b(?:first|second|third|last|\d)(?: one| image| photo| picture| pic)? "
                         r"(?:is|=|:) (?:the |my )?(?:vibe|look|style|mood|aesthetic|palette|reference|ref|"
                         r"inspiration)\b|"
                         r"\b(?:the )?(?:style )?(?:reference|ref) is (?:the )?(?:first|second|third|last|other)\b",)),
           Rule(75, all=(r"\b(restyle|styli[sz]e|style transfer|in the style|style of|styled like|look like the|"
                         r"looks? like (?:the )?(?:first|second|third|last|other))\b",)),
           Rule(90, all=(TRANSFORM, r"\b(like|look|style|vibe|feel|aesthetic|as if|palette|colou?rs|mood|atmosphere|"
                                    r"manner|spirit)\b"),
                none=(r"\b(better|sharper|clearer|cleaner|nicer)\b",))),
    args=(ArgCue(("strength",), r"(\d+(?:\.\d+)?\s*%|0?\.\d+)\s*(?:style\s*)?(?:strength|intensity|stylis|styliz)?",
                 "fraction", when=r"strength|intensity|%|stylis|styliz"),
          ArgCue(("palette_size",), r"\b(\d+)[- ](?:\w+[- ])?colou?rs?\b", "int", minimum=2),),
    ref_from="retrieve_style",
    vocabulary=VOCABULARY,
)


def present_retrieval(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out = result["outputs"]
    chosen = out.get("chosen") or {}
    matches = out.get("matches", [])
    sentence = f"Closest style: {chosen.get('name')} (score {number(chosen.get('score'), 2)})."
    if result.get("warnings"):
        sentence += " " + " ".join(result["warnings"])
    misses = tuple((m["name"], number(m["score"], 2)) for m in matches[1:])
    tables = [Table("Near misses", ("style", "score"), misses)] if misses else []
    images = [CardImage(result["artifacts"]["image"], f"{chosen.get('name')} reference", "reference")]
    return Card("Style reference", sentence, [Row("Matched by", result["backend"])], images, tables)


def present_stylized(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out, m = result["outputs"], result["metrics"]
    style = out.get("style") or "the reference's style"
    rows = [Row("Renderer", str(out.get("family") or out.get("mode"))), Row("Backend", result["backend"])]
    if m.get("structure_f1") is not None:
        rows.append(Row("Structure kept", number(m["structure_f1"], 2)))
    if m.get("style_distance_after") is not None:
        rows.append(Row("Distance to the style", f"{number(m.get('style_distance_before'), 2)} → "
                                                   f"{number(m['style_distance_after'], 2)}"))
    images = [CardImage(inputs["image"], "before", "before")] if inputs.get("image") else []
    if inputs.get("ref"):
        images.append(CardImage(inputs["ref"], "style reference", "reference"))
    images.append(CardImage(result["artifacts"]["image"], f"in {style}"))
    images += [CardImage(path, name.replace("_", " "), "variation")
               for name, path in sorted(result["artifacts"].items()) if name.startswith("variation_")]
    return Card("Restyled", f"Restyled the image in {style}, keeping its structure.", rows, images)


def describe_stylized(record: dict[str, Any]) -> str:
    style = (record.get("outputs") or {}).get("style")
    return "stylised restyled image" + (f" style {style}" if style else "")
