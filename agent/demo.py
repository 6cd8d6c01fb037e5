"""``atelier demo``: the bundled sample photos through the tools, with the outputs' paths printed."""

from __future__ import annotations

from pathlib import Path

import typer

from atelier.agent.invoke import call_tool

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DEMO_PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png")


def run_demo(out: Path) -> int:
    """Sketch each sample photo; 0 when all succeeded."""
    failures = 0
    for name in DEMO_PHOTOS:
        photo = SAMPLES / name
        result = call_tool("sketchify", {"image": photo}, {}, out_dir=out / Path(name).stem)
        if result.ok:
            m = result.metrics
            typer.echo(f"sketchify {name}: {result.artifacts['image']}  (backend {result.backend}, "
                       f"purity {m['background_purity']}%, tonal range {m['tonal_range']}%, "
                       f"edge F1 {m['edge_fidelity']}, {m['seconds']:.2f} s, run {result.run_id})")
        else:
            failures += 1
            typer.echo(f"sketchify {name} failed [{result.error.code}]: {result.error.message}", err=True)
    typer.echo(f"outputs are under {out.resolve()}")
    return 1 if failures else 0
