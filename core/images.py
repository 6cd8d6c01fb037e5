"""The one image loader and saver every tool uses.

Loading validates before decoding (existence, bytes, format whitelist, pixel count from the header), turns
Pillow's decompression-bomb guard into ``IMAGE_TOO_LARGE``, applies EXIF orientation and normalises every
mode (CMYK, 16-bit, palette, grayscale, alpha) to 8-bit RGB or RGBA, with a warning for anything it changed
that a user might care about. Saving is atomic (temp file + rename) and embeds PNG text chunks.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from .config import Limits
from .errors import ErrorCode, ToolError

ALLOWED_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"})
# the Pillow plugins allowed to parse a file; Pillow's JPEG plugin opens phone JPEGs holding several pictures
# as MPO, which we read as JPEG (first picture)
OPEN_FORMATS = tuple(sorted(ALLOWED_FORMATS))
ColourMode = Literal["RGB", "RGBA"]


@dataclass
class LoadedImage:
    """A decoded image plus what we learned while loading it."""

    pixels: np.ndarray  # uint8, HxWx3 (RGB) or HxWx4 (RGBA)
    path: Path
    sha256: str
    format: str
    warnings: list[str] = field(default_factory=list)
    had_alpha: bool = False

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_file(path: Path, limits: Limits) -> bytes:
    if not path.exists():
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: no such file")
    if path.is_dir():
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: is a directory, not an image file")
    size = path.stat().st_size
    if size == 0:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: the file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise ToolError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{path}: {size / 2**20:.1f} MiB is over the {limits.max_bytes / 2**20:.0f} MiB limit",
        )
    return path.read_bytes()


# formats we know by their first bytes but do not read: named in the refusal instead of "not an image"
_KNOWN_UNSUPPORTED = (
    (0, b"DDS ", "DDS"), (0, b"8BPS", "PSD"), (0, b"%PDF", "PDF"), (0, b"qoif", "QOI"), (0, b"\x00\x00\x01\x00", "ICO"),
    (4, b"ftypheic", "HEIC"), (4, b"ftypheix", "HEIC"), (4, b"ftypmif1", "HEIF"), (4, b"ftypavif", "AVIF"),
    (0, b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (0, b"\xff\x4f\xff\x51", "JPEG 2000"), (0, b"<svg", "SVG"),
    (0, b"<?xml", "SVG/XML"), (0, b"icns", "ICNS"), (0, b"\x76\x2f\x31\x01", "OpenEXR"), (0, b"#?RADIANCE", "HDR"),
    (0, b"P1", "PBM"), (0, b"P2", "PGM"), (0, b"P3", "PPM"), (0, b"P4", "PBM"), (0, b"P5", "PGM"), (0, b"P6", "PPM"),
    (0, b"gimp xcf", "XCF"), (0, b"FORM", "IFF"), (0, b"SIMPLE  =", "FITS"), (0, b"\x0a\x05\x01", "PCX"),
)


def _supported() -> str:
    return ", ".join(sorted(ALLOWED_FORMATS))


def _unsupported_name(data: bytes) -> str | None:
    return next((name for at, magic, name in _KNOWN_UNSUPPORTED if data[at:at + len(magic)] == magic), None)


def _open_checked(path: Path, data: bytes, limits: Limits) -> Image.Image:
    """Open with only our formats' plugins (``formats=``), so no other parser ever sees the bytes: a format we
    do not read is refused as such before any size is looked at. Every exception Pillow may raise while
    parsing a header (``TypeError``, ``NotImplementedError``, ``struct.error`` …) is an ``INVALID_IMAGE``."""
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ToolError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{path}: over the {limits.max_pixels:,} pixel limit (decompression-bomb guard: {exc})",
        ) from None
    except UnidentifiedImageError:
        name = _unsupported_name(data)
        if name:
            raise ToolError(ErrorCode.INVALID_IMAGE,
                            f"{path}: format {name} is not supported (use {_supported()})") from None
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: not a recognisable image, or a format that is not "
                        f"supported (use {_supported()})") from None
    except MemoryError:
        raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{path}: too large to open") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, never our crash
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: cannot be read as an image ({_why(exc)})") from None
    fmt = "JPEG" if img.format == "MPO" else img.format
    if fmt not in ALLOWED_FORMATS:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: format {img.format} is not supported (use {_supported()})")
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: the header gives no size ({width}x{height})")
    if width * height > limits.max_pixels:
        raise ToolError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{path}: {width}x{height} = {width * height:,} pixels is over the {limits.max_pixels:,} pixel limit",
        )
    return img


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _to_8bit(img: Image.Image, notes: list[str]) -> Image.Image:
    """Bring integer/float single-channel modes (16-bit PNG, 32-bit TIFF) into 8-bit L."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if img.mode.startswith("I;16") or arr.max(initial=0) > 255 else 255.0
        notes.append(f"{img.mode} ({'16-bit' if peak > 255 else 'wide'}) image reduced to 8-bit")
        return Image.fromarray(np.clip(arr * (255.0 / peak) + 0.5, 0, 255).astype(np.uint8), "L")
    return img


