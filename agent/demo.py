"""``atelier demo``: the bundled samples through the agent (``ask``), with the outputs' paths printed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import typer

SAMPLES = Path(str(files("atelier.samples")))
DEMO_REQUESTS = (
    ("make it a pencil sketch", "astronaut.png"),
    ("now make it cyberpunk", None),  # same conversation: works on the previous result
    ("turn this into a pencil drawing with 50% shading", "coffee.png"),
    ("open her eyes using the second photo, then make it a pencil sketch", ("astronaut_blink.png", "astronaut.png")),
    ("this pixel art was upscaled, recover the clean sprite", "sprite_upscaled.png"),
)


def run_demo(out: Path) -> int:
    """Ask the agent for each demo request; copy the results under ``out``. 0 when every tool that exists ran."""
    import shutil

    from atelier.agent.catalogue import catalogue, chains_image
    from atelier.agent.session import Session

    session = Session()
    failures = 0
    out.mkdir(parents=True, exist_ok=True)
    thread, stem = None, "result"
    for request, names in DEMO_REQUESTS:
        files = [names] if isinstance(names, str) else list(names or ())
        typer.echo(f"\n> {request}   [{', '.join(files) or 'the previous result'}]")
        reply = session.ask(request, [SAMPLES / f for f in files], thread_id=None if files else thread)
        thread, stem = reply.thread_id, Path(files[0]).stem if files else stem
        typer.echo(reply.answer)
        for entry in reply.results:
            image = entry.get("result", {}).get("artifacts", {}).get("image")
            if entry.get("ok") and image and chains_image(catalogue()[entry["tool"]]):  # not style references
                dest = out / f"{stem}-{entry['tool']}.png"
                shutil.copyfile(image, dest)
                typer.echo(f"   saved {dest}")
            failures += not entry.get("ok") and not entry.get("skipped")
    typer.echo(f"\noutputs are under {out.resolve()}")
    return 1 if failures else 0
