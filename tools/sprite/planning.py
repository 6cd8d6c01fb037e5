"""What the planners and the chat know about ``reconstruct_sprite``: phrasings, keyword rules, argument cues, card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atelier.core.cards import Adjust, Card, CardImage, Row, Table, number
from atelier.core.config import Settings
from atelier.core.registry import ArgCue, PlannerHints, Rule

PUNK = r"\b(crypto)?punks?\b"
NOT_STYLE_PUNK = r"\b(cyber|steam)punk"
EXAMPLES = (
    "fix the pixels", "recover the pixel grid", "this pixel art was upscaled, clean it up",
    "find the true resolution of this sprite", "downscale this pixel art to its real size",
    "what is the cell size of this sprite", "clean up this blurry pixel art", "reconstruct the sprite",
    "the AI made pixel art is messy, fix the grid", "get me the low res sprite", "unscale this sprite",
)
NUMBER = r"(\d+(?:\.\d+)?)"
HINTS = PlannerHints(
    rules=(
        Rule(50, all=(r"\b(pixel[- ]?art|sprites?|pixels|pixel grid|cell size|true (?:size|resolution)|"
                      r"native (?:size|resolution)|real (?:size|resolution)|pixel size)\b|"
                      r"\b(?:reconstruct|recover|rebuild|fix|clean)\w*\b.{0,15}\bpixels?\b|"
                      r"\bpixels?\s+(?:fix|clean\w*|repair)\b",),
             none=(r"\b(look|style|like|into|as)\b.*\bpixel[- ]?art\b|\bpixel[- ]?art (look|style)\b",)),
        Rule(50, all=(r"\b(upscaled|enlarged|blown up|scaled up|resized|blurry|blurred|fix the (?:pixels|grid)|"
                      r"downscale|jpe?g|pixel grid|pixels)\b",),
             none=(r"\b(trait|attribute|describ|caption|accessor|wear|type|feature|what|tell|list|zombie|alien|ape|"
                   r"human|male|female|look like|detail)\w*",),
             request_all=(PUNK,), request_none=(NOT_STYLE_PUNK,)),
        # a named retro palette ("snap it to the pico-8 palette", "use the NES palette") is the sprite's
        Rule(43, all=(r"\b(?:pico[- ]?8|nes|game[- ]?boy|endesga[- ]?32)\b.{0,12}\bpalette\b|"
                      r"\bpalette\b.{0,6}\b(?:pico[- ]?8|nes|game[- ]?boy|endesga[- ]?32)\b",)),
        # "grid cells are 6 px", "horizontal cells are 5 px": the grid of upscaled art, measured
        Rule(44, all=(r"\b(?:grid )?cells?\b[^.;]{0,20}?\b\d+(?:\.\d+)?\s*(?:px|pixels?)\b",)),
        # every pixel became an N x N block: the pixel grid of upscaled art
        Rule(44, all=(r"\bpixels?\b.*\b(\d+)\s*x\s*\1\b|\b(\d+)\s*x\s*\2\s*(?:px\s*)?(?:blocks?|squares?|cells?)\b",)),
        # a palette said for a sprite ("... and reduce it to 16 colours") is the sprite's, not a style's
        Rule(50, all=(r"\b\d+\s*colou?rs?\b|\bpalette\b",), request_all=(r"\b(pixel[- ]?art|sprites?|pixels)\b",),
             none=(r"\b(like|style|look)\b",)),
    ),
    args=(
        # a stretched sprite: a different scale across and down
        ArgCue(("cell_size_x",), rf"\b{NUMBER}\s*(?:x|times|px)?\s*(?:(?!\d)\w+\s+){{0,3}}?"
                                 r"(?:horizontal\w*|across|wide|in x)\b",
               when=r"vertical|down|tall|\bin y\b"),
        ArgCue(("cell_size_y",), rf"\b{NUMBER}\s*(?:x|times|px)?\s*(?:(?!\d)\w+\s+){{0,3}}?(?:vertical\w*|tall|in y)\b",
               when=r"horizontal|across|wide|\bin x\b"),
        # where the grid starts: "3 px in from the left and 5 px down from the top"
        ArgCue(("offset_x",), rf"\b{NUMBER}\s*(?:px|pixels?)\s*(?:in\s+|over\s+|across\s+)?from the left\b|"
                              rf"\b{NUMBER}\s*(?:px|pixels?)\s*(?:to the )?right\b"),
        ArgCue(("offset_y",), rf"\b{NUMBER}\s*(?:px|pixels?)\s*(?:down\s+)?from the top\b|"
                              rf"\b{NUMBER}\s*(?:px|pixels?)\s*down\b"),
        ArgCue(("cell_size",), rf"\b(?:cell|pixel|block|grid)s?\s*(?:size)?\s*(?:of|is|=|:|should be|must be|was|are)?"
                               rf"\s*{NUMBER}"),
        ArgCue(("cell_size",), rf"\b(?:upscaled|scaled up|blown up|enlarged|magnified|scaled)\s*(?:by\s*)?"
                               rf"(?:a factor of\s*)?{NUMBER}\s*(?:x|times)\b"),
        ArgCue(("cell_size",), rf"\b{NUMBER}\s*times\s*(?:bigger|larger|the size|upscal|enlarg|scaled|too big|"
                               rf"too large|"
                               r"as big|as large|its size|the original)"),
        ArgCue(("cell_size",), rf"\bevery\s+{NUMBER}\s+(?:\w+\s+)?pixels?\s+(?:is|are|=|make|makes|form|forms)\s+"
                               r"(?:one|1|a|a single)\b"),
        ArgCue(("cell_size",), rf"\b(?:by )?a factor of\s*{NUMBER}\b"),
        ArgCue(("cell_size",), rf"\b(?:blown|blew|blow|scaled|upscaled)\s+(?:it|them|this|that)(?:\s+up)?\s*"
                               rf"(?:by|to)?\s*{NUMBER}\s*(?:x|times)\b"),
        ArgCue(("cell_size",), rf"\b(?:upscaled?|upscaling|scale|scaling) factor\s*(?:was|is|of|=|:)?\s*{NUMBER}"),
        ArgCue(("cell_size",), rf"\b(?:at|by|to)\s*{NUMBER}\s*x\b(?!\s*\d)"),
        ArgCue(("cell_size",), rf"\b(?:grid )?cells?\s*(?:are|is|were|was)\s*"
                               rf"(?:about|around|roughly|approximately|~)?\s*{NUMBER}"),
        ArgCue(("cell_size",), rf"\b{NUMBER}\s*(?:px|pixel)\s*(?:cells?|blocks?|grid)\b"),
        ArgCue(("cell_size",), rf"\b(?:upscaled|scaled|blown up|enlarged)\s*(?:by|to)?\s*(?:x\s*)?{NUMBER}\s*x?\b"),
        ArgCue(("cell_size",), rf"\b{NUMBER}\s*x\s*(?:upscale|upscaled|scale|enlarg|too big|too large|bigger|larger)"),
        ArgCue(("cell_size",), rf"\b{NUMBER}\s*(?:px|pixels?)\s*(?:wide|across|big|large|in size)\b"),
        ArgCue(("offset_x", "offset_y"), rf"\boffsets?\s*(?:of|=|:)?\s*\(?{NUMBER}\s*[, ]\s*{NUMBER}"),
        # "the first whole cell starts at x=3, y=0", "offset x 2 and y 3", "offset 1 px horizontally and 0 vertically"
        ArgCue(("offset_x",), rf"\bx\s*(?:=|:)?\s*{NUMBER}(?!\s*(?:x|px)?\s*\d)|"
                              rf"\b{NUMBER}\s*(?:px|pixels?)?\s*(?:horizontal(?:ly)?|across|in x)\b",
               when=r"\b(?:offset|starts?|begins?|shifted)\b"),
        ArgCue(("offset_y",), rf"\by\s*(?:=|:)?\s*{NUMBER}(?!\s*\d)|"
                              rf"\b{NUMBER}\s*(?:px|pixels?)?\s*(?:vertical(?:ly)?|down|in y)\b",
               when=r"\b(?:offset|starts?|begins?|shifted)\b"),
        # "horizontal cells are 5 px, vertical are 4 px"
        ArgCue(("cell_size_x",), rf"\b(?:horizontal\w*|across|x)\s+(?:cells?\s+)?(?:are|is|=|:)\s*{NUMBER}",
               when=r"\bcells?\b"),
        ArgCue(("cell_size_y",), rf"\b(?:vertical\w*|down|y)\s+(?:cells?\s+|ones\s+)?(?:are|is|=|:)\s*{NUMBER}",
               when=r"\bcells?\b"),
        # "each pixel in this art is 12 screen pixels wide"
        ArgCue(("cell_size",), rf"\bpixels?\b[^.;]{{0,25}}\b(?:is|are)\s+{NUMBER}\s*(?:\w+\s+)?pixels?\s+"
                               r"(?:wide|across|big|tall)"),
        ArgCue(("offset_x",), rf"\b(?:x\s*offset|offset\s*x|horizontal offset)\s*(?:of|=|:)?\s*{NUMBER}"),
        ArgCue(("offset_y",), rf"\b(?:y\s*offset|offset\s*y|vertical offset)\s*(?:of|=|:)?\s*{NUMBER}"),
        ArgCue(("palette_size",), r"\b(\d+)[\s-]*colou?rs?\b", "int", minimum=2),
        *(ArgCue(("palette",), rf"\b{pattern}\b", "value", name) for pattern, name in (
            (r"pico[- ]?8", "pico-8"), (r"nes", "nes"), (r"game[- ]?boy|gb|dmg", "game-boy"),
            (r"endesga[- ]?32", "endesga-32"))),
        ArgCue(("cell_size",),
               r"\b(\d+)\s*x\s*(\d+)\s*(?:px\s*|pixels?\s*)?(?:blocks?|squares?|cells?|tiles?|chunks?)\b"),
        ArgCue(("cell_size",), rf"\b(?:scaled|upscaled|blown|blew|enlarged|magnified)\s+(?:it|them|this|"
                               rf"that)\s+(?:up\s+)?"
                               rf"(?:by|to)\s+(?:a factor of\s+)?{NUMBER}\b"),
        ArgCue(("cell_size",), rf"\b(?:blew|blown|blow|blowing|scaled|sized|sizing)\s+(?:it\s+|them\s+)?up\s+(?:by\s+)?"
                               rf"(?:about\s+|around\s+)?{NUMBER}\s*(?:x|times)\b"),
        ArgCue(("cell_size",), rf"\b(?:upscal\w*|scal\w*|enlarg\w*|blown up|magnif\w*)\s+(?:was|is|of|at|by|to)\s+"
                               rf"(?:about\s+|around\s+)?{NUMBER}\s*x\b"),
        ArgCue(("cell_size",), r"\bpixels?\s+(?:is|are|became|become|turned into|"
                               r"now)\s+(?:now\s+)?(?:an?\s+)?(\d+)\s*x\s*\d+"),
        ArgCue(("top_k",), r"\btop\s*(\d+)\b|\b(\d+)\s+(?:best\s+)?(?:candidates|guesses|grid options)\b", "int"),
    ),
    vocabulary=("pixel", "pixels", "sprite", "sprites", "fix", "clean", "recover", "reconstruct", "upscaled", "blurry",
                # other languages' words (the planner translates them before reading)
                "ricostruisci=reconstruct", "ricostruire=reconstruct", "reconstruye=reconstruct",
                "reconstruir=reconstruct", "reconstruis=reconstruct", "reconstruire=reconstruct",
                "rekonstruiere=reconstruct", "sfocato=blurry", "sfocata=blurry", "borroso=blurry", "borrosa=blurry",
                "flou=blurry", "floue=blurry", "unscharf=blurry", "pixeles=pixels", "pixeln=pixels"),
)


def present(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out, art = result["outputs"], result["artifacts"]
    cx, cy = out.get("cell_size_x", out.get("cell_size")), out.get("cell_size_y", out.get("cell_size"))
    cell = number(cx) if cx == cy else f"{number(cx)} × {number(cy)}"
    sentence = (f"The art is {out.get('width')} × {out.get('height')} pixels drawn with {cell} px cells; "
                f"{number(out.get('diff_percent'), 2)} % of the pixels differ from the clean sprite.")
    offset = f"{number(out.get('offset_x'))}, {number(out.get('offset_y'))}"
    rows = [Row("Cell size", f"{cell} px"), Row("Offset", offset),
            Row("Sprite", f"{out.get('width')} × {out.get('height')} px, {out.get('colours')} colours"),
            Row("Confidence", number(out.get("confidence"), 2))]
    candidates = tuple((number(c.get("cell_size")), f"{number(c.get('offset_x'))}, {number(c.get('offset_y'))}",
                        number(c.get("score"), 3)) for c in out.get("candidates", [])[:5])
    tables = [Table("Grid candidates", ("cell", "offset", "score"), candidates)] if candidates else []
    images = [CardImage(inputs["image"], "original", "before")] if inputs.get("image") else []
    images += [CardImage(art[name], caption, kind) for name, caption, kind in
               (("overlay", "differences", "overlay"), ("image", "clean sprite", "result")) if art.get(name)]
    adjust = [Adjust(label, key, _regrid(out, factor)) for label, key, factor in (("½ cell", "half", 0.5),
                                                                                 ("×2 cell", "double", 2.0))]
    for rank, cand in enumerate(out.get("candidates", [])[1:4], start=2):  # the other suggestions, one click each
        if cand.get("cell_size"):
            adjust.append(Adjust(f"suggestion {rank}: {number(cand['cell_size'])} px", f"cand{rank}",
                                 {"cell_size": float(cand["cell_size"]),
                                  "offset_x": float(cand.get("offset_x") or 0) % float(cand["cell_size"]),
                                  "offset_y": float(cand.get("offset_y") or 0) % float(cand["cell_size"])}))
    return Card("Sprite", sentence, rows, images, tables, adjust=adjust)


def _regrid(out: dict[str, Any], factor: float) -> dict[str, float]:
    """The grid with its cell scaled by ``factor``, offsets kept inside the first cell."""
    cell = float(out.get("cell_size") or 1.0) * factor
    return {"cell_size": cell, "offset_x": float(out.get("offset_x") or 0) % cell,
            "offset_y": float(out.get("offset_y") or 0) % cell}


def feedback(result: dict[str, Any], original: str, verdict: str, note: str, settings: Settings) -> None:
    """A "looks correct / incorrect" verdict on a recovered grid, appended to the sprite feedback log."""
    from atelier.core.images import sha256_bytes

    from .feedback import append_feedback

    out = result["outputs"]
    overridden = {f"override_{k}": v for k, v in out.get("overridden", {}).items()
                  if k in ("cell_size", "offset_x", "offset_y")}
    append_feedback(settings.home / "sprite_feedback.csv", {
        "run_id": result.get("run_id"), "verdict": verdict, "note": note,
        "input_sha256": sha256_bytes(Path(original).read_bytes()),
        **{k: out.get(k) for k in ("cell_size", "cell_size_x", "cell_size_y", "offset_x", "offset_y", "diff_percent",
                                   "confidence")}, **overridden})


def describe_run(record: dict[str, Any]) -> str:
    return f"pixel art sprite cell size {(record.get('outputs') or {}).get('cell_size')}"
