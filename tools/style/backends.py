"""The style tools' backends, one record each (see ``atelier.core.backends``)."""

from __future__ import annotations

from atelier.core.backends import Availability, Backend
from atelier.core.config import Settings


def _ip_adapter_note(settings: Settings) -> Availability:
    from atelier.core.models import find_model

    ip = find_model(settings, "ip-adapter")
    return Availability(True, None, "SD1.5 + ControlNet-canny" + (" + IP-Adapter" if ip else
                                                                  " (no IP-Adapter: style from words only)"))


RESTYLE_BACKENDS = (
    Backend("restyle", "palette", "built in: a classical renderer per style family, palette from the reference",
            setting="stylize"),
    Backend("restyle", "diffusion", "SD1.5 + ControlNet-canny (+ IP-Adapter)", models=("sd15", "controlnet-canny"),
            packages=("diffusers",), probe=_ip_adapter_note, setting="stylize", resources={"GPU": 1}),
)
EMBEDDING_BACKENDS = (
    Backend("embeddings", "minilm", "all-MiniLM-L6-v2 text + colour/texture image descriptor, offline",
            setting="embeddings"),
    Backend("embeddings", "clip", "open_clip text+image embeddings from ATELIER_MODELS/clip",
            models=("clip",), packages=("open_clip",), setting="embeddings"),
)
