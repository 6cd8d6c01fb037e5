"""Stylise eval: the palette backend on 20 inputs (10 photos bundled with scikit-image and their
Sketchify sketches) x 5 styles. Reports mean / min structure_f1 and the style-distance drop, per input
kind, and writes a contact sheet (inputs down, styles across).

    .venv/bin/python evals/style/run_stylize.py [--out evals/reports]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
PHOTOS = ("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "rocket.jpg", "brick.png", "coins.png",
          "horse.png", "motorcycle_left.png", "page.png")
STYLES = ("cyberpunk", "watercolor", "ukiyo-e", "pop art", "sepia vintage")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    opts = parser.parse_args()
    import skimage

    from atelier.knowledge.styles import shipped_cards
    from atelier.tools.sketchify.backends.classical import ClassicalShading
    from atelier.tools.sketchify.pipeline import sketch
    from atelier.tools.style.palette import structure_f1, style_distance, stylize_palette

    data = Path(skimage.__file__).parent / "data"
    photos = [np.asarray(Image.open(data / name).convert("RGB")) for name in PHOTOS]
    inputs = [("photo", p) for p in photos] + [("sketch", np.dstack([sketch(p, ClassicalShading())] * 3))
                                               for p in photos]
    refs = {c.name: np.asarray(Image.open(c.image).convert("RGB")) for c in shipped_cards() if c.name in STYLES}
    stats: dict[str, dict[str, list[float]]] = {}
    tiles = []
    for kind, img in inputs:
        row = [img]
        for style in STYLES:
            out, _ = stylize_palette(img, refs[style])
            s = stats.setdefault(kind, {"f1": [], "drop": []})
            s["f1"].append(structure_f1(out, img) or 0.0)
            s["drop"].append(style_distance(img, refs[style]) - style_distance(out, refs[style]))
            row.append(out)
        tiles.append(row)
    cell = 120
    sheet = Image.new("RGB", (cell * (len(STYLES) + 1), cell * len(tiles)), "white")
    for r, row in enumerate(tiles):
        for c, im in enumerate(row):
            sheet.paste(Image.fromarray(im).resize((cell, cell)), (c * cell, r * cell))
    opts.out.mkdir(parents=True, exist_ok=True)
    sheet.save(opts.out / "stylize_contact_sheet.png")
    lines = [f"Stylise (palette backend) — {date.today().isoformat()}, {len(inputs)} inputs x {len(STYLES)} styles "
             f"({', '.join(STYLES)})", "",
             "| inputs | mean structure_f1 | min structure_f1 | mean style-distance drop | drops > 0 |",
             "|---|---|---|---|---|"]
    for kind, s in stats.items():
        lines.append(f"| {kind} | {np.mean(s['f1']):.3f} | {np.min(s['f1']):.3f} | {np.mean(s['drop']):.3f} | "
                     f"{100 * np.mean(np.array(s['drop']) > 0):.0f} % |")
    md = "\n".join(lines) + ("\n\nContact sheet: `evals/reports/stylize_contact_sheet.png` "
                              "(inputs down, styles across).\n")
    (opts.out / "stylize_eval.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
