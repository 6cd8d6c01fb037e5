"""The ``search_runs`` tool: past runs by what was asked and made, and/or by how the output looks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.backends import Backend
from atelier.core.cards import Card, CardImage, Row
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage
from atelier.core.registry import ArgCue, ImageRole, PlannerHints, Rule, ToolContext, ToolOutput, ToolSpec


class SearchRunsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str | None = Field(None, max_length=300, description="what you are looking for")
    k: int = Field(5, ge=1, le=50)
    min_score: float = Field(0.2, ge=-1.0, le=1.0, description="leave out weaker matches")


def run(images: dict[str, LoadedImage], args: SearchRunsArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.knowledge.embedders.descriptor import image_descriptor
    from atelier.knowledge.embedders.minilm import minilm
    from atelier.knowledge.run_index import sync
    from atelier.knowledge.store import Store
    from atelier.runs.store import RunStore

    query = (args.query or "").strip() or None
    image = images.get("image")
    if query is None and image is None:
        raise ToolError(ErrorCode.BAD_ARGUMENT, "search_runs needs a text query, an image, or both")
    store = Store(ctx.settings.home)
    with ctx.stage("sync"):
        added = sync(store, RunStore(ctx.settings.home))
    scores: dict[str, list[float]] = {}
    meta: dict[str, dict] = {}
    with ctx.stage("search"):
        if query:
            for hit in store.query("runs_text", minilm().encode([query])[0], max(args.k * 4, 20)):
                scores.setdefault(hit.id, []).append(hit.score)
                meta[hit.id] = hit.metadata
        if image is not None:
            for hit in store.query("runs_image", image_descriptor(image.pixels), max(args.k * 4, 20)):
                scores.setdefault(hit.id, []).append(hit.score)
                meta[hit.id] = hit.metadata
    ranked = sorted(((sum(v) / len(v), rid) for rid, v in scores.items()), reverse=True)
    runs = [{"run_id": rid, "tool": meta[rid]["tool"], "request": meta[rid]["request"], "score": round(s, 4),
             "image": meta[rid]["image"] or None} for s, rid in ranked if s >= args.min_score][: args.k]
    return ToolOutput(backend="chroma", backends={"index": "chroma", "text": "minilm", "image": "descriptor"},
                      outputs={"runs": runs, "query": query},
                      metrics={"found": len(runs), "newly_indexed": added, "indexed": store.count("runs_text")})


def present(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    runs = result["outputs"].get("runs", [])
    query = result["outputs"].get("query")
    sentence = (f"Found {len(runs)} past run{'s' if len(runs) != 1 else ''}" + (f" for “{query}”." if query else "."))
    if not runs:
        sentence = "Found no past run like that" + (f" for “{query}”." if query else ".")
    images = [CardImage(r["image"], (r.get("request") or r["tool"].replace("_", " "))[:60], "thumbnail", r["run_id"])
              for r in runs if r.get("image")]
    rows = [Row(r.get("request") or r["tool"].replace("_", " "),
                f"{r['tool'].replace('_', ' ')}, match {r['score']:.2f}") for r in runs]
    return Card("Past runs", sentence, rows, images)


PAST = (r"\b(past|previous|earlier|older|recent|last (?:week|time|month|night)|yesterday|before|history|"
        r"old (?:runs|results|sketches|edits|work|pictures|images))\b|"
        r"\bi(?:'ve| have)? (?:ever |already )?(?:made|fixed|did|done|created|sketched|styled|stylised|stylized|ran|"
        r"generated)\b|"
        r"\bmy (?:[\w-]+ ){0,3}(?:runs|results|sketches|creations|outputs|edits|drawings|sprites|fixes|renders|"
        r"stylis\w+|styliz\w+|work)\b")
LOOKUP = (r"\b(show|find|list|search|get|display|where|look up|bring up|pull up|dig up|see|view|what|which)\b")
EVER = (r"\b(?:did|have) (?:i|we) (?:ever |already )?(?:make|made|do|done|create|created|try|tried|run|ran|use|used|"
        r"sketch|sketched|styli[sz]e|styli[sz]ed|restyle|restyled)\b")
HINTS = PlannerHints(rules=(Rule(10, all=(PAST, LOOKUP), none=(r"\b(this|these|attached|here|it)\b",)),
                            Rule(10, all=(EVER,)),
                            Rule(10, all=(r"^(?:(?:all|show|find|list)\s+)?(?:of\s+)?my (?:past|previous|old|older|"
                                          r"earlier|"
                                          r"recent|last) (?:\w+ )?(?:sketches|results|runs|edits|restyles|work|images|"
                                          r"pictures|photos|fixes|drawings)\b",)),
                            # "can you dig them up?", "have I already worked on this photo before?"
                            Rule(10, all=(r"\bdig (?:them|it|those|these) up\b|\b(?:have|did) (?:i|we) (?:already |"
                                          r"ever )?(?:worked on|work on|edited|edit|used|use|run|ran)\b.*\bbefore\b",)),
                            Rule(10, all=(r"\b(?:every|all|any|the) runs? (?:where|that|with|in which)\b|"
                                          r"\bruns? (?:where|in which) i (?:used|uploaded|attached)\b",))),
                     args=(ArgCue(("k",), r"\b(?:last|latest|top|first)\s+(\d+)\b|"
                                          r"\b(\d+)\s+(?:of\s+)?(?:my\s+)?(?:\w+\s+)?(?:runs|results)\b",
                                  "int"),),
                     text_arg=("query", "query"), vocabulary=("show", "find", "previous", "past", "history", "search"))
EXAMPLES = ("show my cyberpunk sketches", "find my past runs", "what did I make yesterday",
            "show me my previous results", "find the sprites I fixed before", "list my old sketches",
            "search my history for watercolor", "where is the image I stylised last week")

SPEC = ToolSpec(
    name="search_runs", summary="Find past runs by text and/or image.",
    description='Find past runs by text and/or image ("show my cyberpunk sketches").', args_model=SearchRunsArgs,
    images=(ImageRole("image", required=False, min_size=8, description="find runs whose output looks like this",
                      max_pixels=4_000_000, downscale=True),),
    run=run, present=present, produces_image=False,
    backends=(Backend("index", "chroma", "Chroma with MiniLM text and descriptor image vectors"),),
    examples=EXAMPLES, hints=HINTS, version="1.0",
)
