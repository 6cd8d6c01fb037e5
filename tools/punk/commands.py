"""``atelier punk train``: the punk tool's own command line (see ``SPEC.commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def train(
    composite: Annotated[Path, typer.Option(help="a sheet of 24×24 punks in a square grid, ids row by row")],
    table: Annotated[Path, typer.Option(help="the attribute table (CryptoPunks' cryptopunks.csv layout)")],
    out: Annotated[Path | None, typer.Option(help="model file [ATELIER_MODELS/punk/punk_mlp.npz]")] = None,
    epochs: Annotated[int, typer.Option(min=1)] = 40,
    hidden: Annotated[int, typer.Option(min=8)] = 512,
    copies: Annotated[int, typer.Option(min=1, help="variants of each punk seen in training")] = 3,
    noise: Annotated[float, typer.Option(min=0.0, help="input noise while training (helps small models)")] = 0.0,
    seed: int = 0,
) -> None:
    """Train the punk classifier (calibrated on a held-out share) and write it where the tool finds it."""
    from atelier.core.config import load_settings

    from .train import TrainConfig, load_cryptopunks
    from .train import train as fit

    target = out or load_settings().models / "punk" / "punk_mlp.npz"
    punks, labels = load_cryptopunks(composite, table)
    typer.echo(f"training on {len(punks)} punks × {copies} variants", err=True)
    model = fit(punks, labels, TrainConfig(hidden=hidden, epochs=epochs, noise=noise, seed=seed), copies,
                log=lambda line: typer.echo(line, err=True))
    model.info.update({"punks": len(punks), "copies": copies, "noise": noise, "seed": seed})
    model.save(target)
    typer.echo(f"wrote {target}; temperatures " + ", ".join(f"{k} {v:.2f}" for k, v in model.temperatures.items()),
               err=True)
