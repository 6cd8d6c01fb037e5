"""``atelier sprite feedback`` and ``atelier sprite train-ranker``: the sprite tool's own command lines
(see ``SPEC.commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def feedback(
    run_id: Annotated[str, typer.Argument(help="a reconstruct_sprite run")],
    correct: Annotated[bool | None, typer.Option("--correct/--incorrect", help="does the sprite look right?")] = None,
    note: Annotated[str, typer.Option(help="what was wrong, or anything else")] = "",
) -> None:
    """Log "looks correct / incorrect" for a sprite run, with its grid, overrides and metrics."""
    from atelier.core.config import load_settings
    from atelier.runs.store import RunStore

    from .feedback import MalformedLog, append_feedback

    if correct is None:
        typer.echo("say --correct or --incorrect", err=True)
        raise typer.Exit(2)
    settings = load_settings()
    record = RunStore(settings.home).get(run_id) if RunStore.valid_id(run_id) else None
    if record is None or record["tool"] != "reconstruct_sprite" or not record["ok"]:
        typer.echo(f"[BAD_ARGUMENT] {run_id} is not a successful reconstruct_sprite run", err=True)
        raise typer.Exit(2)
    out, params = record["outputs"], record["params"]
    row = {"run_id": run_id, "input_sha256": record["inputs"]["image"]["sha256"],
           "verdict": "correct" if correct else "incorrect", "note": note,
           **{k: out.get(k) for k in ("cell_size", "cell_size_x", "cell_size_y", "offset_x", "offset_y",
                                       "diff_percent", "confidence")},
           **{f"override_{k}": params.get(k) for k in ("cell_size", "offset_x", "offset_y", "palette_size")}}
    path = settings.home / "sprite_feedback.csv"
    try:
        append_feedback(path, row)
    except MalformedLog as exc:
        typer.echo(f"[BAD_ARGUMENT] {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"feedback logged to {path}", err=True)


def train_ranker(
    sprites: Annotated[list[Path] | None, typer.Option("--sprites", help="a PNG sheet to corrupt; repeat")] = None,
    tile: Annotated[int, typer.Option(min=4, help="tile size of the sheets, in pixels")] = 16,
    cases: Annotated[int, typer.Option(min=10, help="synthetic training cases")] = 1300,
    seed: int = 0,
    feedback: Annotated[bool, typer.Option("--feedback/--no-feedback",
                                           help="add the corrections in ATELIER_HOME/sprite_feedback.csv")] = True,
    out: Annotated[Path | None, typer.Option(help="weights file [ATELIER_MODELS/sprite/ranker.npz]")] = None,
) -> None:
    """Train the grid-candidate ranker (same inputs and seed -> same weights); the tool uses it from then on."""
    import json

    from atelier.core.config import load_settings

    from .feedback import MalformedLog, read_feedback
    from .train import train_ranker as fit

    settings = load_settings()
    target = out or settings.models / "sprite" / "ranker.npz"
    try:
        rows = read_feedback(settings.home / "sprite_feedback.csv") if feedback else []
    except MalformedLog as exc:
        typer.echo(f"[BAD_ARGUMENT] {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"training on {cases} synthetic cases and {len(rows)} feedback rows", err=True)
    summary = fit(sprites or [], tile, cases, seed, rows, settings.home / "inputs", target)
    typer.echo(json.dumps(summary))
