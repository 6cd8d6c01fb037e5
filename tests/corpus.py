"""A bad-input corpus built on the fly: what each file is, and what loading it must give."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin


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


# --- the fuzz corpus (issue 18): odd and corrupt files of our own making, each with what it is ---------------

def _png_chunks(data: bytes) -> list[int]:
    """Byte offsets where each PNG chunk starts (after the 8-byte signature), plus the end."""
    offsets, at = [], 8
    while at + 8 <= len(data):
        offsets.append(at)
        (length,) = struct.unpack(">I", data[at:at + 4])
        at += 12 + length
    return [*offsets, len(data)]


def _jpeg_segments(data: bytes) -> list[int]:
    """Byte offsets of the JPEG markers before the entropy-coded data (SOI, APPn, DQT, SOF, DHT, SOS)."""
    offsets, at = [0], 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        offsets.append(at)
        if data[at + 1] == 0xDA:  # start of scan: image data follows
            break
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        at += 2 + length
    return offsets


def _ihdr_png(width: int, height: int, depth: int = 8, colour: int = 2, idat: bytes | None = None) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    body = idat if idat is not None else zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def _tiff_without_size() -> bytes:
    """A little-endian TIFF whose only IFD entry is the compression tag: no width, no height."""
    entries = [(259, 3, 1, 1)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\0\0\0\0"
    return b"II*\x00" + struct.pack("<I", 8) + ifd


def _dds(fourcc: bytes) -> bytes:
    """A DDS header with a pixel format Pillow does not implement."""
    header = bytearray(124)
    struct.pack_into("<IIIIIII", header, 0, 124, 0x1007, 16, 16, 0, 0, 1)
    struct.pack_into("<II4s", header, 72, 32, 0x4, fourcc)
    return b"DDS " + bytes(header) + b"\0" * 256


def fuzz_corpus(folder: Path) -> dict[str, Path]:
    """At least 60 odd or corrupt files: name -> path. Names start with ``bad_`` (must be refused with
    INVALID_IMAGE or IMAGE_TOO_LARGE), ``odd_`` (valid: must load; a tool may refuse them for its own reason)
    or ``huge_`` (valid but large: loaded, downscaled or refused with IMAGE_TOO_LARGE by a tool's budget)."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = Image.fromarray(_photo())
    files: dict[str, bytes] = {}
    png = _encode(photo, "PNG", pnginfo=None)
    meta = PngImagePlugin.PngInfo()
    meta.add_text("comment", "x" * 40)
    png_text = _encode(photo, "PNG", pnginfo=meta)
    chunks = _png_chunks(png_text)
    for i, cut in enumerate(chunks[:-1]):
        kind = "odd" if i == len(chunks) - 2 else "bad"  # cut inside IEND: every pixel is there, it loads
        files[f"{kind}_png_cut_chunk{i}.png"] = png_text[:cut]
        files[f"{kind}_png_cut_chunk{i}_mid.png"] = png_text[:cut + 6]
    jpg = _encode(photo, "JPEG", quality=90)
    for i, cut in enumerate(_jpeg_segments(jpg)):
        files[f"bad_jpeg_cut_segment{i}.jpg"] = jpg[:cut + 3]
    files["bad_jpeg_no_eoi.jpg"] = jpg[: len(jpg) * 3 // 4]
    gif = _encode(photo.convert("P"), "GIF")
    files["bad_gif_truncated.gif"] = gif[: len(gif) // 2]
    webp = _encode(photo, "WEBP", quality=80)
    files["bad_webp_truncated.webp"] = webp[: len(webp) // 2]
    bmp = _encode(photo, "BMP")
    files["bad_bmp_truncated.bmp"] = bmp[: len(bmp) // 3]
    tif = _encode(photo, "TIFF")
    files["bad_tiff_truncated.tif"] = tif[: len(tif) // 2]
    # bad dimensions
    files["bad_png_zero_width.png"] = _ihdr_png(0, 10)
    files["bad_png_zero_height.png"] = _ihdr_png(10, 0)
    files["bad_png_max_dims.png"] = _ihdr_png(2**31 - 1, 2**31 - 1)
    files["bad_png_bomb.png"] = bomb_png()
    files["bad_png_wide_bomb.png"] = bomb_png(1_000_000, 100)
    files["bad_png_bad_depth.png"] = _ihdr_png(10, 10, depth=7)
    files["bad_png_bad_colour_type.png"] = _ihdr_png(10, 10, colour=5)
    files["bad_png_idat_garbage.png"] = _ihdr_png(16, 16, idat=b"\x78\x9c" + b"\xff" * 50)
    files["bad_png_short_idat.png"] = _ihdr_png(64, 64, idat=zlib.compress(b"\x00" * 10))
    files["bad_tiff_no_dimensions.tif"] = _tiff_without_size()
    bmp_head = bytearray(bmp[:54])
    struct.pack_into("<i", bmp_head, 18, 0)
    files["bad_bmp_zero_width.bmp"] = bytes(bmp_head) + bmp[54:]
    struct.pack_into("<i", bmp_head, 18, 2**30)
    files["bad_bmp_huge_width.bmp"] = bytes(bmp_head) + bmp[54:]
    gif_head = bytearray(gif)
    struct.pack_into("<HH", gif_head, 6, 0, 0)
    files["odd_gif_zero_screen_size.gif"] = bytes(gif_head)
    # wrong magic / not an image
    files["bad_text_named_png.png"] = b"hello, I am text\n" * 10
    files["bad_zeros.png"] = b"\0" * 4096
    files["bad_random.jpg"] = np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    files["bad_png_magic_flipped.png"] = b"\x89PNX" + png[4:]
    files["bad_jpeg_magic_only.jpg"] = b"\xff\xd8\xff"
    files["bad_html.png"] = b"<!doctype html><html><body>not an image</body></html>"
    files["bad_zip.png"] = b"PK\x03\x04" + b"\0" * 200
    # formats we do not read (Pillow could parse some of them: it must not be asked to)
    files["bad_ico.ico"] = _encode(photo, "ICO")
    files["bad_ppm.ppm"] = _encode(photo, "PPM")
    files["bad_tga.tga"] = _encode(photo, "TGA")
    files["bad_pcx.pcx"] = _encode(photo, "PCX")
    files["bad_sgi.sgi"] = _encode(photo, "SGI")
    files["bad_qoi.qoi"] = _encode(photo, "QOI") if "QOI" in Image.SAVE else b"qoif" + b"\0" * 40
    files["bad_jpeg2000.jp2"] = _encode(photo, "JPEG2000")
    files["bad_dds_unimplemented.dds"] = _dds(b"ATI3")
    files["bad_dds_unknown_fourcc.dds"] = _dds(b"ZZZZ")
    files["bad_pdf.png"] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    files["bad_svg.png"] = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    files["bad_eps.eps"] = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"
    files["bad_psd.psd"] = b"8BPS\x00\x01" + b"\0" * 6 + struct.pack(">HIIHH", 3, 10, 10, 8, 3) + b"\0" * 64
    # odd but valid
    mpo = io.BytesIO()
    photo.save(mpo, format="MPO", save_all=True, append_images=[photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    files["odd_mpo_phone.jpg"] = mpo.getvalue()
    files["odd_tiff_g4_1bit.tif"] = _encode(photo.convert("1"), "TIFF", compression="group4")
    files["odd_tiff_cmyk.tif"] = _encode(photo.convert("CMYK"), "TIFF")
    files["odd_tiff_float.tif"] = _encode(Image.fromarray(np.asarray(photo.convert("L"), np.float32) / 255), "TIFF")
    files["odd_tiff_multipage.tif"] = b""
    pages = io.BytesIO()
    photo.save(pages, format="TIFF", save_all=True, append_images=[photo.convert("L")])
    files["odd_tiff_multipage.tif"] = pages.getvalue()
    one = Image.new("P", (40, 40), 0)
    one.putpalette([200, 30, 30])
    files["odd_palette_one_colour.png"] = _encode(one, "PNG")
    trns = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    files["odd_palette_trns_all.png"] = _encode(trns, "PNG", transparency=bytes([0, 64, 128, 255]))
    files["odd_palette_gif_transparent.gif"] = _encode(trns, "GIF", transparency=1)
    files["odd_la.png"] = _encode(photo.convert("LA"), "PNG")
    files["odd_gray.jpg"] = _encode(photo.convert("L"), "JPEG")
    files["odd_16bit.png"] = _encode(Image.fromarray(np.asarray(photo.convert("L")).astype(np.uint16) * 257), "PNG")
    files["odd_bilevel.png"] = _encode(photo.convert("1"), "PNG")
    files["odd_rgba_clear.png"] = _encode(Image.new("RGBA", (48, 48), (0, 0, 0, 0)), "PNG")
    files["odd_webp_alpha.webp"] = _encode(photo.convert("RGBA"), "WEBP", lossless=True)
    frames = [photo, photo.transpose(Image.Transpose.FLIP_TOP_BOTTOM)]
    anim = io.BytesIO()
    frames[0].save(anim, format="WEBP", save_all=True, append_images=frames[1:], duration=50)
    files["odd_webp_animated.webp"] = anim.getvalue()
    exif = Image.Exif()
    exif[0x0112] = 8
    files["odd_exif_rotate_270.jpg"] = _encode(photo, "JPEG", exif=exif.tobytes())
    files["odd_bmp_32bit.bmp"] = _encode(photo.convert("RGBA"), "BMP")
    files["odd_tall_thin.png"] = _encode(Image.new("RGB", (40, 3000), (90, 90, 90)), "PNG")
    # huge but valid (tiny files): blank 7000x7000 is under the global limit, 8000x8000 is over it
    files["huge_blank_7000.png"] = _encode(Image.new("L", (7000, 7000), 255), "PNG")
    files["huge_blank_8000.png"] = _encode(Image.new("1", (8000, 8000), 1), "PNG")
    paths = {}
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths[name] = folder / name
    return paths
