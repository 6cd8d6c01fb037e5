"""Style retrieval eval: top-1 / top-3 accuracy of text queries (`evals/style/queries.txt`), with the
names, tags, near spellings and word overlap on (as the tool runs) and off (embeddings alone), plus image queries (each
reference slightly degraded: resized, blurred, JPEG'd, cropped) against the image index.

    .venv/bin/python evals/style/run_retrieval.py [--out evals/reports]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

REPO = Path(__file__).resolve().parents[2]


def load_queries(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            q, want = (p.strip() for p in line.split("|"))
            rows.append((q, want))
    return rows


def degrade(img: Image.Image, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w, h = img.size
    x0, y0 = (int(v) for v in rng.integers(0, 40, 2))
    img = img.crop((x0, y0, w - 40 + x0, h - 40 + y0)).resize((180, 180)).filter(ImageFilter.GaussianBlur(1.2))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=60)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=REPO / "evals" / "style" / "queries.txt")
    parser.add_argument("--name", default="style_retrieval", help="report file name (without extension)")
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    opts = parser.parse_args()
    from atelier.knowledge import style_index
    from atelier.knowledge.store import Store
    from atelier.knowledge.styles import StyleLibrary

    home = Path(tempfile.mkdtemp(prefix="atelier-eval-"))
    store, library = Store(home), StyleLibrary.load(home)
    queries = load_queries(opts.queries)
    rows, misses = [], []
    for label, lexical in (("names/tags + fuzzy + word overlap + MiniLM (as the tool runs)", True),
                           ("MiniLM alone (whole card + best short texts)", False)):
        saved = style_index.name_matches, style_index.OVERLAP
        if not lexical:
            style_index.name_matches, style_index.OVERLAP = (lambda query, cards: {}), 0.0
        top1 = top3 = 0
        times = []
        for q, want in queries:
            t = time.perf_counter()
            search = style_index.find_styles(home, library, q, None, 3)
            names = [m.name for m in search]
            times.append(time.perf_counter() - t)
            top1 += names[:1] == [want]
            top3 += want in names
            if lexical and names[:1] != [want]:
                misses.append(f"{q!r} -> {names} (want {want})")
        style_index.name_matches, style_index.OVERLAP = saved
        rows.append((label, len(queries), 100 * top1 / len(queries), 100 * top3 / len(queries),
                     1000 * float(np.median(times[1:]))))
    top1 = top3 = 0
    for i, card in enumerate(library.cards):
        query_image = degrade(Image.open(card.image).convert("RGB"), i)
        names = [m.name for m in style_index.search_styles(store, library, None, query_image, 3)]
        top1 += names[:1] == [card.name]
        top3 += card.name in names
    rows.append(("image descriptor (degraded reference as query)", len(library.cards),
                 100 * top1 / len(library.cards), 100 * top3 / len(library.cards), float("nan")))
    lines = [f"Style retrieval — {date.today().isoformat()}, {len(library.cards)} styles, 2-core CPU", "",
             "| embedder | queries | top-1 | top-3 | median ms |", "|---|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]:.1f} % | {r[3]:.1f} % | {r[4]:.1f} |" for r in rows]
    md = "\n".join(lines) + "\n"
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / f"{opts.name}.md").write_text(md)
    (opts.out / f"{opts.name}.json").write_text(json.dumps({"rows": rows, "misses": misses}, indent=1))
    print(md)
    print("\n".join(misses))


if __name__ == "__main__":
    main()