def _normalise(img: Image.Image, mode: ColourMode, notes: list[str]) -> tuple[np.ndarray, bool]:
    if img.mode == "CMYK":
        notes.append("CMYK image converted to RGB")
        img = img.convert("RGB")
    img = _to_8bit(img, notes)
    has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        img.mode == "P" and "transparency" in img.info
    ) or (img.mode in ("L", "RGB") and "transparency" in img.info)
    if img.mode == "P":
        notes.append("palette image expanded to RGB" + ("A" if has_alpha else ""))
    if not has_alpha:  # the common case: no RGBA round trip (it costs a full-size copy or two)
        rgb = img if img.mode == "RGB" else img.convert("RGB")
        return np.array(rgb if mode == "RGB" else rgb.convert("RGBA"), dtype=np.uint8), False
    rgba = img if img.mode == "RGBA" else img.convert("RGBA")
    if mode == "RGBA":
        return np.array(rgba, dtype=np.uint8), True
    alpha = np.asarray(rgba.getchannel("A"))
    if alpha.min() < 255:
        notes.append("transparent pixels composited on white")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return np.array(Image.alpha_composite(white, rgba).convert("RGB"), dtype=np.uint8), True


def check_min_size(pixels: np.ndarray, min_size: int, where: str | os.PathLike[str]) -> None:
    """INVALID_IMAGE when either side is under ``min_size``: the floor a tool's image role sets, for every
    way an input is read (an image file, a video's first frame)."""
    h, w = pixels.shape[:2]
    if min(h, w) < min_size:
        raise ToolError(
            ErrorCode.INVALID_IMAGE, f"{where}: {w}x{h} is too small (at least {min_size}x{min_size} pixels needed)"
        )


