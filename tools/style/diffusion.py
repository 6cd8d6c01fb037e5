"""The diffusion stylise backend: SD1.5 + ControlNet-canny (+ IP-Adapter when present), from local folders.

Structure comes from the input's Canny edges (ControlNet), look from the style's words and, with an
IP-Adapter, from the reference image itself. The seed project's settings are the defaults: Canny 50/150,
conditioning scale 1.5, IP-Adapter scale 0.8, 20 steps, guidance 7.5. Weights come from
``ATELIER_MODELS/sd15/``, ``controlnet-canny/`` and, optionally, ``ip-adapter/`` (a ``*.safetensors`` file,
with an ``image_encoder/`` folder beside it). Loaded once per set of folders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atelier.core.config import Settings
from atelier.core.models import find_model


@dataclass(frozen=True)
class DiffusionParams:
    steps: int = 20
    guidance: float = 7.5
    controlnet_scale: float = 1.5
    ip_adapter_scale: float = 0.8
    canny_low: int = 50
    canny_high: int = 150
    side: int = 512  # SD1.5 works at 512 on the long side; the result is resized back to the input size


@functools.lru_cache(maxsize=1)
def _pipeline(sd15: str, controlnet: str, ip_adapter: str | None):
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline

    from atelier.core.diffusion import offline_kwargs, placement

    place = placement()
    kw = offline_kwargs(place)
    net = ControlNetModel.from_pretrained(controlnet, **kw)
    pipe = StableDiffusionControlNetPipeline.from_pretrained(sd15, controlnet=net, safety_checker=None,
                                                             requires_safety_checker=False, **kw)
    if ip_adapter:
        weights = Path(ip_adapter)
        encoder = weights.parent / "image_encoder"
        pipe.load_ip_adapter(str(weights.parent), subfolder="", weight_name=weights.name,
                             image_encoder_folder=str(encoder) if encoder.is_dir() else None, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(place.device), place


def canny_control(rgb: np.ndarray, size: tuple[int, int], low: int, high: int) -> np.ndarray:
    """The ControlNet condition: white Canny edges of the input on black, at the working size."""
    import cv2

    gray = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(gray, low, high)
    return np.stack([edges] * 3, axis=-1)


def working_size(height: int, width: int, side: int) -> tuple[int, int]:
    """(width, height) with the long side at ``side`` and both multiples of 8."""
    scale = side / max(height, width)
    return max(8, int(round(width * scale / 8)) * 8), max(8, int(round(height * scale / 8)) * 8)


def stylize_diffusion(rgb: np.ndarray, ref: np.ndarray, prompt: str, settings: Settings, seed: int = 0,
                      params: DiffusionParams = DiffusionParams()) -> np.ndarray:
    import cv2
    from PIL import Image

    from atelier.core.diffusion import generator

    ip = find_model(settings, "ip-adapter")
    pipe, place = _pipeline(str(find_model(settings, "sd15")), str(find_model(settings, "controlnet-canny")),
                            str(ip) if ip else None)
    size = working_size(rgb.shape[0], rgb.shape[1], params.side)
    control = Image.fromarray(canny_control(rgb, size, params.canny_low, params.canny_high))
    extra = {}
    if ip:
        pipe.set_ip_adapter_scale(params.ip_adapter_scale)
        extra["ip_adapter_image"] = Image.fromarray(ref[..., :3])
    out = pipe(prompt=prompt, negative_prompt="blurry, low quality, deformed", image=control,
               num_inference_steps=params.steps, guidance_scale=params.guidance,
               controlnet_conditioning_scale=params.controlnet_scale, width=size[0], height=size[1],
               generator=generator(seed, place), output_type="np", **extra).images[0]
    img = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.resize(img, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_CUBIC)
