"""Classical face restoration as plain functions, in the order they run: measure, deblock, denoise with the
texture kept, gentle local contrast. A face whose measured noise is below the sensor floor and that shows no
JPEG blocking is returned as it is (bit for bit): there is nothing to restore, and any filter would only add
rounding grain or lift contrast. A blocky face is deblocked and its ringing softened channel by channel (no
8-bit colour-space round trip, whose rounding reads as grain); a noisy one loses its grain but not its pores
and freckles, and only then is local contrast lifted."""

from __future__ import annotations

import numpy as np

from atelier.tools.faces.quality import blockiness, noise_sigma, texture_energy

DENOISE_ABOVE = 3.0  # the sensor floor, luminance grey levels: below it the face counts as clean, not denoised
BLOCKY_ABOVE = 1.3  # block-border steps this much larger than other steps: JPEG blocking to smooth
REINJECT = 0.12  # share of the removed residual put back: keeps grain-level texture, so skin is not waxy


def sharpness(rgb: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Variance of the Laplacian: more fine detail, higher value."""
    import cv2

    lap = cv2.Laplacian(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.CV_32F)
    return float(lap[mask > 0.5].var() if mask is not None else lap.var())


def deblock(rgb: np.ndarray, offset: tuple[int, int] = (0, 0), strength: float = 1.0) -> np.ndarray:
    """Smooth the small steps across JPEG's 8-px block borders (an H.264-style edge filter: the two pixels
    either side of a border move towards each other); steps larger than ``limit`` are real edges and stay.
    ``offset`` is the (x, y) of the array's top-left corner in the file's grid.

    >>> flat = np.full((16, 16, 3), 100, np.uint8); flat[:, 8:] = 106
    >>> int(deblock(flat)[0, 7, 0]), int(deblock(flat)[0, 8, 0])
    (102, 104)
    """
    out = rgb.astype(np.float32)
    limit = 14.0 * strength
    for axis in (1, 0):
        n = out.shape[axis]
        first = (8 - offset[0 if axis == 1 else 1] % 8) % 8 or 8  # the first pixel after a block border
        for q in range(max(first, 2), n - 1, 8):
            p1, p0, q0, q1 = (np.take(out, k, axis=axis) for k in (q - 2, q - 1, q, q + 1))
            step = q0 - p0
            gate = (np.abs(step) < limit) & (np.abs(p1 - p0) < limit / 2) & (np.abs(q1 - q0) < limit / 2)
            d = np.where(gate, step, 0.0)
            sl = [slice(None)] * out.ndim
            for k, delta in ((q - 2, d / 6), (q - 1, d / 3), (q, -d / 3), (q + 1, -d / 6)):
                sl[axis] = k
                out[tuple(sl)] += delta
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def denoise_keep_texture(rgb: np.ndarray, sigma: float, strength: float = 1.0) -> np.ndarray:
    """Non-local means sized to the measured noise, then detail re-injection: the removed residual, smoothed
    a little (what survives is structure more than grain) plus a small share of it raw, is added back."""
    import cv2

    h = float(np.clip(0.95 * sigma, 1.0, 30.0)) * strength
    window = 7 if sigma < 12 else 9
    den = cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, h, 0.8 * h, window, 21)
    residual = rgb.astype(np.float32) - den.astype(np.float32)
    structure = cv2.GaussianBlur(residual, (0, 0), 1.2)
    back = den.astype(np.float32) + 0.35 * structure + REINJECT * residual
    return np.clip(back + 0.5, 0, 255).astype(np.uint8)


def local_contrast(rgb: np.ndarray, face_scale: float, amount: float = 0.12) -> np.ndarray:
    """Gentle local contrast on lightness: the band between a fine and a coarse blur (scales set by the
    face, an eighth and a half of the inter-ocular distance) is lifted by ``amount``. Pixel-level grain lies
    below that band, so noise and fine texture are left as they are (CLAHE would amplify grain in flat skin).

    >>> flat = np.full((32, 32, 3), 90, np.uint8)
    >>> bool((local_contrast(flat, 30) == flat).all())
    True
    """
    import cv2

    if amount <= 0:
        return rgb
    light = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine = cv2.GaussianBlur(light, (0, 0), max(1.0, face_scale / 8))
    coarse = cv2.GaussianBlur(light, (0, 0), max(2.0, face_scale / 2))
    lift = amount * (fine - coarse)  # added to R, G and B alike: one rounding, no colour-space round trip
    return np.clip(rgb.astype(np.float32) + lift[..., None] + 0.5, 0, 255).astype(np.uint8)


def soften_ringing(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """A light non-local means on each channel as it is, for JPEG's ringing round edges once the blocks are
    smoothed. The colour variant works in 8-bit Lab; with it (and the contrast lift) six lightly blocky clean
    faces of the restore eval read 40–55 % noisier afterwards, with this their noise stays level."""
    import cv2

    h = float(np.clip(0.95 * sigma, 1.0, 30.0))
    return np.dstack([cv2.fastNlMeansDenoising(np.ascontiguousarray(rgb[..., c]), None, h, 7, 21) for c in range(3)])


def restore_classical(rgb: np.ndarray, face_scale: float, strength: float = 1.0, sigma: float | None = None,
                      mask: np.ndarray | None = None, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Measure noise and blocking (inside ``mask`` when given); a clean face comes back unchanged, a blocky
    one is deblocked and its ringing softened, a noisy one is denoised and then its local contrast lifted
    gently; ``face_scale`` is the inter-ocular distance in px.

    >>> flat = np.full((64, 64, 3), 128, np.uint8)
    >>> restore_classical(flat, face_scale=30) is flat
    True
    """
    sigma = noise_sigma(rgb, mask) if sigma is None else sigma
    noisy = sigma > DENOISE_ABOVE
    blocks = blockiness(rgb, offset)
    blocky = blocks > BLOCKY_ABOVE
    if not noisy and not blocky:
        return rgb
    out = rgb
    if blocky:
        out = deblock(out, offset, strength * float(np.clip((blocks - 1.0) / 0.6, 0.5, 1.5)))
        ringing = 2.0 + 1.5 * (blocks - BLOCKY_ABOVE)  # grey levels of ringing left inside the blocks
        if not noisy:
            return soften_ringing(out, ringing * strength) if strength > 0 else out
        sigma = max(sigma, ringing)
    out = denoise_keep_texture(out, sigma, strength)
    return local_contrast(out, face_scale, 0.15 * strength)


def quality(rgb: np.ndarray, mask: np.ndarray | None = None) -> dict[str, float]:
    """The measures ``restore_face`` reports before and after: noise, texture energy, blocking, sharpness."""
    return {"noise": round(noise_sigma(rgb, mask), 3), "texture": round(texture_energy(rgb, mask), 3),
            "blockiness": round(blockiness(rgb), 3), "sharpness": round(sharpness(rgb, mask), 2)}
