"""The ``retrieve_style`` tool: top-k style references for a text and/or image query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from atelier.core.errors import ErrorCode, ToolError
from atelier.core.images import LoadedImage, load_image
from atelier.core.registry import ImageRole, ToolContext, ToolOutput, ToolSpec

from .backends import EMBEDDING_BACKENDS
from .planning import RETRIEVE_EXAMPLES, RETRIEVE_HINTS, present_retrieval

if TYPE_CHECKING:  # the index module loads numpy and the store: only when a query runs
    from atelier.knowledge.style_index import StyleMatch

DEFAULT_FLOOR = 0.35
SURE = 0.55  # below this a match is reported as "not a strong match"
MARGIN = 0.02  # ... and so is one that leads the runner-up by less (on evals/style/dev_blind.txt: 4 of 6
# wrong answers said so, while 92 % of answers were sure and 99 % of those right)


class RetrieveStyleArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str | None = Field(None, max_length=300, description="what the style should look like")
    k: int = Field(3, ge=1, le=20, description="how many matches to return")
    floor: float = Field(DEFAULT_FLOOR, ge=-1.0, le=1.0, description="below this score nothing matched well")
    sure: float = Field(SURE, ge=-1.0, le=1.0, description="below this score the match is said to be unsure")
    margin: float = Field(MARGIN, ge=0.0, le=1.0, description="a lead over the runner-up below this is unsure")


def run(images: dict[str, LoadedImage], args: RetrieveStyleArgs, ctx: ToolContext) -> ToolOutput:
    from atelier.knowledge.style_index import clip_embedder, find_styles
    from atelier.knowledge.styles import StyleLibrary

    query = (args.query or "").strip() or None
    image = images.get("image")
    if query is None and image is None:
        raise ToolError(ErrorCode.BAD_ARGUMENT, "retrieve_style needs a text query, an image, or both")
    with ctx.stage("search"):
        library = StyleLibrary.load(ctx.settings.home)
        matches = find_styles(ctx.settings.home, library, query, image.pixels if image else None, args.k)
    found = [m.as_dict() for m in matches]
    if not matches or matches[0].score < args.floor:
        best = f" (best: {matches[0].name}, {matches[0].score:.2f})" if matches else ""
        raise ToolError(ErrorCode.NO_MATCH, f"no style in the library matches {query or 'that image'!r} well "
                        f"enough{best}; add one with `atelier styles add`", outputs={"matches": found})
    chosen = matches[0]
    with ctx.stage("reference"):
        try:
            reference = load_image(chosen.path).pixels
        except ToolError as exc:
            raise ToolError(ErrorCode.INVALID_IMAGE, f"the reference image of style {chosen.name!r} "
                            f"({chosen.path}) cannot be read: {exc.message}; the rest of the library is unchanged",
                            outputs={"matches": found}) from exc
    runner_up = matches[1] if len(matches) > 1 else None
    tied = runner_up is not None and chosen.score - runner_up.score < args.margin
    sure = chosen.score >= args.sure and not tied
    warnings = [] if sure else [unsure_warning(chosen, runner_up if tied else None)]
    clip = clip_embedder(ctx.settings.home) is not None
    named = chosen.how in ("name", "tag", "fuzzy") and image is None
    backend = "clip" if clip else ("lexical" if named else "minilm" if image is None else (
        "descriptor" if query is None else "minilm+descriptor"))
    return ToolOutput(
        backend=backend,
        backends={"embeddings": "clip"} if clip else {"text": backend} if image is None else {
            "image": "descriptor", **({"text": "minilm"} if query else {})},
        outputs={"matches": found, "chosen": found[0], "query": query, "sure": sure, "match": chosen.how},
        images={"image": reference}, warnings=warnings,
        metrics={"score": round(chosen.score, 4), "library_size": len(library.cards)},
    )


def unsure_warning(chosen: StyleMatch, tied_with: StyleMatch | None) -> str:
    """"closest: impressionism, 0.41 — not a strong match", naming the runner-up when it is nearly tied."""
    tie = f", nearly tied with {tied_with.name} ({tied_with.score:.2f})" if tied_with else ""
    return f"closest: {chosen.name}, {chosen.score:.2f}{tie} — not a strong match"


SPEC = ToolSpec(
    name="retrieve_style", summary="Find the style references that best match a description and/or an image.",
    description='Find the style references that best match a description, e.g. "neon rainy city".',
    args_model=RetrieveStyleArgs,
    images=(ImageRole("image", required=False, min_size=8, description="an image whose look to match",
                      max_pixels=4_000_000, downscale=True),),
    run=run, present=present_retrieval, backends=EMBEDDING_BACKENDS, examples=RETRIEVE_EXAMPLES,
    hints=RETRIEVE_HINTS, version="1.0",
)
