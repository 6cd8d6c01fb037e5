"""The palette stylise backend's maths: structure from the input, colour from the reference.

Line art and sketches get a luminance-ordered palette mapping (darkest reference colour on the strokes,
lightest on the paper — reversed for dark styles, whose dominant colour becomes the paper), photos a
Reinhard Lab statistics transfer. Both are monotone in luminance, so every
edge stays where it was.
"""

from __future__ import annotations

import cv2
import numpy as np

from atelier.core.edges import canny_edges, tolerant_f1


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """Lab with L in [0, 100], a/b around 0 (float32)."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def to_rgb(lab: np.ndarray) -> np.ndarray:
    return np.clip(cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def extract_palette(rgb: np.ndarray, k: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k dominant colours (k-means in Lab on a downscaled copy) as Lab rows sorted dark to light, and the
    share of the image each one covers."""
    small = cv2.resize(rgb, (96, 96), interpolation=cv2.INTER_AREA)
    samples = to_lab(small).reshape(-1, 3)
    k = int(min(k, len(np.unique(samples.round(1), axis=0))))
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 40, 0.2)
    _, labels, centres = cv2.kmeans(samples, k, None, criteria, 4, cv2.KMEANS_PP_CENTERS)
    share = np.bincount(labels.ravel(), minlength=k) / labels.size
    order = np.argsort(centres[:, 0])
    return centres[order].astype(np.float32), share[order]


def is_line_art(rgb: np.ndarray) -> bool:
    """A sketch or a drawing rather than a photo: little colour, and light paper that a good share of the
    image sits on. The paper is the 90th-percentile grey (so off-white, grainy or slightly shaded paper
    counts, not only pure white); at least 35 % of the pixels lie within 25 levels of it. A shaded pencil
    sketch (Sketchify's, ~40-60 % paper) passes; photos, even grey ones, spread over their tones and fail."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    sat = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 1]
    paper = float(np.percentile(gray, 90))
    on_paper = float((np.abs(gray - paper) < 25).mean())
    return bool(paper >= 215 and on_paper >= 0.35 and np.median(sat) < 40)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """The grey level OpenCV's RGB2GRAY gives (what the edge metric sees), as float."""
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def palette_map(gray: np.ndarray, palette_lab: np.ndarray) -> np.ndarray:
    """Luminance in [0, 255] -> a colour along the dark-to-light palette (interpolated in Lab).

    The hue and chroma follow the palette; the output's grey level is then put back on a straight line
    between the palette's ends (solved per level, by bisection on L). Interpolating in Lab alone is only
    monotone: a magenta in the middle of a neon palette can sit brighter than the next colour's luma, so a
    mid-grey stroke ends up as strong as a black one, or a faint one as faint as paper. Affine in grey, every
    stroke keeps the contrast step it had relative to the others and to the paper."""
    levels = np.arange(256, dtype=np.float32)
    t = levels / 255.0 * (len(palette_lab) - 1)
    i = np.minimum(t.astype(int), len(palette_lab) - 2)
    f = (t - i)[:, None]
    lab = (palette_lab[i] * (1 - f) + palette_lab[i + 1] * f).astype(np.float32)
    ends = _luma(to_rgb(lab[[0, -1]][None]).astype(np.float32))[0]
    target = ends[0] + (ends[1] - ends[0]) * levels / 255.0
    lo, hi = np.zeros(256, np.float32), np.full(256, 100.0, np.float32)
    for _ in range(16):
        mid = (lo + hi) / 2
        probe = np.concatenate([mid[:, None], lab[:, 1:]], axis=1)[None]
        bright = _luma(cv2.cvtColor(probe, cv2.COLOR_LAB2RGB)[0] * 255.0) > target
        hi, lo = np.where(bright, mid, hi), np.where(bright, lo, mid)
    lab[:, 0] = (lo + hi) / 2
    lut = to_rgb(lab[None])[0]
    return lut[np.clip(gray, 0, 255).astype(np.uint8)]


