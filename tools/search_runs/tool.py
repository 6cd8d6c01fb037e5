"""The ``search_runs`` tool: past runs by what was asked and made, and/or by how the output looks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.images import LoadedImage
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec


class SearchRunsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str | None = Field(None, max_length=300, description="what you are looking for")
    k: int = Field(5, ge=1, le=50)
    min_score: float = Field(0.2, ge=-1.0, le=1.0, description="leave out weaker matches")


def _backends(settings: Settings) -> list[BackendStatus]:
    return [BackendStatus("search_runs", "index", "chroma", True, True, str(settings.home / "store"),
                          "Chroma with MiniLM text and descriptor image vectors")]


def run(images: dict[str, LoadedImage], args: SearchRunsArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.knowledge.embedders.descriptor import image_descriptor
    from atelier.knowledge.embedders.minilm import minilm
    from atelier.knowledge.run_index import sync
    from atelier.knowledge.runs import RunStore
    from atelier.knowledge.store import Store

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


SPEC = ToolSpec(
    name="search_runs", summary="Find past runs by text and/or image.", args_model=SearchRunsArgs,
    images=(ImageRole("image", required=False, min_size=8, description="find runs whose output looks like this"),),
    run=run, backends=_backends, produces_image=False, version="1.0",
)
