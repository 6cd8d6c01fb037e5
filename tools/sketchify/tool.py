"""The ``sketchify`` tool: validate, call the pipeline, measure, report the backend."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from atelier.core.backends import choose
from atelier.core.cards import Card, CardImage, Row, number, percent
from atelier.core.images import LoadedImage
from atelier.core.registry import ArgCue, Command, ImageRole, PlannerHints, Rule, ToolContext, ToolOutput, ToolSpec

from .backends import BACKENDS, shading_backend

LINE_BACKENDS = {"dodge": "colour-dodge", "xdog": "xdog"}


class SketchifyArgs(BaseModel):
    """Arguments of ``sketchify``. ``ai_strength`` is accepted as an alias of ``shading``."""

    model_config = ConfigDict(extra="forbid")

    shading: float = Field(0.35, ge=0.0, le=1.0,
                           description="how much of the photo's tone is drawn: 0 = lines only, 1 = full tone; "
                                       "more is never lighter (alias: ai_strength)")
    medium: Literal["graphite", "charcoal", "ink"] = Field(
        "graphite", description="graphite pencil, charcoal (soft, wide, smudged) or ink (pen hatching, no grey)")
    grain: float | None = Field(None, ge=0.0, le=1.0,
                                description="graphite grain inside strokes (0 = none; default: the medium's)")
    lines: Literal["auto", "dodge", "xdog"] = Field(
        "auto", description="line method: colour dodge or XDoG; auto = the medium's (ink uses XDoG)")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="stroke and grain seed: same image + seed = same pixels")
    backend: Literal["auto", "classical", "learned"] = Field(
        "auto", description="tone backend; auto = config `backends.sketch_shading` (default classical)")

    @model_validator(mode="before")
    @classmethod
    def _alias_ai_strength(cls, data: Any) -> Any:
        """Accept the old name ``ai_strength`` for ``shading``; ``shading`` wins when both are given."""
        if isinstance(data, dict) and "ai_strength" in data:
            data = dict(data)
            legacy = data.pop("ai_strength")
            data.setdefault("shading", legacy)
        return data


def run(images: dict[str, LoadedImage], args: SketchifyArgs, ctx: ToolContext) -> ToolOutput:
    from .lines import to_gray
    from .media import MEDIA, stroke_spacing
    from .metrics import sketch_metrics
    from .pipeline import SketchParams, sketch

    photo = images["image"]
    name = choose(BACKENDS, "shading", args.backend, ctx.settings, tool="sketchify").name
    tone_backend = None
    if args.shading > 0:
        with ctx.stage("load_backend"):
            tone_backend = shading_backend(name, ctx.settings)
    ctx.progress(0.1, "drawing")
    medium = MEDIA[args.medium]
    lines = medium.lines if args.lines == "auto" else args.lines
    params = SketchParams(shading=args.shading, medium=args.medium, grain=args.grain, seed=args.seed, lines=lines)
    result = sketch(photo.pixels, tone_backend, params, stage=ctx.stage)
    ctx.progress(0.8, "measuring")
    with ctx.stage("metrics"):
        metrics = sketch_metrics(result, to_gray(photo.pixels))
    metrics["seconds"] = round(sum(v for k, v in ctx.timings.items() if k != "load"), 4)
    return ToolOutput(
        backend=name if tone_backend is not None else "lines-only",
        backends={"lines": LINE_BACKENDS[lines], "shading": name if tone_backend is not None else "none"},
        outputs={"width": photo.width, "height": photo.height, "shading": args.shading, "medium": args.medium,
                 "lines": lines, "seed": args.seed,
                 "stroke_spacing": round(stroke_spacing(medium, photo.height, photo.width), 2)},
        images={"image": result},
        metrics=metrics,
    )


def present(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out, m = result["outputs"], result["metrics"]
    shading = out.get("shading", out.get("ai_strength"))
    medium = out.get("medium", "graphite")
    rows = [Row("Shading", percent(shading)), Row("Medium", medium), Row("Shading backend", result["backend"]),
            Row("Size", f"{out.get('width')} × {out.get('height')} px"), Row("Seed", str(out.get("seed")))]
    labels = {"tone_fidelity": "Tone kept", "dark_coverage": "Darks drawn", "background_purity": "Clean paper",
              "tonal_range": "Tonal range", "edge_fidelity": "Edges kept"}
    rows += [Row(label, number(m[key])) for key, label in labels.items() if m.get(key) is not None]
    images = [CardImage(inputs["image"], "before", "before")] if inputs.get("image") else []
    images.append(CardImage(result["artifacts"]["image"], "pencil sketch"))
    return Card("Pencil sketch", f"Drew the photo in {medium} with {percent(shading)} shading.", rows, images)


def describe_run(record: dict[str, Any]) -> str:
    return "pencil sketch drawing graphite"


EXAMPLES = (
    "make it a pencil sketch", "turn this photo into a pencil drawing", "sketch this", "draw it in pencil",
    "convert to a sketch", "give me a line drawing of this photo", "pencil sketch please",
    "make a drawing out of this picture", "I want this as a hand drawn sketch", "turn the picture into graphite art",
    "sketchify this image", "can you make it look sketched", "render this as a pencil portrait",
    "do a sketch of the photo with more shading", "draw this photo",
)
SKETCH_WORDS = r"\b(sketch\w*|pencil\w*|graphite|drawing|draw|hand[- ]drawn)\b"
HINTS = PlannerHints(
    rules=(
        Rule(60, all=(r"^(?:please |can you |could you )?(?:sketch|draw|pencil)\b|"
                      r"\b(?:into|as) an? (?:pencil |graphite )?(?:sketch|drawing)\b|"
                      r"\bmake (?:it|this|that|them) (?:into )?an? (?:pencil |graphite )?(?:sketch|drawing)\b",)),
        Rule(62, all=(r"\b(charcoal|ink|pen)\s+(sketch\w*|drawing|draw)\b|"  # a medium, not a style
                      r"\b(sketch\w*|drawing|draw)\b.{0,12}\b(?:in|with|using) (charcoal|ink|pen|graphite)\b|"
                      r"\b(?:make|turn|render|do) (?:it|this|that) (?:in |into )?(?:ink|charcoal|graphite|pencil)\b",)),
        Rule(61, all=(r"\bshading\b",)),  # shading is the sketch's own argument
        Rule(80, all=(SKETCH_WORDS,)),
    ),
    args=(
        # a share said next to "shading" wins over one said next to another word ("lines 70 %, shading 30 %")
        ArgCue(("shading",), r"(\d+(?:\.\d+)?\s*%|0?\.\d+|\b[01](?:\.0+)?(?=\s+shad))\s*(?:of\s+)?(?:the\s+)?"
                             r"(?:ai\s+|learned\s+)?"
                             r"shad\w*", "fraction"),
        ArgCue(("shading",), r"\bshad\w*\s*(?:at|of|to|is|=|:|around|about)?\s*(?:about\s+|around\s+)?"
                             r"(\d+(?:\.\d+)?\s*%|0?\.\d+|[01](?![\d.]))", "fraction"),
        ArgCue(("shading",), r"(\d+(?:\.\d+)?)\s*%\s*(?:of\s+)?(?:the\s+)?lines?\b(?!.*\bshad)", "complement"),
        ArgCue(("shading",),
               r"(\d+(?:\.\d+)?\s*%|0?\.\d+)\s*(?:of\s+)?(?:ai\s+|learned\s+)?(?:shading|strength|shade|ai)?",
               "fraction", when=r"shad|strength|\bai\b|%"),
        ArgCue(("shading",), r"\b(no|without)\s+(?:any\s+)?shading\b|\bjust (the )?lines\b|\blines only\b|"
                             r"\bonly lines\b", "value", 0.0),
        ArgCue(("shading",), r"\b(more|heavy|heavier|lots of|strong|stronger|dark|darker|deep|dense|denser)\s+shad",
               "value", 0.85),
        ArgCue(("shading",), r"\b(less|light|lighter|subtle|little|soft|softer)\s+shad", "value", 0.2),
        ArgCue(("shading",), r"\bshad\w*\s+(?:soft|light|subtle|gentle)\b", "value", 0.2),  # "sombreado suave"
        ArgCue(("shading",), r"\bshad\w*\s+(?:strong|heavy|dark|deep|dense)\b", "value", 0.85),
        ArgCue(("shading",), r"\b(darker|heavier|denser|moodier)\b", "value", 0.85),
        ArgCue(("shading",), r"\b(cleaner|clean lines|lighter|airier)\b", "value", 0.15),
        ArgCue(("shading",), r"\btwo[- ]thirds?\b", "value", 0.67, when="shad"),
        ArgCue(("shading",), r"\b(half|50/50)\b", "value", 0.5, when="shad"),
        ArgCue(("grain",), r"\b(no|without)\s+grain\b|\bsmooth\b", "value", 0.0),
        ArgCue(("medium",), r"\bcharcoal\b", "value", "charcoal"),
        ArgCue(("medium",), r"\b(ink|pen|biro|fineliner)\b", "value", "ink"),
    ),
    vocabulary=("sketch", "sketches", "sketching", "pencil", "drawing", "draw", "graphite", "shading",
                # other languages' words for these (the planner translates them before reading)
                "boceto=sketch", "bosquejo=sketch", "esbozo=sketch", "dibujo=drawing", "dibujar=draw",
                "croquis=sketch", "esquisse=sketch", "dessin=drawing", "dessiner=draw", "skizze=sketch",
                "zeichnung=drawing", "zeichnen=draw", "schizzo=sketch", "disegno=drawing", "disegnare=draw",
                "bozzetto=sketch", "au crayon=in pencil", "au fusain=in charcoal", "bleistiftzeichnung=pencil drawing",
                "kohlezeichnung=charcoal drawing", "tuschezeichnung=ink drawing",
                "a lapiz=in pencil", "lapiz=pencil", "bleistift=pencil",
                "mit bleistift=in pencil", "a matita=in pencil", "matita=pencil", "sombreado=shading",
                "sombras=shading", "ombres=shading", "ombrage=shading", "schattierung=shading", "schatten=shading",
                "ombreggiatura=shading", "fusain=charcoal", "carboncillo=charcoal", "kohle=charcoal",
                "carboncino=charcoal", "tinta=ink", "encre=ink", "tinte=ink", "suave=soft", "doux=soft",
                "douce=soft", "weich=soft", "morbido=soft", "ligero=light", "leger=light", "leicht=light",
                "leggero=light", "fuerte=strong", "forte=strong", "stark=strong", "oscuro=dark", "fonce=dark",
                "dunkel=dark", "scuro=dark", "esboco=sketch", "desenho=drawing", "desenhar=draw",
                "a lapis=in pencil", "lapis=pencil", "schets=sketch", "tekening=drawing", "tekenen=draw",
                "potlood=pencil", "szkic=sketch", "rysunek=drawing", "narysuj=draw", "olowek=pencil",
                "olowkiem=in pencil", "eskiz=sketch", "karakalem=pencil sketch", "cizim=drawing", "ciz=draw",
                "kalem=pencil", "skiss=sketch", "teckning=drawing", "teckna=draw", "blyerts=pencil",
                "szkicu=sketch", "schizzi=sketches", "bocetos=sketches", "skizzen=sketches"),
)

SPEC = ToolSpec(
    name="sketchify",
    summary="Photo -> pencil drawing with real tone: hatching along the form (cross-hatched in the darks), "
            "colour-dodge or XDoG lines, white paper where the photo is light.",
    description="Turn a photo into a pencil drawing (lines plus hatched tone; graphite, charcoal or ink).",
    args_model=SketchifyArgs,
    images=(ImageRole("image", min_size=16, description="the photo to sketch", max_pixels=12_000_000,
                      downscale=True),),
    run=run,
    present=present,
    backends=BACKENDS,
    examples=EXAMPLES,
    hints=HINTS,
    describe_run=describe_run,
    controls=("shading", "seed"),
    defaults=("shading",),
    commands=(Command("models", "train-shading", "atelier.tools.sketchify.commands:train_shading"),
              Command("models", "check-dataset", "atelier.tools.sketchify.commands:check_dataset",
                      "check photo/sketch training pairs; exit 2 when any pair is bad")),
    version="1.0",
)
