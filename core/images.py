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
import tempfile
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


def _open_checked(path: Path, data: bytes, limits: Limits) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ToolError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{path}: over the {limits.max_pixels:,} pixel limit (decompression-bomb guard: {exc})",
        ) from exc
    except UnidentifiedImageError as exc:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: not a recognisable image file") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{path}: cannot be read as an image ({exc})") from exc
    if img.format not in ALLOWED_FORMATS:
        raise ToolError(
            ErrorCode.INVALID_IMAGE,
            f"{path}: format {img.format} is not supported (use {', '.join(sorted(ALLOWED_FORMATS))})",
        )
    width, height = img.size
    if width * height > limits.max_pixels:
        raise ToolError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{path}: {width}x{height} = {width * height:,} pixels is over the {limits.max_pixels:,} pixel limit",
        )
    return img


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
    rgba = img.convert("RGBA")
    if mode == "RGBA":
        return np.asarray(rgba, dtype=np.uint8).copy(), has_alpha
    if has_alpha:
        alpha = np.asarray(rgba.getchannel("A"))
        if alpha.min() < 255:
            notes.append("transparent pixels composited on white")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgba = Image.alpha_composite(white, rgba)
    return np.asarray(rgba.convert("RGB"), dtype=np.uint8).copy(), has_alpha


def load_image(
    path: str | os.PathLike[str],
    mode: ColourMode = "RGB",
    limits: Limits | None = None,
    min_size: int = 1,
) -> LoadedImage:
    """Validate, decode and normalise an image file.

    Parameters
    ----------
    path : the file to read.
    mode : ``"RGB"`` composites transparency on white; ``"RGBA"`` keeps it (sprites, punks).
    limits : byte and pixel limits (``Limits()`` by default).
    min_size : the smallest width and height the caller can work with.

    Raises ``ToolError`` with ``INVALID_IMAGE`` or ``IMAGE_TOO_LARGE``.
    """
    limits = limits or Limits()
    p = Path(path)
    data = _check_file(p, limits)
    img = _open_checked(p, data, limits)
    notes: list[str] = []
    frames = getattr(img, "n_frames", 1)
    if frames > 1:
        notes.append(f"animated {img.format} with {frames} frames: only the first frame is used")
        img.seek(0)
    try:
        img.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise ToolError(ErrorCode.INVALID_IMAGE, f"{p}: image data is truncated or corrupt ({exc})") from exc
    orientation = img.getexif().get(0x0112, 1)
    if orientation not in (1, None):
        try:
            img = ImageOps.exif_transpose(img)
        except (OSError, ValueError, SyntaxError) as exc:
            raise ToolError(ErrorCode.INVALID_IMAGE, f"{p}: image data is corrupt ({exc})") from exc
        notes.append(f"EXIF orientation {orientation} applied")
    fmt = img.format or _open_checked(p, data, limits).format or "?"
    pixels, had_alpha = _normalise(img, mode, notes)
    h, w = pixels.shape[:2]
    if min(h, w) < min_size:
        raise ToolError(
            ErrorCode.INVALID_IMAGE, f"{p}: {w}x{h} is too small (at least {min_size}x{min_size} pixels needed)"
        )
    return LoadedImage(pixels=pixels, path=p, sha256=sha256_bytes(data), format=fmt, warnings=notes,
                       had_alpha=had_alpha)


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
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
