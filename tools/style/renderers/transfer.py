"""Transfer: the colour of any reference without a known style — a luminance-ordered palette mapping for
line art, Reinhard Lab statistics for photos (the original palette backend). Used for attached
references that are not in the library."""

from __future__ import annotations

import numpy as np

from .common import from_lab, gradient_map, luminance, to_float, to_lab, to_uint8


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False,
           keep_light: float = 0.5) -> np.ndarray:
    """Recolour ``rgb`` (uint8) with the palette's colours, every edge kept.

    Parameters
    ----------
    keep_light : photos only: how much of the photo's mean lightness is kept (0 = the reference's).
    """
    img = to_float(rgb)
    if line_art:
        return to_uint8(gradient_map(luminance(img), palette))
    src = to_lab(img)
    tgt = to_lab(gradient_map(np.linspace(0, 1, 64, dtype=np.float32)[None], palette))
    mu_s, sd_s = src.reshape(-1, 3).mean(0), src.reshape(-1, 3).std(0) + 1e-6
    mu_t, sd_t = tgt.reshape(-1, 3).mean(0), tgt.reshape(-1, 3).std(0)
    scale = sd_t / sd_s
    scale[0] = max(1.0, float(scale[0]))
    mu_t[0] = keep_light * mu_s[0] + (1 - keep_light) * mu_t[0]
    return to_uint8(from_lab((src - mu_s) * scale + mu_t))
