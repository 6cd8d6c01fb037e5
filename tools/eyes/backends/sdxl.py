"""The SDXL inpainter: ``StableDiffusionXLInpaintPipeline`` (+ refiner) from ``ATELIER_MODELS/sdxl/``.

The aligned working frame is 1024 px, SDXL's own size, so the crop goes in as it is. The refiner, when
present, takes over the last ``1 - high_noise_frac`` of the denoising from the base's latents (the seed's
ensemble-of-experts set-up). Pipelines load once per process and are reused for every face and variation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from atelier.core.backends import Availability
from atelier.core.config import Settings
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.models import find_model, missing_reason

from . import EyeJob

NAME = "sdxl"
NEGATIVE = ("closed eyes, blinking, squinting, half-closed eyes, cartoon, painting, blurry, deformed iris, "
            "asymmetric eyes")


@dataclass(frozen=True)
class SDXLPreset:
    prompt: str
    negative: str = NEGATIVE
    steps: int = 30
    guidance: float = 7.5
    strength: float = 0.99
    high_noise_frac: float = 0.8  # base does this share of the steps, the refiner the rest
    refine: bool = True


PRESETS: dict[str, SDXLPreset] = {
    "default": SDXLPreset("photo of a person with open eyes looking at the camera, natural eyes, detailed iris, "
                          "realistic skin texture, sharp focus"),
    "fast": SDXLPreset("photo of a person with open eyes, natural eyes, realistic", steps=15, refine=False),
    "hq": SDXLPreset("high quality photo of a person with open eyes looking at the camera, natural eyes, detailed "
                     "iris and eyelashes, realistic skin texture, sharp focus, 8k", steps=50, high_noise_frac=0.75),
    "blue_eyes": SDXLPreset("photo of a person with open blue eyes looking at the camera, detailed blue iris, "
                            "realistic skin texture, sharp focus"),
}


def sdxl_note(settings: Settings) -> Availability:
    """Whether the refiner is there too (the base alone still runs)."""
    refiner = find_model(settings, "sdxl-refiner")
    return Availability(True, None, "SDXL inpainting" + (" + refiner" if refiner else
                                                         " (no refiner at sdxl/refiner/: base only)"))


@functools.lru_cache(maxsize=1)
def _pipelines(base: str, refiner: str | None):
    from diffusers import StableDiffusionXLInpaintPipeline

    from atelier.core.diffusion import offline_kwargs, placement

    place = placement()
    kw = offline_kwargs(place)
    pipe = StableDiffusionXLInpaintPipeline.from_pretrained(base, **kw).to(place.device)
    pipe.set_progress_bar_config(disable=True)
    ref = None
    if refiner:
        ref = StableDiffusionXLInpaintPipeline.from_pretrained(
            refiner, text_encoder_2=pipe.text_encoder_2, vae=pipe.vae, **kw).to(place.device)
        ref.set_progress_bar_config(disable=True)
    return pipe, ref, place


class SDXLInpainter:
    name = NAME

    def __init__(self, settings: Settings, preset: str = "default", steps: int | None = None):
        base = find_model(settings, "sdxl-base")
        if base is None:
            raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"open_eyes backend 'sdxl' cannot run: "
                            f"{missing_reason(settings, 'sdxl-base')}")
        if preset not in PRESETS:
            raise ToolError(ErrorCode.BAD_ARGUMENT, f"unknown SDXL preset {preset!r}; known: {', '.join(PRESETS)}")
        refiner = find_model(settings, "sdxl-refiner")
        self.preset = PRESETS[preset]
        self.steps = steps or self.preset.steps
        self.pipe, self.refiner, self.place = _pipelines(str(base), str(refiner) if refiner else None)

    def inpaint(self, job: EyeJob, seed: int) -> np.ndarray:
        from PIL import Image

        from atelier.core.diffusion import generator

        p = self.preset
        size = job.alignment.size
        image = Image.fromarray(job.frame)
        mask = Image.fromarray((job.mask * 255).astype(np.uint8))
        common = dict(prompt=p.prompt, negative_prompt=p.negative, image=image, mask_image=mask, width=size,
                      height=size, num_inference_steps=self.steps, guidance_scale=p.guidance, strength=p.strength,
                      generator=generator(seed, self.place))
        if self.refiner is not None and p.refine:
            latents = self.pipe(**common, denoising_end=p.high_noise_frac, output_type="latent").images
            common["generator"] = generator(seed, self.place)
            out = self.refiner(**{**common, "image": latents}, denoising_start=p.high_noise_frac,
                               output_type="np").images[0]
        else:
            out = self.pipe(**common, output_type="np").images[0]
        frame = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
        if frame.shape[:2] != (size, size):
            import cv2

            frame = cv2.resize(frame, (size, size), interpolation=cv2.INTER_CUBIC)
        return frame
