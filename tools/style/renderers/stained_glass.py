"""Stained glass: superpixel panes (SLIC), each one flat jewel-toned glass lit from behind, separated by
dark lead cames on every pane boundary."""

from __future__ import annotations

import cv2
import numpy as np

from .common import luminance, nearest_colour, saturate, side_scale, to_float, to_uint8


def panes(img: np.ndarray, cells: int, compactness: float, seed: int, max_side: int = 360) -> np.ndarray:
    """SLIC superpixel labels (0..n-1) at full size, computed on a copy at most ``max_side`` px."""
    from skimage.segmentation import slic

    h, w = img.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small = cv2.resize(img, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)
    labels = slic(small, n_segments=cells, compactness=compactness, start_label=0, channel_axis=-1,
                  enforce_connectivity=True)
    return cv2.resize(labels.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)


def boundaries(labels: np.ndarray) -> np.ndarray:
    """Pixels whose right or lower neighbour belongs to another pane (and those neighbours)."""
    b = np.zeros(labels.shape, bool)
    dx = labels[:, 1:] != labels[:, :-1]
    dy = labels[1:, :] != labels[:-1, :]
    b[:, 1:] |= dx
    b[:, :-1] |= dx
    b[1:, :] |= dy
    b[:-1, :] |= dy
    return b


def pane_means(img: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mean colour of every pane, (n, 3)."""
    n = int(labels.max()) + 1
    flat = labels.ravel()
    counts = np.maximum(np.bincount(flat, minlength=n), 1)[:, None]
    return np.stack([np.bincount(flat, img[..., c].ravel(), n) for c in range(3)], 1) / counts


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, cells: int = 220,
           compactness: float = 12.0, lead: float = 3.0, jewel: float = 0.55, saturation: float = 1.6,
           backlight: float = 0.35, texture: float = 0.05) -> np.ndarray:
    """Rebuild ``rgb`` (uint8) as a leaded glass window.

    Parameters
    ----------
    cells : approximate number of panes.
    compactness : SLIC compactness (higher = rounder, more regular panes).
    lead : width of the lead lines in px (at 512 px).
    jewel : pull of each pane's colour to the nearest palette colour.
    saturation : chroma boost of the glass.
    backlight : brighter pane centres, darker near the lead.
    texture : mottling of the glass.
    """
    s = side_scale(rgb.shape)
    img = to_float(rgb)
    labels = panes(img, cells, compactness, seed)
    means = pane_means(img, labels).astype(np.float32)
    glass_pal = palette[1:] if len(palette) > 2 else palette
    nearest = glass_pal[nearest_colour(means[None], glass_pal, light_weight=0.3)[0]]
    colours = saturate((means * (1 - jewel) + nearest * jewel)[None], saturation)[0]
    colours = np.clip(colours * (0.8 + 0.35 * (luminance(means[None])[0] > 0.5))[:, None], 0, 1)
    if line_art:
        rng_pane = np.random.default_rng(seed + 1)
        shade = 0.55 + 0.45 * luminance(means[None])[0][:, None]
        colours = saturate(glass_pal[rng_pane.integers(0, len(glass_pal), len(means))][None], saturation)[0] * shade
    glass = colours[labels]
    edge = boundaries(labels)
    width = max(1, int(round(lead * s)))
    leads = cv2.dilate(edge.astype(np.uint8), np.ones((width, width), np.uint8)) > 0
    inside = cv2.distanceTransform((~leads).astype(np.uint8), cv2.DIST_L2, 3)
    light = 1 - backlight + backlight * np.clip(inside / (12 * s), 0, 1)
    rng = np.random.default_rng(seed)
    mottle = cv2.GaussianBlur(rng.standard_normal(labels.shape).astype(np.float32), (0, 0), 3 * s)
    glass = glass * (light * (1 + texture * mottle / (mottle.std() + 1e-6)))[..., None]
    glass[leads] = palette[0] * 0.25
    return to_uint8(np.clip(glass, 0, 1))