def load_image(
    path: str | os.PathLike[str],
    mode: ColourMode = "RGB",
    limits: Limits | None = None,
    min_size: int = 1,
    max_pixels: int | None = None,
    downscale: bool = False,
    who: str = "this tool",
) -> LoadedImage:
    """Validate, decode and normalise an image file.

    Parameters
    ----------
    path : the file to read.
    mode : ``"RGB"`` composites transparency on white; ``"RGBA"`` keeps it (sprites, punks).
    limits : byte and pixel limits (``Limits()`` by default).
    min_size : the smallest width and height the caller can work with.
    max_pixels : the caller's own pixel budget (a tool's ``ImageRole.max_pixels``), checked on the header
        before anything is decoded.
    downscale : over the budget, decode and shrink to fit it (with a warning) instead of refusing.
    who : whose budget it is, for the message.

    Raises ``ToolError`` with ``INVALID_IMAGE`` or ``IMAGE_TOO_LARGE``; never anything else for a bad file.
    """
    limits = limits or Limits()
    p = Path(path)
    data = _check_file(p, limits)
    img = _open_checked(p, data, limits)
    width, height = img.size
    fmt = "JPEG" if img.format == "MPO" else (img.format or "?")
    budget = max_pixels if max_pixels and max_pixels < limits.max_pixels else None
    if budget and width * height > budget and not downscale:
        raise ToolError(ErrorCode.IMAGE_TOO_LARGE,
                        f"{p}: {width}x{height} = {width * height:,} pixels is over {who}'s budget of {budget:,} "
                        f"pixels (about {_side(budget)}x{_side(budget)}); send a smaller copy")
    notes: list[str] = []
    try:
        if img.format == "MPO":
            notes.append("multi-picture JPEG (MPO): the first picture is used")
        frames = getattr(img, "n_frames", 1)
        if frames > 1:
            if img.format != "MPO":
                notes.append(f"animated {img.format} with {frames} frames: only the first frame is used")
            img.seek(0)
        if budget and width * height > budget and img.format in ("JPEG", "MPO"):
            scale = (budget / (width * height)) ** 0.5  # decode at 1/2 .. 1/8 scale, still at least the budget
            img.draft(img.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
        img.load()
        orientation = img.getexif().get(0x0112, 1)
        if orientation not in (1, None):
            img = ImageOps.exif_transpose(img)
            notes.append(f"EXIF orientation {orientation} applied")
        pixels, had_alpha = _normalise(img, mode, notes)
    except ToolError:
        raise
    except MemoryError:
        raise ToolError(ErrorCode.IMAGE_TOO_LARGE, f"{p}: ran out of memory while decoding") from None
    except Exception as exc:  # noqa: BLE001 - truncated data, bad tiles, unimplemented modes: a bad file
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{p}: image data is truncated or corrupt ({_why(exc)})") from None
    if budget and pixels.shape[0] * pixels.shape[1] > budget:
        pixels = _shrink(pixels, budget)
        h, w = pixels.shape[:2]
        notes.append(f"{width}x{height} is over {who}'s budget of {budget:,} pixels: analysed on a downscaled "
                     f"{w}x{h} copy")
    check_min_size(pixels, min_size, p)
    return LoadedImage(pixels=pixels, path=p, sha256=sha256_bytes(data), format=fmt, warnings=notes,
                       had_alpha=had_alpha)


def _side(budget: int) -> int:
    return int(budget ** 0.5)


def _shrink(pixels: np.ndarray, budget: int) -> np.ndarray:
    """The largest copy of ``pixels`` within ``budget`` pixels, aspect kept (Lanczos, area-reducing first)."""
    h, w = pixels.shape[:2]
    scale = (budget / (w * h)) ** 0.5
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    small = to_pil(pixels).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(small, dtype=np.uint8).copy()


def to_pil(pixels: np.ndarray) -> Image.Image:
    if pixels.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels, got {pixels.dtype}")
    if pixels.ndim == 2:
        return Image.fromarray(pixels, "L")
    return Image.fromarray(pixels, {3: "RGB", 4: "RGBA"}[pixels.shape[2]])


def png_text(metadata: Mapping[str, object]) -> PngImagePlugin.PngInfo:
    """PNG tEXt chunks under ``atelier:*`` keys; non-string values are stored as JSON."""
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
        info.add_text(f"atelier:{key}", text)
    return info


def read_png_text(path: str | os.PathLike[str]) -> dict[str, object]:
    """The ``atelier:*`` text chunks of a PNG, JSON values decoded."""
    with Image.open(path) as img:
        img.load()
        chunks = dict(getattr(img, "text", {}))
    out: dict[str, object] = {}
    for key, text in chunks.items():
        if key.startswith("atelier:"):
            try:
                out[key.removeprefix("atelier:")] = json.loads(text)
            except json.JSONDecodeError:
                out[key.removeprefix("atelier:")] = text
    return out


def encode_png(pixels: np.ndarray, metadata: Mapping[str, object] | None = None) -> bytes:
    buf = io.BytesIO()
    to_pil(pixels).save(buf, format="PNG", pnginfo=png_text(metadata or {}), compress_level=6)
    return buf.getvalue()


def save_png_atomic(
    pixels: np.ndarray, path: str | os.PathLike[str], metadata: Mapping[str, object] | None = None
) -> Path:
    """Write a PNG so that ``path`` is either absent or complete, never half-written."""
    return write_bytes_atomic(encode_png(pixels, metadata), path)


def write_bytes_atomic(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Atomic write (temp file + rename) with the umask's mode; see ``atelier.core.outputs``."""
    from .outputs import write_atomic

    return write_atomic(data, path)
