"""An image embedding that needs no weights: coarse colour (Lab marginals and a hue wheel) plus texture
statistics that tell techniques apart (ink outlines, flat fills, halftone dots, washes, facets, brush
texture), L2-normalised.
Good at "what colours and what kind of marks", blind to "what objects".

A colour histogram alone cannot recognise a style that is a technique rather than a palette: a comic
panel and a watercolour of the same photo share most of their colours. The texture block measures how
the picture is made: how much of it is flat, how many colours it uses, how dark and thin its edges are,
whether its edges are straight, whether it holds a periodic dot screen, how grainy it is.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIDE = 160
COLOUR_WEIGHT = 1.0
ORIENT_WEIGHT = 0.35
TEXTURE_WEIGHT = 0.05  # per z-scored statistic: the 25 together weigh about as much as the colour
# the texture statistics are z-scored by their mean and spread over the shipped references, so each
# counts by how unusual it is, not by its units; a statistic whose references barely vary still counts
TEXTURE_CENTRE = np.array([0.12, 0.25, 0.19, 0.20, 0.24, 0.09, 0.19, 0.32, 0.41, 0.53, 0.47, 0.71, 0.82,
                           0.29, 0.25, 0.08, 0.65, 0.46, 0.39, 0.48, 0.47, 0.33, 0.28, 0.07, 0.08], np.float32)
TEXTURE_SPREAD = np.array([0.12, 0.12, 0.09, 0.08, 0.08, 0.11, 0.07, 0.10, 0.08, 0.11, 0.17, 0.14, 0.10,
                           0.14, 0.12, 0.03, 0.06, 0.05, 0.06, 0.15, 0.12, 0.21, 0.18, 0.13, 0.11], np.float32)


def resize_long_side(rgb: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    return cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def colour_profile(lab: np.ndarray) -> np.ndarray:
    """44 coarse colour bins, Hellinger-mapped (sqrt of proportions): 8 bins each of lightness, a and b
    (their marginals, a third of the mass each), then a 12-bin hue wheel weighted by chroma and the
    8 lightness bins again (the palette's tonal key counts twice: it carries most of a grade's identity).

    Marginals and a hue wheel say which palette a picture is painted in whatever the subject; a joint
    3-D histogram also says where each colour sits, which mostly tells apart the subjects of two renders
    of one style (on the dev set of ``evals/style/tune_descriptor.py``, with orientations and no texture:
    61 % of renders recognised with a 100-bin joint histogram, 84 % with these marginals, 87 % with the
    hue wheel added, 92 % with the texture block too; report ``evals/reports/style_descriptor_dev.md``)."""
    light = lab[..., 0].astype(np.float32) * (100 / 255)
    a = lab[..., 1].astype(np.float32) - 128
    b = lab[..., 2].astype(np.float32) - 128
    n = light.size
    l_hist = np.histogram(light, np.linspace(0, 100.01, 9))[0] / n
    ab_edges = np.linspace(-60, 60, 9)
    a_hist = np.histogram(np.clip(a, -59.9, 59.9), ab_edges)[0] / n
    b_hist = np.histogram(np.clip(b, -59.9, 59.9), ab_edges)[0] / n
    chroma = np.minimum(np.hypot(a, b), 60.0)
    hue = (np.arctan2(b, a) % (2 * np.pi)) / (2 * np.pi)
    wheel = np.bincount((hue * 12).astype(int).ravel() % 12, weights=chroma.ravel(), minlength=12) / (60 * n)
    return np.concatenate([np.sqrt(np.concatenate([l_hist, a_hist, b_hist]) / 3), np.sqrt(wheel),
                           np.sqrt(l_hist)]).astype(np.float32)


def orientation_histogram(mag: np.ndarray, ang: np.ndarray) -> np.ndarray:
    """8 bins of gradient orientation weighted by magnitude (hatching direction, brush direction)."""
    bins = (ang % np.pi / np.pi * 8).astype(int) % 8
    orient = np.bincount(bins.ravel(), weights=mag.ravel(), minlength=8)
    return np.sqrt(orient / max(orient.sum(), 1e-6))


def local_contrast_histogram(gray: np.ndarray) -> np.ndarray:
    """Share of pixels by 5x5 local standard deviation: flat fills (< 2 grey levels) to busy texture."""
    var = np.maximum(cv2.blur(gray * gray, (5, 5)) - cv2.blur(gray, (5, 5)) ** 2, 0)
    std = np.sqrt(var)
    return np.histogram(std, [0, 2, 6, 14, 30, 1e9])[0] / std.size


def magnitude_histogram(mag: np.ndarray) -> np.ndarray:
    """Share of pixels by gradient magnitude on log bins: soft washes sit low, inks and dots high."""
    return np.histogram(mag, [0, 4, 16, 64, 1e9])[0] / mag.size


def colour_count(small: np.ndarray) -> tuple[float, float]:
    """How many colours the picture uses (4 bits a channel, those that cover 95 % of it, on a log scale
    to 1) and the share of its 8 commonest colours (flat prints and pixel art use few)."""
    q = (small >> 4).astype(np.int32)
    codes = (q[..., 0] << 8) | (q[..., 1] << 4) | q[..., 2]
    counts = np.sort(np.bincount(codes.ravel(), minlength=4096))[::-1]
    share = np.cumsum(counts) / max(counts.sum(), 1)
    used = int(np.searchsorted(share, 0.95)) + 1
    return float(np.log(used) / np.log(4096)), float(share[7])


def thin_lines(gray: np.ndarray) -> tuple[float, float]:
    """Share of pixels on thin dark lines (black-hat) and on thin light lines (top-hat): ink outlines,
    leading, hatching versus glows and chalk."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    dark = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel) > 40
    light = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel) > 40
    return float(dark.mean()), float(light.mean())


