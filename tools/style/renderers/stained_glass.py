"""Stained glass: superpixel panes (SLIC), each one flat jewel-toned glass lit from behind, separated by
dark lead cames on every pane boundary."""

from __future__ import annotations

import cv2
import numpy as np

from .common import hue_ranks, luminance, saturate, side_scale, strokes, to_float, to_uint8


def sketch_panes(rgb: np.ndarray, cells: int, seed: int, max_side: int = 360) -> tuple[np.ndarray, np.ndarray]:
    """Panes for a sketch, cut along its strokes: SLIC on the drawing's tone plus a strongly weighted
    stroke map (so pane boundaries run along the strokes, not across them); returns (labels, stroke map)."""
    from skimage.segmentation import slic

    s = side_scale(rgb.shape)
    ink = strokes(rgb)
    bold = cv2.GaussianBlur(cv2.dilate(ink, np.ones((3, 3), np.uint8)), (0, 0), 1.0 * s)
    tone = cv2.GaussianBlur(1.0 - ink, (0, 0), 3.0 * s)
    feat = np.dstack([tone, tone, bold * 2.5]).astype(np.float32)
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small = cv2.resize(feat, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)
    labels = slic(small, n_segments=cells, compactness=0.25, start_label=0, channel_axis=-1,
                  enforce_connectivity=True, convert2lab=False)
    return cv2.resize(labels.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST), ink


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
    jewel : pull of each pane's colour to its glass colour (the palette colour at its hue rank).
    saturation : chroma boost of the glass.
    backlight : brighter pane centres, darker near the lead.
    texture : mottling of the glass.
    """
    s = side_scale(rgb.shape)
    img = to_float(rgb)
    ink = None
    if line_art:
        labels, ink = sketch_panes(rgb, cells, seed)
    else:
        labels = panes(img, cells, compactness, seed)
    means = pane_means(img, labels).astype(np.float32)
    glass_pal = palette[1:] if len(palette) > 2 else palette
    jewels = saturate(glass_pal[None], saturation)[0]
    jewels = 0.85 * jewels / np.maximum(jewels.max(axis=1, keepdims=True), 1e-3)
    # the pane's light and dark survive as light and deep glass; the hue comes from the jewels
    tone = luminance(means[None])[0]
    tone = (tone - tone.min()) / max(float(np.ptp(tone)), 1e-3)
    shade = (0.3 + 0.75 * tone)[:, None]
    if line_art:
        pick = np.random.default_rng(seed + 1).integers(0, len(jewels), len(means))
        colours = np.clip(jewels[pick] * shade + 0.25 * tone[:, None] ** 3, 0, 1)
    else:
        area = np.bincount(labels.ravel(), minlength=len(means))
        glass_colour = jewels[hue_ranks(means, glass_pal, area)] * shade
        colours = np.clip(glass_colour * jewel + saturate(means[None], saturation)[0] * (1 - jewel), 0, 1)
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
    if ink is not None:  # the drawing's own strokes are leaded too, so the subject reads through the window
        came = np.clip((cv2.GaussianBlur(ink, (0, 0), 0.8 * s) - 0.3) * 2.5, 0, 1)[..., None]
        glass = glass * (1 - came) + palette[0] * 0.25 * came
    return to_uint8(np.clip(glass, 0, 1))
