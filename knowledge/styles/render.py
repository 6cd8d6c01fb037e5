"""Reference images for the shipped styles, drawn from each card's palette and pattern.

    .venv/bin/python -m atelier.knowledge.styles.render    # rewrites knowledge/styles/references/*.png

Deterministic (seeded per style), 256x256, our own drawings: no third-party artwork in the library.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np

SIZE = 256


def hex_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _ramp(pal: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Map t in [0, 1] along the palette (dark to light) with linear interpolation."""
    x = np.clip(t, 0, 1) * (len(pal) - 1)
    i = np.minimum(x.astype(int), len(pal) - 2)
    f = (x - i)[..., None]
    return pal[i] * (1 - f) + pal[i + 1] * f


def render(palette: list[str], pattern: str, seed: int) -> np.ndarray:
    pal = np.array([hex_rgb(c) for c in palette], np.float32)
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE
    img = _ramp(pal, 0.15 + 0.5 * y).copy()
    canvas = img.astype(np.uint8).copy()

    def colour(i: int) -> tuple[int, int, int]:
        return tuple(int(v) for v in pal[i % len(pal)])

    if pattern == "gradient":
        canvas = _ramp(pal, 1 - y * 0.9 - 0.1 * np.sin(x * 6)).astype(np.uint8)
    elif pattern in ("neon_grid", "grid", "grid_sunset"):
        canvas = _ramp(pal, 0.05 + 0.35 * y).astype(np.uint8) if pattern != "grid" else \
            np.full((SIZE, SIZE, 3), colour(0), np.uint8)
        if pattern == "grid_sunset":
            cv2.circle(canvas, (SIZE // 2, SIZE // 2), 60, colour(3), -1)
        step = 16 if pattern == "grid" else 24
        for k in range(0, SIZE, step):
            top, ink = (0, colour(3)) if pattern == "grid" else (SIZE // 2, colour(2))
            cv2.line(canvas, (k, top), (k, SIZE), ink, 1)
            if k >= SIZE // 2 or pattern == "grid":
                cv2.line(canvas, (0, k), (SIZE, k), colour(3), 1)
        for _ in range(25 if pattern == "neon_grid" else 0):
            x0, y0 = rng.integers(0, SIZE, 2)
            cv2.rectangle(canvas, (int(x0), int(y0)), (int(x0) + 6, int(y0) + 18), colour(int(rng.integers(2, 5))), -1)
    elif pattern in ("blobs", "dabs", "dots"):
        canvas = np.full((SIZE, SIZE, 3), colour(len(pal) - 1), np.uint8)
        n, r = {"blobs": (14, (20, 60)), "dabs": (260, (3, 9)), "dots": (400, (3, 6))}[pattern]
        for _ in range(n):
            c = (int(rng.integers(0, SIZE)), int(rng.integers(0, SIZE)))
            cv2.circle(canvas, c, int(rng.integers(*r)), colour(int(rng.integers(0, len(pal) - 1))), -1)
        if pattern == "blobs":
            canvas = cv2.GaussianBlur(canvas, (0, 0), 6)
    elif pattern in ("strokes", "lines"):
        canvas = np.full((SIZE, SIZE, 3), colour(len(pal) - 1), np.uint8)
        for _ in range(90 if pattern == "strokes" else 9):
            p0 = rng.integers(0, SIZE, 2)
            p1 = p0 + rng.integers(-60, 60, 2)
            cv2.line(canvas, tuple(int(v) for v in p0), tuple(int(v) for v in p1),
                     colour(int(rng.integers(0, len(pal) - 1))), int(rng.integers(3, 9)) if pattern == "strokes" else 2)
    elif pattern in ("flat_bands", "venetian", "rays"):
        bands = np.floor(y * 5) / 4 if pattern == "flat_bands" else 0.5 + 0.5 * np.sign(np.sin(y * 40 + x * 8))
        if pattern == "rays":
            bands = 0.3 + 0.5 * (np.sin((x - 0.5) * 30 / (y + 0.3)) > 0.6) * (1 - y)
        canvas = _ramp(pal, bands).astype(np.uint8)
    elif pattern in ("waves", "swirl"):
        r = np.hypot(x - 0.5, y - 0.5)
        spiral = np.sin(r * 40 + np.arctan2(y - 0.5, x - 0.5) * 3)
        t = np.sin(x * 18 + np.sin(y * 9) * 2) if pattern == "waves" else spiral
        canvas = _ramp(pal, 0.5 + 0.45 * t).astype(np.uint8)
    elif pattern == "gears":
        canvas = _ramp(pal, 0.2 + 0.3 * y).astype(np.uint8)
        for _ in range(7):
            c, rad = (int(rng.integers(20, 236)), int(rng.integers(20, 236))), int(rng.integers(18, 45))
            cv2.circle(canvas, c, rad, colour(3), 6)
            for k in range(10):
                a = 2 * np.pi * k / 10
                cv2.circle(canvas, (int(c[0] + rad * np.cos(a)), int(c[1] + rad * np.sin(a))), 5, colour(3), -1)
    elif pattern == "sunburst":
        a = np.arctan2(y - 1.0, x - 0.5)
        canvas = _ramp(pal, 0.2 + 0.6 * (np.sin(a * 24) > 0)).astype(np.uint8)
    elif pattern == "vignette":
        r = np.hypot(x - 0.5, y - 0.45)
        canvas = _ramp(pal, 0.9 - 1.4 * r + 0.05 * rng.standard_normal((SIZE, SIZE))).astype(np.uint8)
    elif pattern == "pixels":
        small = rng.integers(0, len(pal), (16, 16))
        canvas = pal[small].astype(np.uint8).repeat(16, 0).repeat(16, 1)
    elif pattern in ("cells", "triangles", "shapes"):
        canvas = np.full((SIZE, SIZE, 3), colour(len(pal) - 1), np.uint8)
        for _ in range(40 if pattern != "shapes" else 9):
            pts = rng.integers(0, SIZE, (3 if pattern != "cells" else 5, 2)).astype(np.int32)
            if pattern == "shapes":
                c, rad = tuple(int(v) for v in pts[0]), int(rng.integers(20, 50))
                cv2.circle(canvas, c, rad, colour(int(rng.integers(1, 4))), -1)
                cv2.rectangle(canvas, tuple(int(v) for v in pts[1]), tuple(int(v) + 40 for v in pts[1]),
                              colour(int(rng.integers(0, 4))), -1)
            else:
                cv2.fillPoly(canvas, [cv2.convexHull(pts)], colour(int(rng.integers(0, len(pal) - 1))))
                if pattern == "cells":
                    cv2.polylines(canvas, [cv2.convexHull(pts)], True, colour(0), 4)
    else:
        raise ValueError(f"unknown pattern {pattern!r}")
    return canvas


def main() -> None:
    from atelier.knowledge.styles import REFERENCES, shipped_cards
    from atelier.tools.core.images import save_png_atomic

    REFERENCES.mkdir(parents=True, exist_ok=True)
    for card in shipped_cards():
        img = render(list(card.palette), card.pattern, seed=zlib.crc32(card.name.encode()))
        save_png_atomic(img, REFERENCES / f"{card.slug}.png")
    print(f"{len(shipped_cards())} references in {REFERENCES}")


if __name__ == "__main__":
    main()
