"""A bad-input corpus built on the fly: what each file is, and what loading it must give."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    error: str | None  # expected error code, or None: loads with a warning containing `warning`
    warning: str | None = None
    size: tuple[int, int] | None = None  # expected (width, height) after loading, when it loads


def _photo(w: int = 64, h: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) % 256], axis=-1)
    rgb[h // 4: h // 2, w // 4: w // 2] = 0
    return rgb.astype(np.uint8)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny file whose header claims ``width x height`` 1-bit pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def build_corpus(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    photo = Image.fromarray(_photo())
    png, jpg = _encode(photo, "PNG"), _encode(photo, "JPEG", quality=90)
    files: dict[str, bytes] = {
        "empty.png": b"",
        "truncated.png": png[: len(png) // 2],
        "truncated.jpg": jpg[: len(jpg) // 2],
        "text.png": b"this is not an image, just text pretending\n" * 20,
        "one_pixel.png": _encode(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG"),
        "bomb.png": bomb_png(),
        "cmyk.jpg": _encode(photo.convert("CMYK"), "JPEG", quality=92),
        "sixteen_bit.png": _encode(Image.fromarray(np.asarray(photo.convert("L")).astype(np.uint16) * 257), "PNG"),
        "palette_alpha.png": _encode(photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG",
                                     transparency=0),
        "animated.gif": b"",
    }
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    files["exif_rotated.jpg"] = _encode(photo, "JPEG", quality=90, exif=exif.tobytes())
    frames = [Image.fromarray(_photo()[:, :, ::k]) for k in (1, -1)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    files["animated.gif"] = buf.getvalue()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "a_directory.png").mkdir(exist_ok=True)
    return [
        Case("empty", folder / "empty.png", "INVALID_IMAGE"),
        Case("truncated_png", folder / "truncated.png", "INVALID_IMAGE"),
        Case("truncated_jpeg", folder / "truncated.jpg", "INVALID_IMAGE"),
        Case("text_as_png", folder / "text.png", "INVALID_IMAGE"),
        Case("one_pixel", folder / "one_pixel.png", "INVALID_IMAGE"),
        Case("bomb", folder / "bomb.png", "IMAGE_TOO_LARGE"),
        Case("directory", folder / "a_directory.png", "INVALID_IMAGE"),
        Case("missing", folder / "does_not_exist.png", "INVALID_IMAGE"),
        Case("cmyk", folder / "cmyk.jpg", None, "CMYK", (64, 48)),
        Case("sixteen_bit", folder / "sixteen_bit.png", None, "16-bit", (64, 48)),
        Case("palette_alpha", folder / "palette_alpha.png", None, "palette", (64, 48)),
        Case("exif_rotated", folder / "exif_rotated.jpg", None, "EXIF orientation 6", (48, 64)),
        Case("animated", folder / "animated.gif", None, "animated", (64, 48)),
    ]
