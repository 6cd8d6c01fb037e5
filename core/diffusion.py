"""Shared loading for diffusers pipelines: device and dtype, offline from local folders only, load once.

Pipelines are one file each (``tools/style/diffusion.py``; later the SDXL eye inpainter); this module is the
part they share, so a second pipeline is a new file, not a copy of this code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    device: str
    dtype_name: str  # "float16" on CUDA, "float32" on CPU

    @property
    def dtype(self):
        import torch

        return getattr(torch, self.dtype_name)


def placement() -> Placement:
    """CUDA with fp16 when a GPU is present (``ATELIER_DEVICE`` overrides), else CPU fp32."""
    import torch

    from .config import load_settings

    wanted = load_settings().device
    device = wanted or ("cuda" if torch.cuda.is_available() else "cpu")
    return Placement(device, "float16" if device.startswith("cuda") else "float32")


def offline_kwargs(place: Placement) -> dict:
    return {"local_files_only": True, "torch_dtype": place.dtype}


def generator(seed: int, place: Placement):
    import torch

    return torch.Generator(device="cpu" if place.device == "mps" else place.device).manual_seed(int(seed))
