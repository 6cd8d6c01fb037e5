"""Where model weights live (``ATELIER_MODELS``) and which of them are present.

One table of model kinds with their expected layout; backends ask ``find_model`` and report what is
missing with ``missing_reason``; ``atelier models add`` checks a layout before copying weights in.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from .config import Settings


@dataclass(frozen=True)
class ModelKind:
    name: str
    folder: str
    pattern: str | None  # a file glob inside the folder, or None when the folder itself is the model
    marker: str | None = None  # for folder models: a file that must exist inside
    what: str = ""  # a noun phrase without an article: messages read "no {what} found at ..."


MODEL_KINDS: dict[str, ModelKind] = {
    k.name: k
    for k in (
        ModelKind("llm", "llm", "*.gguf", what="GGUF language model for the planner"),
        ModelKind("shading", "shading", "*.pth", what="learned sketch-shading weights (ShadingNet state dict)"),
        ModelKind("insightface", "insightface/models/buffalo_l", None, "det_10g.onnx", "InsightFace buffalo_l"),
        ModelKind("codeformer", "codeformer", "*.pth", what="CodeFormer face-restoration weights"),
        ModelKind("sdxl-base", "sdxl/base", None, "model_index.json", "SDXL inpainting pipeline (diffusers)"),
        ModelKind("sdxl-refiner", "sdxl/refiner", None, "model_index.json", "SDXL refiner (diffusers)"),
        ModelKind("sd15", "sd15", None, "model_index.json", "Stable Diffusion 1.5 (diffusers)"),
        ModelKind("controlnet-canny", "controlnet-canny", None, "config.json", "ControlNet canny (diffusers)"),
        ModelKind("ip-adapter", "ip-adapter", "*.safetensors", what="IP-Adapter weights"),
        ModelKind("clip", "clip", None, "config.json", "open_clip model (config.json + state dict)"),
    )
}


def kind(name: str) -> ModelKind:
    try:
        return MODEL_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown model kind {name!r}; known: {', '.join(MODEL_KINDS)}") from None


def find_model(settings: Settings, kind_name: str) -> Path | None:
    """The model file (first by name) or folder of this kind, or None when absent."""
    k = kind(kind_name)
    folder = settings.models / k.folder
    if k.pattern is None:
        return folder if k.marker and (folder / k.marker).is_file() else None
    matches = sorted(p for p in folder.glob(k.pattern) if p.is_file()) if folder.is_dir() else []
    return matches[0] if matches else None


def missing_reason(settings: Settings, kind_name: str) -> str:
    k = kind(kind_name)
    where = settings.models / k.folder
    wanted = f"{where}/{k.pattern}" if k.pattern else f"{where}/ (with {k.marker})"
    return f"no {k.what} found at {wanted}; add one with `atelier models add {k.name} PATH`"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def add_model(settings: Settings, kind_name: str, source: Path, sha256: str | None = None, link: bool = False) -> Path:
    """Check ``source`` against the kind's layout (and checksum), then copy or link it into place."""
    k = kind(kind_name)
    source = source.expanduser().resolve()
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist")
    if k.pattern is None:
        if not source.is_dir() or not (source / (k.marker or "")).is_file():
            raise ValueError(f"{k.name} must be a folder containing {k.marker}")
    else:
        if not source.is_file() or not source.match(k.pattern):
            raise ValueError(f"{k.name} must be a file matching {k.pattern}")
        if sha256 and sha256_file(source) != sha256.lower():
            raise ValueError(f"sha256 of {source} does not match {sha256}")
    dest_dir = settings.models / k.folder
    dest = dest_dir if k.pattern is None else dest_dir / source.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() or dest.is_symlink():
        raise FileExistsError(f"{dest} already exists")
    if link:
        dest.symlink_to(source, target_is_directory=source.is_dir())
    elif source.is_dir():
        shutil.copytree(source, dest)
    else:
        tmp = dest.with_name(f".{dest.name}.tmp")
        shutil.copy2(source, tmp)
        tmp.replace(dest)
    return dest
