"""Check a folder of photo/sketch training pairs before training on it (the seed's ``inspect_data.py``).

Layout: ``DIR/photos/`` and ``DIR/sketches/`` (or ``DIR/targets/``, what ``train-shading --targets`` reads),
partners sharing a file stem. ``check_dataset`` reports, per problem, the files concerned:

- ``unreadable``: files that do not decode (truncated, corrupt, not an image);
- ``missing_partner``: a photo without a sketch or a sketch without a photo;
- ``size_mismatch``: a pair whose photo and sketch differ in width or height;
- ``near_duplicates``: photos so alike (difference hash within ``duplicate_bits``) that they would leak
  between training and validation (a warning, not a fault);
- grayscale statistics of the sketches: mean and spread of their gray level, share of paper and of dark.

A dataset is bad when any pair is unreadable, unpartnered or mismatched in size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"}
SKETCH_FOLDERS = ("sketches", "targets")


@dataclass
class DatasetReport:
    """What ``check_dataset`` found; ``bad`` is true when training on the folder would go wrong."""

    pairs: int = 0
    unreadable: list[str] = field(default_factory=list)
    missing_partner: list[str] = field(default_factory=list)
    size_mismatch: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    sketch_stats: dict[str, float] = field(default_factory=dict)

    @property
    def bad(self) -> bool:
        return bool(self.unreadable or self.missing_partner or self.size_mismatch)

    def lines(self) -> list[str]:
        """A human-readable report, one finding a line."""
        out = [f"{self.pairs} complete pair(s)"]
        out += [f"unreadable: {p}" for p in self.unreadable]
        out += [f"missing partner: {p}" for p in self.missing_partner]
        out += [f"size mismatch: {p}" for p in self.size_mismatch]
        out += [f"near-duplicate photos: {a} ~ {b}" for a, b in self.near_duplicates]
        if self.sketch_stats:
            out.append("sketch gray levels: " + ", ".join(f"{k} {v:.3f}" for k, v in self.sketch_stats.items()))
        return out


def image_files(folder: Path) -> dict[str, Path]:
    """Image files directly in ``folder`` by stem (hidden files skipped)."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")}


def read_gray(path: Path) -> np.ndarray | None:
    """The file as 8-bit grayscale, or None when it does not decode."""
    from atelier.core.images import load_image

    from .lines import to_gray

    try:
        return to_gray(load_image(path).pixels)
    except Exception:  # any decoder failure means unreadable; that is what is being checked
        return None


def difference_hash(gray: np.ndarray, size: int = 8) -> np.ndarray:
    """A 64-bit difference hash (is each pixel of a 9x8 thumbnail lighter than its right neighbour).

    Examples
    --------
    >>> g = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    >>> int(difference_hash(g).sum()), int(difference_hash(g[:, ::-1]).sum())
    (64, 0)
    """
    import cv2

    thumb = cv2.resize(gray, (size + 1, size), interpolation=cv2.INTER_AREA).astype(np.int16)
    return (thumb[:, :-1] < thumb[:, 1:]).ravel()


def gray_statistics(sketches: list[np.ndarray]) -> dict[str, float]:
    """Mean and standard deviation of the sketches' gray level (0..1), shares of paper (> 250) and dark (< 64)."""
    if not sketches:
        return {}
    values = np.concatenate([s.ravel() for s in sketches]).astype(np.float32)
    return {"mean": float(values.mean() / 255.0), "std": float(values.std() / 255.0),
            "paper": float((values > 250).mean()), "dark": float((values < 64).mean())}


def check_dataset(root: Path, duplicate_bits: int = 4) -> DatasetReport:
    """Walk ``root/photos`` and ``root/sketches`` (or ``root/targets``) and report what is wrong."""
    photos = image_files(root / "photos")
    sketch_dir = next((root / d for d in SKETCH_FOLDERS if (root / d).is_dir()), root / SKETCH_FOLDERS[0])
    sketches = image_files(sketch_dir)
    report = DatasetReport()
    for stem in sorted(set(photos) ^ set(sketches)):
        report.missing_partner.append(str(photos.get(stem) or sketches.get(stem)))
    hashes: list[tuple[str, np.ndarray]] = []
    drawn: list[np.ndarray] = []
    for stem in sorted(set(photos) & set(sketches)):
        photo, sketch = read_gray(photos[stem]), read_gray(sketches[stem])
        for path, img in ((photos[stem], photo), (sketches[stem], sketch)):
            if img is None:
                report.unreadable.append(str(path))
        if photo is None or sketch is None:
            continue
        if photo.shape != sketch.shape:
            report.size_mismatch.append(f"{photos[stem]} {photo.shape[1]}x{photo.shape[0]} vs "
                                        f"{sketches[stem]} {sketch.shape[1]}x{sketch.shape[0]}")
            continue
        report.pairs += 1
        drawn.append(sketch)
        code = difference_hash(photo)
        report.near_duplicates += [(other, str(photos[stem])) for other, h in hashes
                                   if int((h != code).sum()) <= duplicate_bits]
        hashes.append((str(photos[stem]), code))
    report.sketch_stats = gray_statistics(drawn)
    return report
