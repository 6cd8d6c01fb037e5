"""Cell colours under blur: how far edges are spread, and the sprite that, blurred that much, gives the
colours seen at the cells' centres.

On cells of 2-8 px a Gaussian blur (or a smear) of 1-2 px reaches the centre of every cell, so a one-cell
outline or speckle is read as a mix of its own colour and its neighbours'. The spread is measured on the
colour change (its second moment around each grid line, row by row); the mixing is then a small
separable kernel over neighbouring cells — the blur's weight of each cell at the sampled centre — and a
few Van Cittert steps undo it.
"""

from __future__ import annotations

from math import erf, sqrt

import numpy as np

MIN_SPREAD = 0.6  # px: below this, edges are crisp and colours are left as sampled
STEPS = 8
SIGMAS = (0.0, 0.6, 0.8, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)  # px: the blurs tried by :func:`fit_spread`
FIT_SIDE = 160  # px: the fit looks at a central window of at most this size
ROWS = 64  # image rows (columns) sampled by :func:`edge_spread`


def edge_spread(img: np.ndarray, lines: np.ndarray, cell: float, axis: int) -> float:
    """Blur sigma in pixels across ``axis`` (1 = across columns): per image row (column) and grid line, the
    second moment of the colour change within a third of a cell of the line; the median over row-line
    pairs that carry a clear edge.

    Measured row by row, so row jitter (each row's edge crisp, but in another place) is no blur.

    >>> col = np.clip((np.arange(40) - 19.5) / 2.0 + 0.5, 0, 1) * 200   # one edge ramped over 2 px
    >>> img = np.repeat(col[None, :, None], 8, axis=0).astype(np.uint8)
    >>> round(edge_spread(img, np.array([0, 20, 40]), 20.0, 1), 1)
    0.7
    """
    step = max(1, img.shape[1 - axis] // ROWS)  # a sample of rows (columns) is enough for a median
    a = (img[::step, :, :3] if axis == 1 else img[:, ::step, :3]).astype(np.int16)
    step_abs = np.abs(np.diff(a, axis=axis))
    d = (step_abs[..., 0] + step_abs[..., 1] + step_abs[..., 2]).astype(np.float32)  # numpy's reduce over
    # a 3-wide last axis is several times slower than two adds
    if axis == 0:
        d = d.T  # rows of d run along the axis
    d = np.maximum(d - np.median(d), 0.0)  # per-pixel noise is no edge
    radius = max(1, int(cell / 3))
    inner = lines[(lines > 0) & (lines <= d.shape[1])].astype(np.int64) - 1
    if inner.size == 0:
        return 0.0
    offs = np.arange(-radius, radius + 1)
    idx = inner[:, None] + offs[None, :]  # (L, O)
    w = np.where((idx >= 0) & (idx < d.shape[1]), d[:, np.clip(idx, 0, d.shape[1] - 1)], 0.0)  # (R, L, O)
    total = w.sum(axis=2)
    if total.max() <= 0:
        return 0.0
    strong = total > 0.2 * np.percentile(total[total > 0], 90)
    w = w[strong] / total[strong][:, None]
    mean = (w * offs).sum(axis=1, keepdims=True)
    return float(np.sqrt(max(float(np.median((w * (offs - mean) ** 2).sum(axis=1))), 0.0)))


def mixing_weights(cell: float, sigma: float, margin: float = 0.25, samples: int = 7) -> np.ndarray:
    """``[left, own, right]``: the share of each cell in the blurred colour averaged over the central part
    of a cell (``margin`` of its width off each side), along one axis.

    >>> [float(round(v, 3)) for v in mixing_weights(4.0, 1e-6)]
    [0.0, 1.0, 0.0]
    """
    t = np.linspace(margin * cell, (1 - margin) * cell, samples)

    def mass(a: float, b: float) -> float:
        return float(np.mean([0.5 * (erf((b - u) / (sigma * sqrt(2))) - erf((a - u) / (sigma * sqrt(2))))
                              for u in t]))
    w = np.array([mass(-cell, 0.0), mass(0.0, cell), mass(cell, 2 * cell)])
    return w / w.sum()


def _mix(s: np.ndarray, wy: np.ndarray, wx: np.ndarray) -> np.ndarray:
    """The separable 3-tap mixing on a (rows, cols, channels) float array, borders replicated."""
    p = np.pad(s, ((1, 1), (0, 0), (0, 0)), mode="edge")
    s = wy[0] * p[:-2] + wy[1] * p[1:-1] + wy[2] * p[2:]
    p = np.pad(s, ((0, 0), (1, 1), (0, 0)), mode="edge")
    return wx[0] * p[:, :-2] + wx[1] * p[:, 1:-1] + wx[2] * p[:, 2:]


def unmix(sprite: np.ndarray, cell: tuple[float, float], sigma: tuple[float, float],
          steps: int = STEPS) -> np.ndarray:
    """Undo the mixing of neighbouring cells on the colour channels of a uint8 sprite (alpha untouched).

    ``cell`` and ``sigma`` are (x, y) in input pixels. Nothing changes when both spreads are under
    ``MIN_SPREAD`` or the own cell's weight is already above 0.97.
    """
    if max(sigma) < MIN_SPREAD:
        return sprite
    wx = mixing_weights(cell[0], max(sigma[0], 1e-6))
    wy = mixing_weights(cell[1], max(sigma[1], 1e-6))
    if wx[1] * wy[1] > 0.97:
        return sprite
    seen = sprite[..., :3].astype(np.float64)
    s = seen.copy()
    for _ in range(steps):
        s = np.clip(s + (seen - _mix(s, wy, wx)), 0, 255)
    out = sprite.copy()
    out[..., :3] = np.round(s).astype(np.uint8)
    return out


def could_mix(cell: tuple[float, float]) -> bool:
    """Could the largest blur tried move a cell's sampled colour at all? Not on cells over ~16 px."""
    own = mixing_weights(cell[0], SIGMAS[-1])[1] * mixing_weights(cell[1], SIGMAS[-1])[1]
    return bool(own <= 0.97)


def fit_spread(img: np.ndarray, sprite: np.ndarray, xlines: np.ndarray, ylines: np.ndarray,
               cell: tuple[float, float]) -> float:
    """The blur sigma that best explains the image: for each sigma tried, unmix the sampled sprite, paint
    it on the grid, blur it by sigma and compare with the image (mean absolute difference over a central
    window). The moment of :func:`edge_spread` is biased low on small cells (its window is a third of a
    cell), so it only says whether to look; this says how much.
    """
    import cv2

    h, w = img.shape[:2]
    y0, x0 = max(0, (h - FIT_SIDE) // 2), max(0, (w - FIT_SIDE) // 2)
    window = (slice(y0, y0 + FIT_SIDE), slice(x0, x0 + FIT_SIDE))
    seen = img[..., :3].astype(np.float32)[window]
    rows = np.clip(np.searchsorted(ylines, np.arange(h)[window[0]], side="right") - 1, 0, sprite.shape[0] - 1)
    cols = np.clip(np.searchsorted(xlines, np.arange(w)[window[1]], side="right") - 1, 0, sprite.shape[1] - 1)
    best, best_err = 0.0, np.inf
    for sigma in SIGMAS:
        s = unmix(sprite, cell, (sigma, sigma)) if sigma > 0 else sprite
        paint = s[rows][:, cols, :3].astype(np.float32)  # the sprite painted on the grid, window only
        if sigma > 0:
            paint = cv2.GaussianBlur(paint, (0, 0), sigma)
        err = float(np.abs(paint - seen).mean())
        if err < best_err - 1e-6:
            best, best_err = sigma, err
    return best