def straightness(edges: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> tuple[float, float]:
    """Share of edge pixels on straight segments (probabilistic Hough, >= 12 px) and the mean orientation
    coherence of the structure tensor at edges: facets and leading are straight, washes and fur are not."""
    n = int(edges.sum())
    if n == 0:
        return 0.0, 0.0
    segments = cv2.HoughLinesP(edges.astype(np.uint8) * 255, 1, np.pi / 90, 12, minLineLength=12, maxLineGap=1)
    on_line = np.zeros(edges.shape, np.uint8)
    for x0, y0, x1, y1 in ([] if segments is None else segments.reshape(-1, 4)):
        cv2.line(on_line, (int(x0), int(y0)), (int(x1), int(y1)), 1, 1)
    straight = float((on_line.astype(bool) & edges).sum() / n)
    jxx, jyy, jxy = (cv2.GaussianBlur(a, (0, 0), 1.5) for a in (gx * gx, gy * gy, gx * gy))
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / np.maximum(jxx + jyy, 1e-6)
    return straight, float(coherence[edges].mean())


def dot_screen(gray: np.ndarray) -> float:
    """How periodic the fine detail is: the strongest mid/high-frequency peak of the high-passed image's
    spectrum over the band's mean (halftone screens and pixel grids give sharp peaks), log-scaled to ~[0, 1]."""
    side = 128
    patch = cv2.resize(gray, (side, side), interpolation=cv2.INTER_AREA)
    high = patch - cv2.GaussianBlur(patch, (0, 0), 2.0)
    spec = np.abs(np.fft.fftshift(np.fft.fft2(high * np.outer(np.hanning(side), np.hanning(side)))))
    yy, xx = np.mgrid[-side // 2:side // 2, -side // 2:side // 2]
    radius = np.hypot(yy, xx)
    band = spec[(radius > 8) & (radius < side // 2 - 2)]
    if band.size == 0 or band.mean() <= 1e-6:
        return 0.0
    return float(np.clip(np.log(band.max() / band.mean()) / 5.0, 0, 1.5))


def texture_statistics(small: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """The 25 texture and tone statistics, each roughly in [0, 1]."""
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    mag = cv2.magnitude(gx, gy)
    edges = cv2.Canny(small, 60, 150) > 0
    ring = cv2.dilate(edges.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    edge_dark = 1.0 - float(np.percentile(gray[ring], 10)) / 255 if ring.any() else 0.0  # inked edges are black
    count, top8 = colour_count(small)
    dark_lines, light_lines = thin_lines(gray)
    straight, coherence = straightness(edges, gx, gy)
    grain = float(np.abs(gray - cv2.GaussianBlur(gray, (0, 0), 1.0)).mean())
    broad = float(np.abs(gray - cv2.GaussianBlur(gray, (0, 0), 4.0)).mean())
    chroma = np.hypot(lab[..., 1].astype(np.float32) - 128, lab[..., 2].astype(np.float32) - 128)
    return np.concatenate([
        local_contrast_histogram(gray), magnitude_histogram(mag),
        [count, top8, min(edges.mean() * 4, 1.0), edge_dark, min(dark_lines * 4, 1.0), min(light_lines * 4, 1.0),
         straight, coherence, dot_screen(gray), grain / max(broad, 1.0),
         gray.mean() / 255, gray.std() / 128, min(chroma.mean() / 60, 1.5), min(chroma.std() / 40, 1.5),
         (gray > 235).mean(), (gray < 20).mean()],
    ]).astype(np.float32)


def image_descriptor(rgb: np.ndarray) -> np.ndarray:
    """A 77-d unit vector for an RGB uint8 image: 44 colour bins, 8 orientations, 25 texture statistics.

    >>> a = np.zeros((40, 40, 3), np.uint8); b = a.copy(); b[..., 0] = 255
    >>> bool(image_descriptor(a) @ image_descriptor(a) > 0.999), bool(image_descriptor(a) @ image_descriptor(b) < 0.9)
    (True, True)
    """
    small = resize_long_side(rgb)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    mag, ang = cv2.cartToPolar(gx, gy)
    texture = (texture_statistics(small, lab) - TEXTURE_CENTRE) / TEXTURE_SPREAD
    vec = np.concatenate([colour_profile(lab) * COLOUR_WEIGHT, orientation_histogram(mag, ang) * ORIENT_WEIGHT,
                          texture * TEXTURE_WEIGHT]).astype(np.float32)
    return vec / max(float(np.linalg.norm(vec)), 1e-9)


class DescriptorEmbedder:
    name = "descriptor"
    version = 3  # bump when the features change at the same dimension
    dim = 77

    def encode(self, images: list[np.ndarray]) -> np.ndarray:
        return np.stack([image_descriptor(img) for img in images]).astype(np.float32)
