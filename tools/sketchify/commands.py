"""The sketch tool's own command lines (see ``SPEC.commands``): ``atelier models train-shading`` and
``atelier models check-dataset``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def train_shading(
    photos: Annotated[str, typer.Option(help="a folder or glob of training photos")],
    out: Annotated[Path, typer.Option(help="checkpoint to write")] = Path("shading.pth"),
    targets: Annotated[Path | None, typer.Option(help="folder of tone targets named like the photos")] = None,
    steps: Annotated[int, typer.Option(help="optimiser steps")] = 500,
    cutout: Annotated[float, typer.Option(min=0.0, max=1.0, help="chance of a cutout per sample")] = 0.5,
    mass_weight: Annotated[float, typer.Option(min=0.0, help="weight of the gray-mass loss")] = 1.0,
    paper_weight: Annotated[float, typer.Option(min=0.0, help="extra weight of target paper (anti-ghosting)")] = 3.0,
    install: Annotated[bool, typer.Option(help="also add the checkpoint to ATELIER_MODELS/shading")] = False,
) -> None:
    """Train a ShadingNet checkpoint for the learned tone backend with the seed's recipe (gray-mass loss,
    cutout, pixel-weighted loss); targets default to the classical pencil tone map."""
    from atelier.core.config import load_settings
    from atelier.core.models import add_model
    from atelier.runs.batch import expand_inputs

    from .train_shading import Recipe, load_pairs, train

    files = expand_inputs(photos)
    if not files:
        typer.echo(f"[BAD_ARGUMENT] no photos match {photos}", err=True)
        raise typer.Exit(2)
    recipe = Recipe(paper_weight=paper_weight, mass_weight=mass_weight, cutout=cutout)
    report = train(load_pairs(files, targets), out, steps=steps, recipe=recipe,
                   log=lambda i, loss: typer.echo(f"step {i}: loss {loss:.4f}", err=True))
    typer.echo(f"wrote {report.checkpoint}: {report.pairs} pairs, loss {report.first_loss:.4f} -> "
               f"{report.last_loss:.4f}", err=True)
    if install:
        typer.echo(f"installed {add_model(load_settings(), 'shading', out)}", err=True)


def check_dataset(
    folder: Annotated[Path, typer.Argument(help="a folder with photos/ and sketches/ (or targets/)")],
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Check photo/sketch training pairs: unreadable files, missing partners, size mismatches,
    near-duplicates and the sketches' gray statistics. Exits 2 with the list when any pair is bad."""
    import json
    from dataclasses import asdict

    from .dataset import check_dataset as check

    if not folder.is_dir():
        typer.echo(f"[BAD_ARGUMENT] not a folder: {folder}", err=True)
        raise typer.Exit(2)
    report = check(folder)
    if json_out:
        typer.echo(json.dumps({**asdict(report), "bad": report.bad}, indent=2))
    else:
        for line in report.lines():
            typer.echo(line, err=report.bad)
    if report.bad:
        raise typer.Exit(2)
