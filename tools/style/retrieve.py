"""The ``retrieve_style`` tool: top-k style references for a text and/or image query."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from atelier.tools.core.config import Settings
from atelier.tools.core.errors import ErrorCode, ToolError
from atelier.tools.core.images import LoadedImage, load_image
from atelier.tools.core.registry import BackendStatus, ImageRole, ToolContext, ToolOutput, ToolSpec

DEFAULT_FLOOR = 0.35


class RetrieveStyleArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str | None = Field(None, max_length=300, description="what the style should look like")
    k: int = Field(3, ge=1, le=20, description="how many matches to return")
    floor: float = Field(DEFAULT_FLOOR, ge=-1.0, le=1.0, description="below this score nothing matched well")


def _backends(settings: Settings) -> list[BackendStatus]:
    return [BackendStatus("retrieve_style", "text", "minilm", True, True, None, "all-MiniLM-L6-v2, offline"),
            BackendStatus("retrieve_style", "image", "descriptor", True, True, None,
                          "colour/texture descriptor, no weights"),
            _clip_status(settings)]


def _clip_status(settings: Settings) -> BackendStatus:
    from atelier.tools.core.models import find_model, missing_reason

    folder = find_model(settings, "clip")
    chosen = settings.backend_for("embeddings", "minilm") == "clip"
    if folder is None:
        return BackendStatus("retrieve_style", "text+image", "clip", False, chosen, None,
                             missing_reason(settings, "clip"))
    return BackendStatus("retrieve_style", "text+image", "clip", True, chosen, str(folder),
                         "open_clip weights found" + ("" if chosen else "; set [backends] embeddings = \"clip\""))


def run(images: dict[str, LoadedImage], args: RetrieveStyleArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.knowledge.store import Store
    from atelier.knowledge.style_index import clip_embedder, search_styles
    from atelier.knowledge.styles import StyleLibrary

    query = (args.query or "").strip() or None
    image = images.get("image")
    if query is None and image is None:
        raise ToolError(ErrorCode.BAD_ARGUMENT, "retrieve_style needs a text query, an image, or both")
    with ctx.stage("search"):
        library = StyleLibrary.load(ctx.settings.home)
        matches = search_styles(Store(ctx.settings.home), library, query, image.pixels if image else None, args.k)
    found = [m.as_dict() for m in matches]
    if not matches or matches[0].score < args.floor:
        best = f" (best: {matches[0].name}, {matches[0].score:.2f})" if matches else ""
        raise ToolError(ErrorCode.NO_MATCH, f"no style in the library matches {query or 'that image'!r} well "
                        f"enough{best}; add one with `atelier styles add`", outputs={"matches": found})
    chosen = matches[0]
    reference = load_image(chosen.path).pixels
    clip = clip_embedder(ctx.settings.home) is not None
    backend = "clip" if clip else ("minilm" if image is None else ("descriptor" if query is None
                                                                    else "minilm+descriptor"))
    return ToolOutput(
        backend=backend,
        backends={"embeddings": "clip"} if clip else {"text": "minilm"} if image is None else {
            "image": "descriptor", **({"text": "minilm"} if query else {})},
        outputs={"matches": found, "chosen": found[0], "query": query},
        images={"image": reference}, metrics={"score": round(chosen.score, 4), "library_size": len(library.cards)},
    )


SPEC = ToolSpec(
    name="retrieve_style", summary="Find the style references that best match a description and/or an image.",
    args_model=RetrieveStyleArgs,
    images=(ImageRole("image", required=False, min_size=8, description="an image whose look to match"),),
    run=run, backends=_backends, version="1.0",
)
