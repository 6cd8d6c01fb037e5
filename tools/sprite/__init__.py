"""Sprite reconstruction: the true pixel grid of upscaled or AI-made pixel art, and the clean low-res sprite.

``recover_sprite`` is the public function other tools call (``describe_punk`` brings an upscaled punk back to
its grid with it); everything else in this folder is the tool's own.
"""

from __future__ import annotations

from typing import Any


def recover_sprite(pixels: Any) -> Any:
    """The ``Reconstruction`` (grid, sprite, metrics) of an RGB or RGBA uint8 image, with default settings."""
    from .reconstruct import reconstruct

    return reconstruct(pixels)