def ensure_contrast(palette_lab: np.ndarray, min_range: float = 75.0) -> np.ndarray:
    """Stretch the palette's lightness (about its middle) to span at least ``min_range`` of L, strictly
    increasing: strokes must stay as visible as they were, whatever the style's own contrast."""
    pal = palette_lab.copy()
    lo, hi = float(pal[0, 0]), float(pal[-1, 0])
    if hi - lo < min_range:
        mid = min(max((lo + hi) / 2, min_range / 2), 100 - min_range / 2)
        span = max(hi - lo, 1e-3)
        pal[:, 0] = mid + (pal[:, 0] - (lo + hi) / 2) * (min_range / span)
    for i in range(1, len(pal)):
        pal[i, 0] = max(pal[i, 0], pal[i - 1, 0] + 1.0)
    pal[:, 0] = np.clip(pal[:, 0], 0, 100)
    return pal


def reinhard(rgb: np.ndarray, ref: np.ndarray, keep_light: float = 0.5) -> np.ndarray:
    """Match the Lab mean and standard deviation of ``rgb`` to those of ``ref`` (Reinhard et al. 2001) —
    fully for colour (a, b); for lightness, move the mean ``1 - keep_light`` of the way and never lower the
    contrast, so the photo's structure survives a flat reference."""
    src, tgt = to_lab(rgb), to_lab(cv2.resize(ref, (128, 128), interpolation=cv2.INTER_AREA))
    mu_s, sd_s = src.reshape(-1, 3).mean(0), src.reshape(-1, 3).std(0) + 1e-6
    mu_t, sd_t = tgt.reshape(-1, 3).mean(0), tgt.reshape(-1, 3).std(0)
    scale = sd_t / sd_s
    scale[0] = max(1.0, scale[0])
    mu_t = mu_t.copy()
    mu_t[0] = keep_light * mu_s[0] + (1 - keep_light) * mu_t[0]
    return to_rgb((src - mu_s) * scale + mu_t)


def colour_histogram(rgb: np.ndarray) -> np.ndarray:
    small = cv2.resize(rgb, (128, 128), interpolation=cv2.INTER_AREA)
    # 5 bins for a and b: neutral (128) falls mid-bin, so near-greys do not flip bins on a tiny tint
    hist = cv2.calcHist([cv2.cvtColor(small, cv2.COLOR_RGB2LAB)], [0, 1, 2], None, [4, 5, 5],
                        [0, 256, 0, 256, 0, 256]).ravel()
    return hist / max(float(hist.sum()), 1.0)


def style_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Hellinger distance between Lab colour histograms: 0 same colours, 1 nothing in common."""
    ha, hb = colour_histogram(a), colour_histogram(b)
    return float(np.sqrt(max(0.0, 1.0 - float(np.sum(np.sqrt(ha * hb))))))


def structure_f1(out: np.ndarray, original: np.ndarray) -> float | None:
    """F1 of Canny edges of the output against those of the input, 2-px tolerance (thresholds relative to
    each image's own gradients, so a tone change alone does not count as lost structure)."""
    def edges(im: np.ndarray) -> np.ndarray:
        return canny_edges(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), relative=True)

    return tolerant_f1(edges(out), edges(original))


def stylize_palette(rgb: np.ndarray, ref: np.ndarray, strength: float = 1.0, mode: str = "auto",
                    seed: int = 0) -> tuple[np.ndarray, str]:
    """Restyle ``rgb`` with the colours of ``ref``; returns (image, mode used)."""
    if mode == "auto":
        mode = "line_art" if is_line_art(rgb) else "photo"
    if mode == "line_art":
        palette, share = extract_palette(ref, 5, seed)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if palette[int(np.argmax(share)), 0] < 45:  # a dark style: dark paper, bright strokes (still monotone)
            gray = 255 - gray
        out = palette_map(gray, ensure_contrast(palette))
    else:
        out = reinhard(rgb, ref)
    if strength < 1.0:
        out = cv2.addWeighted(out, strength, rgb, 1.0 - strength, 0.0)
    return out, mode
