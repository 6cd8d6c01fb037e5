"""Grid estimation: cell size and offset per axis, from the image alone.

Pixel-art cell boundaries are where colour changes, so the mean absolute difference between neighbouring
columns (rows) — the *edge profile* — peaks on a comb ``offset + k * cell``. A comb's Fourier magnitude is
high at its period and at every divisor of it, so each axis proceeds in two steps:

1. candidates: periods where the profile's normalised Fourier magnitude ("concentration", 1 = every
   boundary exactly on the comb) has a local peak, refined to sub-pixel precision, with the comb's phase
   as the offset;
2. choice: the finest candidate that is a real subdivision of every coarser related candidate — each
   family of lines it adds carries edge energy comparable to the coarse grid's own lines. A spurious
   divisor adds empty lines; a spurious multiple leaves real boundaries between its lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_CELL = 2.0  # the shortest period a once-per-pixel spectrum shows
MIN_SMALL = 1.3  # the smallest cell proposed at all (via divisors and aliases)
BORDER_SLACK = 0.0  # px a border cell may fall short of half the mean cell and still count
SMALL_SLACK = 0.1  # the same on grids under 4 px, whose cell is only known to a few per cent
SNAP_SHARE = 0.15  # a tracked line snaps only to a boundary of at least this share of the typical one
COVER_FULL = 0.99  # share of the boundary energy on a small grid's lines for it to explain them all
SMALL_SEARCH_MAX = 400  # px: longer axes get no sub-2 px search (sub-2 px grids are sprites of <= 200 px)


@dataclass(frozen=True)
class AxisGrid:
    cell: float  # input pixels per sprite pixel along this axis
    offset: float  # first whole cell's leading edge, in [0, cell)
    concentration: float  # share of edge energy on the comb, 0..1
    outside: bool = False  # a strong peak outside the fundamental's family: a candidate, never the family


@dataclass(frozen=True)
class GridCandidate:
    cell_x: float
    cell_y: float
    offset_x: float
    offset_y: float
    score: float

    @property
    def cell_size(self) -> float:
        return (self.cell_x + self.cell_y) / 2.0

    def as_dict(self) -> dict[str, float]:
        return {"cell_size": round(self.cell_size, 4), "cell_size_x": round(self.cell_x, 4),
                "cell_size_y": round(self.cell_y, 4), "offset_x": round(self.offset_x, 3),
                "offset_y": round(self.offset_y, 3), "score": round(self.score, 4)}


def median(values: np.ndarray) -> float:
    """``np.median`` of a non-empty 1-D array, the same value, without its generic-reduction overhead (it
    runs a dozen times per candidate on arrays of a few dozen entries).

    >>> median(np.array([3.0, 1.0, 2.0])), median(np.array([4.0, 1.0, 3.0, 2.0]))
    (2.0, 2.5)
    """
    n = values.size
    k = n // 2
    if n % 2:
        return float(np.partition(values, k)[k])
    part = np.partition(values, (k - 1, k))
    return float((part[k - 1] + part[k]) / 2)


def edge_profile(img: np.ndarray, axis: int) -> np.ndarray:
    """Mean absolute colour change across each boundary along ``axis`` (1 = between columns).

    Element ``j`` is the boundary in front of pixel ``j + 1``. The median is subtracted so that noise and
    texture sit at zero and only boundaries count.
    """
    import cv2

    a, b = (img[:, 1:], img[:, :-1]) if axis == 1 else (img[1:], img[:-1])
    d = cv2.absdiff(np.ascontiguousarray(a), np.ascontiguousarray(b))
    flat = d.reshape(d.shape[0], -1)  # integer sums (exact) by OpenCV: numpy's strided float sum is 6x slower
    if axis == 1:
        sums = cv2.reduce(flat, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).reshape(d.shape[1], -1).sum(axis=1)
    else:
        sums = cv2.reduce(flat, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    prof = (sums.astype(np.float64) - jpeg_blocking(d, axis)) / img.shape[1 - axis]
    return np.maximum(prof - median(prof), 0.0)


def jpeg_blocking(d: np.ndarray, axis: int, block: int = 8) -> np.ndarray:
    """Per boundary, the colour change that JPEG's 8 x 8 blocks add (zero off their lattice).

    JPEG codes blocks on a lattice fixed to the image origin, and at their boundaries it leaves a small step
    in nearly every row, textured and noisy ones most: on a large noisy image that comb outweighs the art's
    own boundaries, and an 8, 4 or 2 px "grid" at offset 0 wins. A pixel-art boundary changes colour in
    some rows only, so the step common to most rows (the median over rows, less the same median at the
    blocks' middles, where only noise and texture are) is JPEG's, and it is taken off each lattice boundary
    — when most of the lattice has such a step (JPEG's blocks are everywhere; one long straight edge of the
    art is not) and the blocks are not flat inside, and at most twice the smaller of the typical step and
    the blocks' inside level (the quartile took off half of the step; the 75th percentile ate clean art).
    ``d`` holds the absolute changes across boundaries (rows x boundaries x channels for ``axis`` 1).

    >>> rng = np.random.default_rng(0); d = rng.integers(0, 3, (64, 31, 3)).astype(np.uint8)  # noise: 3 a row
    >>> d[:, 7::8] += 1; out = jpeg_blocking(d, 1)   # a step of 3 on the lattice
    >>> [round(float(v) / 64) for v in out[[7, 11, 15]]], bool(jpeg_blocking(np.zeros_like(d), 1).any())
    ([3, 0, 3], False)
    """
    rows, size = (d.shape[0], d.shape[1]) if axis == 1 else (d.shape[1], d.shape[0])
    out = np.zeros(size)
    if size < 2 * block or rows < 2 * block:
        return out

    def row_medians(start: int) -> np.ndarray:  # per boundary from ``start`` on, every ``block``: only those summed
        part = (d[:, start::block] if axis == 1 else d[start::block]).astype(np.int16)
        total = sum(part[..., c] for c in range(part.shape[2]))  # channel adds: a 3-wide sum costs 5x more
        per_boundary = np.ascontiguousarray(total.T if axis == 1 else total)  # boundaries x rows
        return np.partition(per_boundary, rows // 2, axis=1)[:, rows // 2].astype(np.float64)
    lattice = row_medians(block - 1)
    middle = float(np.median(row_medians(block // 2 - 1)))
    excess = np.maximum(lattice - middle, 0.0)
    typical = float(np.median(excess))
    if typical <= 0 or middle <= 0:  # no step on most of the lattice, or flat blocks: no JPEG blocking to
        return out  # speak of (a long straight edge, or clean art on an 8 px grid, is the art's)
    out[block - 1::block] = np.minimum(excess, 2.0 * min(typical, middle)) * rows
    return out


def boundary_impulses(profile: np.ndarray, k: float = 4.0, floor: float = 0.02) -> np.ndarray:
    """Keep only the local maxima of the profile that stand out of its noise, as impulses.

    Blur widens a boundary into a bump and JPEG adds ripples; one impulse per bump restores the comb that
    the spectrum and the line tests rely on. "Stand out" = above ``k`` robust standard deviations of the
    profile (median absolute deviation) and above ``floor`` of its strongest peaks.
    """
    p = profile
    if p.size < 3:
        return p.copy()
    left = np.r_[-np.inf, p[:-1]]
    right = np.r_[p[1:], -np.inf]
    peak = (p >= left) & (p > right)
    mad = 1.4826 * median(np.abs(p - median(p)))
    thr = max(k * mad, floor * float(p.max()))
    return np.where(peak & (p > thr), p, 0.0)


def dense_impulses(profile: np.ndarray, k: float = 4.0, floor: float = 0.02) -> np.ndarray:
    """The profile where it stands out of its noise (as in :func:`boundary_impulses`), without peak picking.

    On grids under 2-2.5 px, boundaries on neighbouring pixels are common (a 1.5 px grid has widths 2, 1,
    2, 1), and peak picking keeps only one of each pair.

    >>> dense_impulses(np.array([0, 0, 5, 6, 0, 0, 0, 0.0])).tolist()
    [0.0, 0.0, 5.0, 6.0, 0.0, 0.0, 0.0, 0.0]
    """
    if profile.size < 3:
        return profile.copy()
    mad = 1.4826 * median(np.abs(profile - median(profile)))
    return np.where(profile > max(k * mad, floor * float(profile.max())), profile, 0.0)


def comb(profile: np.ndarray, cell: float) -> complex:
    """Normalised Fourier coefficient of the profile at period ``cell`` (boundary coordinates)."""
    pos, wts = _boundaries(profile)
    total = float(wts.sum())
    if total <= 0:
        return 0j
    return complex(np.sum(wts * np.exp(2j * np.pi * pos / cell)) / total)


def _boundaries(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (boundary coordinates) and weights of a profile's non-zero entries: peak-picked profiles
    are mostly zero, so the Fourier sums run over a few dozen boundaries instead of every pixel."""
    idx = np.flatnonzero(profile)
    return idx.astype(np.float64) + 1, profile[idx]


def _offset(z: complex, cell: float) -> float:
    offset = float((np.angle(z) / (2 * np.pi) * cell) % cell)
    return 0.0 if offset > cell - 1e-6 else offset


def spectrum_peaks(profile: np.ndarray, max_cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Periods and concentrations at the local maxima of the profile's (16x zero-padded) spectrum."""
    n = profile.size
    length = 1 << int(np.ceil(np.log2(n * 16)))
    spectrum = np.abs(np.fft.rfft(profile, length)) / float(profile.sum())
    k = np.arange(spectrum.size)
    valid = (k >= length / max_cell) & (k <= length / MIN_CELL)
    padded = np.r_[-np.inf, spectrum, -np.inf]  # the Nyquist bin (period 2) can be a peak too
    peaks = np.flatnonzero(valid & (spectrum >= padded[:-2]) & (spectrum >= padded[2:]))
    return length / peaks, spectrum[peaks]


def period_candidates(profile: np.ndarray, max_cell: float | None = None, near_top: float = 0.75) -> list[AxisGrid]:
    """The fundamental — the longest period whose comb holds nearly as much of the boundary energy as the
    best comb (refined) —, its close relatives (divisors by 2-4, multiples by 2-3), and the three strongest
    spectral peaks outside that family: boundaries in two far-apart groups (29 px cells at both sides of
    a 233 px gap) make a long period the "fundamental" whose divisors miss the real cell."""
    n = profile.size
    max_cell = max_cell or max(MIN_CELL, (n + 1) / 3.0)
    if n < 4 or float(profile.sum()) <= 0:
        return []
    periods, conc = spectrum_peaks(profile, max_cell)
    if periods.size == 0:
        return []
    head, _ = _refine(profile, float(periods[conc >= near_top * conc.max()].max()))
    family = [head] + [head / m for m in (2, 3, 4) if head / m >= MIN_SMALL] + \
        [head * m for m in (2, 3) if head * m <= max_cell]
    strongest = [float(c) for c in periods[np.argsort(-conc)[:3]]
                 if all(abs(c - f) > 0.03 * f for f in family)]  # a comb the head's family misses
    cells = family + small_cell_aliases(head) + strongest
    out = []
    for i, cell in enumerate(cells):
        cell, z = _refine(profile, cell) if cell != head else (cell, comb(profile, cell))
        cell, offset = regress_comb(profile, cell, _offset(z, cell))
        out.append(AxisGrid(cell, offset, abs(comb(profile, cell)), i >= len(cells) - len(strongest)))
    return out


def regress_comb(impulses: np.ndarray, cell: float, offset: float, rounds: int = 3) -> tuple[float, float]:
    """Sharpen a comb on the boundaries themselves: give each boundary near a line its line number k, fit
    ``position = offset + k * cell`` by weighted least squares, repeat. A spectral peak is only as sharp as
    the image is long; the fit uses every boundary's position, so 15 cells pin the period to a fraction of
    a pixel.

    >>> imp = np.zeros(100); imp[[9, 19, 29, 39, 49, 59, 69, 79, 89]] = 1.0   # boundaries 10, 20, ... 90
    >>> [round(v, 3) for v in regress_comb(imp, 10.6, 0.0)]
    [10.0, 0.0]
    """
    pos = np.flatnonzero(impulses).astype(np.float64) + 1
    wts = impulses[pos.astype(np.int64) - 1]
    for _ in range(rounds):
        k = np.round((pos - offset) / cell)
        near = np.abs(pos - offset - k * cell) <= max(0.25 * cell, min(0.6, 0.45 * cell))
        if near.sum() < 3 or np.ptp(k[near]) < 2:
            break
        slope, intercept = _line_fit(k[near], pos[near], wts[near])
        if slope < MIN_SMALL or abs(slope - cell) > 0.2 * cell:
            break
        cell, offset = float(slope), float(intercept % slope)
    return cell, (0.0 if offset > cell - 1e-6 else offset)


def small_cell_aliases(period: float) -> list[float]:
    """Cells under 2 px that a spectral peak at ``period`` may stand for.

    A profile sampled once per pixel has the same spectral magnitude at frequency f and 1 - f, so a grid of
    c < 2 px (1.5-2x upscales) shows its peak at c / (c - 1) px: 1.5 looks like 3, 1.75 like 2.33.

    >>> [round(c, 3) for c in small_cell_aliases(3.0)]
    [1.5]
    """
    if not 2.0 < period <= 4.5:
        return []
    alias = period / (period - 1.0)
    return [alias] if alias >= MIN_SMALL else []


def _refine(profile: np.ndarray, cell: float) -> tuple[float, complex]:
    """Best period near ``cell`` by a fine scan of the concentration (relative steps ~ 1/length)."""
    pos, wts = _boundaries(profile)
    total = max(float(wts.sum()), 1e-12)
    span = max(cell * cell / profile.size, 0.02)
    cells = np.linspace(max(MIN_SMALL, cell - span), cell + span, 25)
    z = (wts[None, :] * np.exp(2j * np.pi * pos[None, :] / cells[:, None])).sum(axis=1) / total
    best = int(np.argmax(np.abs(z)))
    return float(cells[best]), complex(z[best])


def clamp(values: np.ndarray, lo, hi) -> np.ndarray:
    """``np.clip`` without its per-call dtype checks (which cost more than the clipping on the few dozen
    line positions it gets here, thousands of times per image).

    >>> clamp(np.array([-2, 3, 9]), 0, 5).tolist()
    [0, 3, 5]
    """
    return np.minimum(np.maximum(values, lo), hi)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an array that is already sorted: line positions come in order, and ``np.unique``'s
    sort and hashing were a third of a small grid's line bookkeeping.

    >>> sorted_unique(np.array([0, 3, 3, 7, 9, 9])).tolist()
    [0, 3, 7, 9]
    """
    if values.size < 2:
        return values.copy()
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def grid_lines(n: int, cell: float, offset: float) -> np.ndarray:
    """Cell boundaries in ``[0, n]``: the comb's lines, rounded to pixels, plus the image borders where the
    border cell counts.

    A border cell counts when at least half of it is visible. From 4 px on, half of its own integer width:
    the comb predicts where its hidden line falls (rounded like the visible ones), so on a 16.5 px grid
    whose widths alternate 16 and 17, 8 visible pixels keep a 16 px cell and drop a 17 px one. Under 4 px
    the comb's phase is only known to the set of phases that round to the same visible lines, so the
    fractional line position decides: on a 1.72 px grid a line at 0.55 px rounds to 1, and that 1 px sliver
    is not half a cell.

    >>> grid_lines(20, 4, 1).tolist(), grid_lines(20, 4, 3).tolist()
    ([1, 5, 9, 13, 17, 20], [0, 3, 7, 11, 15, 19])
    >>> grid_lines(12, 1.72, 0.55).tolist(), grid_lines(256, 16.5, 0.25).tolist()[-3:]
    ([1, 2, 4, 6, 7, 9, 11, 12], [231, 248, 256])
    """
    k = np.arange(int(np.floor(-offset / cell)) - 1, int(np.ceil((n - offset) / cell)) + 2)
    frac = offset + cell * k
    pos = np.round(frac).astype(np.int64)
    inside = (pos > 0) & (pos < n)
    inner = pos[inside]
    if inner.size == 0:
        return np.array([0, n], dtype=np.int64)
    if cell < 4:
        first, last = frac[inside][0], frac[inside][-1]
        head = [0] if first >= cell / 2 - SMALL_SLACK else []
        tail = [n] if n - last >= cell / 2 - SMALL_SLACK else []
    else:
        before, after = pos[pos <= 0], pos[pos >= n]
        head = [0] if before.size and 2 * inner[0] >= inner[0] - before[-1] else []
        tail = [n] if after.size and 2 * (n - inner[-1]) >= after[0] - inner[-1] else []
    return sorted_unique(np.r_[head, inner, tail]).astype(np.int64)


def _trim_borders(lines: np.ndarray, cell: float) -> np.ndarray:
    """Drop a border cell that is less than half a cell wide (a quarter pixel of slack for the estimate)."""
    keep = cell / 2 - 0.25
    if lines.size >= 3 and lines[1] - lines[0] < keep:
        lines = lines[1:]
    if lines.size >= 3 and lines[-1] - lines[-2] < keep:
        lines = lines[:-1]
    return lines


def refine_small(impulses: np.ndarray, cell: float, offset: float, spread: float = 0.04,
                 steps: int | None = None) -> tuple[float, float]:
    """Cell and offset of a small grid (under 4 px) by exact line hits.

    Lines of a 1.5-4 px grid fall on whole pixels by rounding, so a cell 2 % off (1.72 for 1.75) puts
    every other line a pixel away after 16 cells: one row or column too many. The spectral estimate is
    that coarse on a 40 px sprite; scoring every (cell, offset) near it by the boundary energy sitting
    exactly on its rounded lines is not. Every grid in the best-scoring set explains the lines equally
    well, so the answer is that set's centre (offsets averaged as phases). The cells are tried in steps
    that move the last line by under half a pixel (``steps`` by default: 41 up to 100 px, then more, at
    most 121): on a 176 px axis 41 steps over ±4 % move it by 0.35 px, and the true 3.19 px grid fell
    between two of them.

    >>> imp = np.zeros(56); imp[np.round(np.arange(1, 32) * 1.75).astype(int) - 1] = 1.0
    >>> cell, offset = refine_small(imp, 1.72, 0.0)
    >>> bool(abs(cell - 1.75) < 0.015 and offset < 0.25)
    True
    """
    if float(impulses.sum()) <= 0 or cell >= 4:
        return cell, offset
    steps = steps or int(np.clip(0.4 * impulses.size, 41, 121)) | 1  # odd: the given cell is one of them
    cells = cell * (1 + np.linspace(-spread, spread, steps))  # (C,)
    phases = phases_for(cell)
    score = small_scores(impulses, cells, phases)
    best = score >= score.max() - 1e-9
    centre, off = _set_centre(cells, best, phases)
    if small_scores(impulses, np.array([centre]), np.array([off / centre]))[0, 0] >= score.max() - 1e-9:
        return centre, off
    # the set is not convex (two groups of boundaries across a flat stretch): its centre misses a line,
    # so the member nearest to it stands
    ci, pi = np.nonzero(best)
    turn = np.abs((phases[pi] - off / centre + 0.5) % 1.0 - 0.5)
    i = int(np.argmin(np.abs(cells[ci] - centre) / centre * 50 + turn))
    return float(cells[ci[i]]), float(phases[pi[i]] * cells[ci[i]])


def phases_for(cell: float) -> np.ndarray:
    """Comb phases (in cells) for the small-grid searches: 20, or steps of at most 0.1 px on cells over
    2 px — the painted lines sit at ``ceil(k * scale)``, half a pixel from the comb's, and a 0.16 px
    phase step on a 3.2 px cell missed that half pixel by enough to drop a line in 55 cells.

    >>> phases_for(1.5).size, phases_for(3.2).size
    (20, 32)
    """
    count = max(20, int(np.ceil(cell / 0.1)))
    return np.arange(count) / count


def small_scores(impulses: np.ndarray, cells: np.ndarray, phases: np.ndarray | None = None) -> np.ndarray:
    """(cells x phases): the share of the boundary energy sitting exactly on each comb's rounded lines."""
    phases = phases_for(float(cells.mean())) if phases is None else phases
    n = impulses.size
    k = np.arange(-1, int(n / cells.min()) + 2)  # (K,)
    pos = np.rint((phases[None, :, None] + k[None, None, :]) * cells[:, None, None]).astype(np.int64)
    padded = np.concatenate(([0.0], impulses, [0.0]))  # boundary e = padded[e]; outside reads 0
    hit = padded[clamp(pos, 0, n + 1)]
    if cells.min() <= 1:  # lines under a pixel apart can share one: no extra evidence
        hit[..., 1:][pos[..., 1:] == pos[..., :-1]] = 0.0
    return hit.sum(axis=2) / max(float(impulses.sum()), 1e-12)


def _set_centre(cells: np.ndarray, best: np.ndarray, phases: np.ndarray) -> tuple[float, float]:
    """Centre of a set of (cell, phase) grids: the mean cell, the phases averaged as angles."""
    ci, pi = np.nonzero(best)
    best_cell = float(cells[ci].mean())
    angle = np.angle(np.exp(2j * np.pi * phases[pi]).mean()) / (2 * np.pi)
    off = float(angle % 1.0 * best_cell)
    return best_cell, (0.0 if off > best_cell - 1e-6 else off)


def refine_small_square(imp_x: np.ndarray, imp_y: np.ndarray, cell: float, spread: float = 0.04,
                        steps: int | None = None) -> tuple[float, float, float] | None:
    """One cell for both axes of a small square grid, with each axis's offset, or ``None``.

    On a 40-60 px sprite each axis alone admits a range of cells a few per cent wide (every grid in it
    puts the same boundaries on lines); :func:`refine_small` takes that range's centre per axis. Pixels
    are square, so the cells both axes admit are the evidence of both: their common range is narrower
    and its centre nearer the truth. ``None`` when the axes admit no common cell (not square, or noise).

    >>> ix, iy = np.zeros(60), np.zeros(60)
    >>> ix[np.ceil(np.arange(1, 36) * 1.69).astype(int) - 1] = 1.0
    >>> iy[np.ceil(np.arange(1, 29) * 1.69).astype(int) - 1] = 1.0
    >>> cell, ox, oy = refine_small_square(ix, iy, 1.67)
    >>> bool(abs(cell - 1.69) < 0.01)
    True
    """
    if cell >= 4 or float(imp_x.sum()) <= 0 or float(imp_y.sum()) <= 0:
        return None
    steps = steps or int(np.clip(0.4 * max(imp_x.size, imp_y.size), 41, 121)) | 1  # as refine_small's
    cells = cell * (1 + np.linspace(-spread, spread, steps))
    phases = phases_for(cell)
    sx, sy = small_scores(imp_x, cells, phases), small_scores(imp_y, cells, phases)
    bx, by = sx >= sx.max() - 1e-9, sy >= sy.max() - 1e-9
    both = bx.any(axis=1) & by.any(axis=1)
    if not both.any():
        return None
    cx, ox = _set_centre(cells, bx & both[:, None], phases)
    cy, oy = _set_centre(cells, by & both[:, None], phases)
    cell = (cx + cy) / 2
    for imp, off, best in ((imp_x, ox, sx.max()), (imp_y, oy, sy.max())):  # a set's centre can fall outside
        if small_scores(imp, np.array([cell]), np.array([off / cell]))[0, 0] < best - 1e-9:  # a non-convex set
            return None
    return cell, ox, oy


def exact_cover(dense: np.ndarray, lines: np.ndarray) -> float:
    """Share of an axis's boundary energy (``dense``: the profile without peak picking) that sits exactly on
    the grid's inner lines. A crisp grid's true cell puts every boundary on a line (1.0); the alias of a
    sub-2 px grid (1.9 px read as 2.1 px, whose lines are the 1.9 px grid's 2 px cells' insides shifted
    by half a period) misses one of each pair of boundaries a pixel apart, which no grid of 2 px and more has.

    >>> d = np.zeros(20); d[[0, 2, 3, 5, 7, 8]] = 1.0   # boundaries 1, 3, 4, 6, 8, 9: a 1.6 px grid's
    >>> exact_cover(d, np.array([0, 1, 3, 4, 6, 8, 9, 21])), exact_cover(d, np.array([0, 1, 4, 6, 9, 21]))
    (1.0, 0.6667)
    """
    total = float(dense.sum())
    if total <= 0:
        return 0.0
    inner = lines[(lines > 0) & (lines <= dense.size)] - 1
    return round(float(dense[sorted_unique(inner)].sum()) / total, 4)


def paired_changes(img: np.ndarray, axis: int, step: int = 24) -> float:
    """Share of the colour changes along ``axis`` (1 = along rows) that have another change on the next
    pixel of the same row (column): a sub-2 px grid's 1 px cells make such pairs in every row. Row jitter
    and uneven edges of a coarser grid put the boundaries of different rows on neighbouring pixels, so the
    edge profile looks the same, but each row on its own changes colour at most once per few pixels.

    >>> a = np.zeros((2, 8, 3), np.uint8); a[:, 3] = 200; a[:, 4:] = 100   # a 1 px column: two changes
    >>> paired_changes(a, 1), paired_changes(np.repeat(np.repeat(a[:, ::4], 4, 1), 1, 0), 1)
    (1.0, 0.0)
    """
    import cv2

    a, b = (img[:, 1:], img[:, :-1]) if axis == 1 else (img[1:], img[:-1])
    d = cv2.absdiff(np.ascontiguousarray(a), np.ascontiguousarray(b))
    change = (d.max(axis=2) if d.ndim == 3 else d) > step
    pairs = change[:, 1:] & change[:, :-1] if axis == 1 else change[1:] & change[:-1]
    total = int(change.sum())
    return round(float(2 * pairs.sum()) / total, 4) if total else 0.0


def small_cells(dense: np.ndarray, full: float = COVER_FULL, max_len: int = SMALL_SEARCH_MAX,
                seeds: int = 3) -> AxisGrid | None:
    """The coarsest sub-2 px grid that puts every boundary of an axis exactly on its lines, or ``None``.

    A profile sampled once per pixel shows a c < 2 px grid at its alias c / (c - 1) (1.7 px at 2.43 px),
    and on a short axis (30 cells) the spectrum's peaks sit a few per cent off, so the heuristic's family
    can miss the true cell altogether. Each strong spectral peak between 2 and 4.5 px gives its alias as a
    seed; :func:`refine_small` places its lines on whole pixels; a seed is kept when its lines hold at least
    ``full`` of the boundary energy (a finer grid always holds as much, so the coarsest such one wins).
    Axes over ``max_len`` px are skipped (sub-2 px grids are small upscales of sprites), and so are axes
    with (almost) no boundaries on neighbouring pixels, which every sub-2 px grid's 1 px cells make.
    """
    n = dense.size + 1
    if n > max_len or dense.size < 8 or float(dense.sum()) <= 0:
        return None
    on = dense > 0
    if (on[1:] & on[:-1]).sum() < 0.05 * on.sum():  # 1 px cells make neighbouring boundaries; a grid of
        return None  # 2 px and more has none
    periods, conc = spectrum_peaks(dense, 4.5)
    pick = (periods > 2.0) & (periods <= 4.5) & (conc >= 0.5 * conc.max(initial=0.0))
    best: AxisGrid | None = None
    for period in periods[pick][np.argsort(-conc[pick])][:seeds]:
        alias = float(period / (period - 1.0))
        if alias < MIN_SMALL:
            continue
        cell, offset = refine_small(dense, alias, 0.0, steps=41)  # coarse first: most seeds are no grid
        cover = exact_cover(dense, grid_lines(n, cell, offset))
        if full > cover >= 0.9 and dense.size > 100:  # near: the fine steps of a long axis decide
            cell, offset = refine_small(dense, alias, 0.0)
            cover = exact_cover(dense, grid_lines(n, cell, offset))
        if cover >= full and (best is None or cell > best.cell):
            best = AxisGrid(cell, offset, cover)
    return best


def line_energy(profile: np.ndarray, positions: np.ndarray, radius: int = 1) -> np.ndarray:
    """Strongest boundary within ``radius`` pixels of each (fractional) line position."""
    n = profile.size
    centre = np.round(positions).astype(np.int64) - 1  # boundary e sits at profile index e - 1
    idx = clamp(centre[:, None] + np.arange(-radius, radius + 1)[None, :], 0, n - 1)
    valid = (centre >= 0) & (centre <= n - 1)
    return np.where(valid, profile[idx].max(axis=1), np.nan)


def typical_boundary(impulses: np.ndarray, lines: float) -> float:
    """The median of the ``lines`` strongest impulses: how strong the grid's boundaries are. Noise and
    texture leave many weak impulses; a line tracked onto one of them, where the real boundary is hidden
    by background, moves a crisp grid's phase by the distance to that speck.

    >>> typical_boundary(np.array([0, 3, 0, 60, 2, 0, 50, 3, 70, 0.0]), 3.0)
    60.0
    """
    nz = np.sort(impulses[impulses > 0])[::-1]
    return median(nz[:max(1, int(round(lines)))]) if nz.size else 0.0


def track_lines(profile: np.ndarray, cell: float, offset: float, n: int,
                raw: np.ndarray | None = None) -> np.ndarray:
    """Follow the boundaries from the comb's first line, one expected cell at a time.

    Each line snaps to the clear boundary within a quarter cell of where it is expected; uneven ("AI")
    grids drift, and tracking keeps up with them. With ``raw`` (the profile before peak picking) the line
    sits at the energy centroid of that neighbourhood, so a boundary that wanders from row to row (row
    jitter) or is smeared lands on its mean position rather than on its strongest row.
    """
    if cell < 4:
        return grid_lines(n, cell, offset)
    radius = max(1, int(round(cell * 0.25)))
    floor = max(0.2 * float(np.percentile(profile, 95)), SNAP_SHARE * typical_boundary(profile, n / cell)) + 1e-6
    imp, energies = profile.tolist(), None if raw is None else raw.tolist()  # windows of a few pixels:
    # plain Python beats numpy's per-call overhead here

    def snap(expected: float) -> float:
        lo, hi = int(max(1, round(expected) - radius)), int(min(n - 1, round(expected) + radius))
        if hi < lo:
            return expected
        window = imp[lo - 1: hi]
        top = max(window)
        if top <= floor:
            return expected
        if energies is None:
            return float(lo + window.index(top))
        energy = energies[lo - 1: hi]
        cut = 0.3 * max(energy)
        kept = [(e, lo + i) for i, e in enumerate(energy) if e >= cut]
        return sum(e * x for e, x in kept) / max(sum(e for e, _ in kept), 1e-12)

    lines = [snap(offset) if offset >= 1 else offset]
    while lines[-1] + cell < n - 0.5:
        lines.append(snap(lines[-1] + cell))
    back = offset - cell
    head = [back] if back >= -cell / 2 - 0.25 else []
    out = np.round(np.array(head + lines + [n], dtype=np.float64)).astype(np.int64)
    return _trim_borders(sorted_unique(clamp(out, 0, n)), cell)


def settle_borders(lines: np.ndarray, n: int, cell: float) -> np.ndarray:
    """Border cells decided with the fitted cell rather than the candidate's starting one.

    Tracking from a 10 % wrong cell can stop a cell short of a border, or leave a gap there wider than a
    cell: whole cells that fit into such a gap become lines, and the remaining border cell is kept when at
    least half a cell is visible (``BORDER_SLACK`` px of slack for the estimate) — as the truth counts cells.

    >>> settle_borders(np.array([15, 42, 69, 97, 124]), 130, 27.3).tolist()
    [0, 15, 42, 69, 97, 124]
    >>> settle_borders(np.array([0, 40, 50, 60, 70, 100]), 100, 10.0).tolist()
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    """
    inner = [float(v) for v in lines if 0 < v < n]
    if len(inner) < 2:
        return lines
    keep = cell / 2 - BORDER_SLACK
    while inner[0] - cell >= 1:
        inner.insert(0, inner[0] - cell)
    while n - inner[-1] - cell >= 1:
        inner.append(inner[-1] + cell)
    head = [0.0] if inner[0] >= keep else []
    tail = [float(n)] if n - inner[-1] >= keep else []
    return sorted_unique(np.round(np.array(head + inner + tail)).astype(np.int64))


def _line_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Weighted least-squares ``y = slope * x + intercept`` in closed form (``np.polyfit`` costs ten times
    more, and this runs for every candidate)."""
    w = np.ones_like(x) if w is None else w
    total = w.sum()
    xm, ym = (w * x).sum() / total, (w * y).sum() / total
    slope = float((w * (x - xm) * (y - ym)).sum() / (w * (x - xm) ** 2).sum())
    return slope, float(ym - slope * xm)


def line_steps(inner: np.ndarray, cell: float) -> np.ndarray:
    """Line numbers of tracked lines: tracking steps one cell at a time, so each gap is one cell (more only
    where a gap spans several). Numbering by ``position / cell`` instead lets a 10 % wrong starting cell
    skip a number every ten lines and bias the fitted slope by that 10 %."""
    if inner.size == 0:
        return np.zeros(0)
    return np.r_[0.0, np.cumsum(np.maximum(1.0, np.round(np.diff(inner) / cell)))]


def fit_lines(lines: np.ndarray, n: int, cell: float, supported: np.ndarray | None = None,
              sharp_first: bool = True, slope: float | None = None) -> tuple[float, float]:
    """Cell size and offset of a set of tracked lines, from the lines that sit on a real boundary.

    The cell is the least-squares slope (the mean cell of an uneven grid) over the ``supported`` inner
    lines, refitted once without lines more than ~12 % of a cell off the fit (a stray boundary snapped
    to); lines placed where no boundary was seen only extend the comb and carry no evidence. The offset is
    the fit's intercept — every line votes, so per-row jitter of single lines averages out — unless
    ``sharp_first``: edges are crisp single-pixel boundaries, so the first supported line is exact where
    a straight fit through a drifting (uneven) grid is not. A given ``slope`` (a cell both axes share)
    replaces the fitted one, and the intercept is refitted under it.
    """
    inner = lines[(lines > 0) & (lines < n)].astype(np.float64)
    if inner.size < 3:
        return cell, float(inner[0] % cell) if inner.size else 0.0
    idx = line_steps(inner, cell)
    use = np.ones(inner.size, bool)
    if supported is not None:
        mask = supported[(lines > 0) & (lines < n)]
        if mask.sum() >= 3 and np.ptp(idx[mask]) >= 2:
            use = mask.copy()
    evidence = use.copy()
    fitted, intercept = _line_fit(idx[use], inner[use])
    resid = np.abs(inner - intercept - fitted * idx)
    keep = use & (resid <= max(1.5, 0.12 * fitted))
    if keep.sum() >= 3 and np.ptp(idx[keep]) >= 2 and keep.sum() < use.sum():
        use = keep
        fitted, intercept = _line_fit(idx[use], inner[use])
    if slope is None:
        slope = fitted
    else:
        intercept = float(np.mean(inner[use] - slope * idx[use]))
    if sharp_first:
        a = int(np.flatnonzero(evidence)[0])
        intercept = inner[a] - idx[a] * slope
    offset = float(intercept % slope)
    return slope, 0.0 if offset > slope - 1e-6 else offset


def slope_precision(lines: np.ndarray, n: int, cell: float, supported: np.ndarray) -> float:
    """How well a set of lines pins its cell: the spread of the supported lines' numbers, sum (k - mean)^2
    (the inverse variance of a least-squares slope, up to the lines' own noise)."""
    inside = (lines > 0) & (lines < n)
    inner = lines[inside].astype(np.float64)
    if inner.size < 2:
        return 0.0
    k = line_steps(inner, cell)[supported[inside]]
    return float(((k - k.mean()) ** 2).sum()) if k.size else 0.0


def line_support(impulses: np.ndarray, lines: np.ndarray, reach: int = 1) -> np.ndarray:
    """Per line: is there a boundary impulse within ``reach`` pixels (image borders count as no)?"""
    n = impulses.size
    centre = lines.astype(np.int64) - 1
    idx = clamp(centre[:, None] + np.arange(-reach, reach + 1)[None, :], 0, n - 1)
    return (centre >= 0) & (centre <= n - 1) & (impulses[idx].max(axis=1) > 0)


def edge_sharpness(raw: np.ndarray, lines: np.ndarray, cell: float) -> float:
    """Median share of the raw edge energy near each inner line that sits on its single strongest pixel:
    about 1 for straight crisp boundaries, well under 1 when rows disagree (jitter) or edges are smeared.

    >>> raw = np.zeros(40); raw[[9, 19, 29]] = 1.0; raw[[8, 18, 30]] = 0.1
    >>> round(edge_sharpness(raw, np.array([0, 10, 20, 30, 41]), 10.0), 2)
    0.91
    """
    radius = max(1, int(round(0.2 * cell)))
    pos = lines[(lines > 0) & (lines <= raw.size)].astype(np.int64) - 1
    if pos.size == 0:
        return 1.0
    idx = pos[:, None] + np.arange(-radius, radius + 1)[None, :]
    window = np.where((idx >= 0) & (idx < raw.size), raw[clamp(idx, 0, raw.size - 1)], 0.0)
    total = window.sum(axis=1)
    shares = window.max(axis=1)[total > 0] / total[total > 0]
    return median(shares) if shares.size else 1.0


def centres(lines: np.ndarray, samples: int, margin: float = 0.25) -> np.ndarray:
    """``samples`` sampling positions inside each cell, away from its edges by ``margin`` of its width."""
    a, b = lines[:-1].astype(np.float64), lines[1:].astype(np.float64)
    width = b - a
    t = np.linspace(margin, 1 - margin, samples) if samples > 1 else np.array([0.5])
    pos = np.floor(a[:, None] + width[:, None] * t[None, :])
    return clamp(pos, a[:, None], b[:, None] - 1).astype(np.int64)


def refines(fine: AxisGrid, coarse: AxisGrid, profile: np.ndarray) -> bool:
    """Is ``fine`` a real subdivision of ``coarse``? The lines it adds (between the coarse lines) must carry
    clearly more boundary energy than the places between its own lines, where no boundary should be."""
    m = coarse.cell / fine.cell
    if round(m) < 2 or abs(m - round(m)) > 0.06 * round(m):
        return False
    m = int(round(m))
    n = profile.size + 1
    nz = np.flatnonzero(profile) + 1
    if nz.size == 0:
        return False
    lo, hi = max(1.0, nz[0] - coarse.cell), min(n - 1.0, nz[-1] + coarse.cell)
    radius = 1 if fine.cell >= 5 else 0
    base = coarse.offset + np.arange(0, int(n / coarse.cell) + 2) * coarse.cell

    shifts = np.r_[np.arange(m), np.arange(m) + 0.5] * fine.cell  # own, the m - 1 extra families, between
    pos = base[None, :] + shifts[:, None]
    inside = (pos >= lo) & (pos <= hi)  # one gather for all families: this runs for every pair of candidates
    found = np.where(inside, line_energy(profile, np.where(inside, pos, lo).ravel(), radius).reshape(pos.shape), 0)
    counts = inside.sum(axis=1)
    energy = np.where(counts > 0, found.sum(axis=1) / np.maximum(counts, 1), 0.0)
    own, extra, between = float(energy[0]), float(energy[1:m].mean()), float(energy[m:].mean())
    return own > 0 and extra > max(3.0 * between, 0.1 * own)


def _related(a: AxisGrid, b: AxisGrid, tol: float = 0.06) -> bool:
    """One cell is (close to) an integer multiple of the other."""
    m = max(a.cell, b.cell) / min(a.cell, b.cell)
    return abs(m - round(m)) <= tol * round(m)


def choose_axis(profile: np.ndarray, candidates: list[AxisGrid]) -> list[AxisGrid]:
    """Rank candidates, the true grid first.

    The strongest candidate of the fundamental's family fixes the family (its divisors and multiples);
    peaks from outside it only join the list. Within the family, a grid is admissible when every coarser
    family member accepts it as a real subdivision; the finest admissible grid wins. The rest follow by
    concentration.
    """
    if not candidates:
        return []
    strongest = max((c for c in candidates if not c.outside), key=lambda c: c.concentration, default=candidates[0])
    family = [g for g in candidates if not g.outside and _related(g, strongest)
              and g.concentration >= 0.25 * strongest.concentration]
    admissible = [g for g in family
                  if all(refines(g, a, profile) for a in family
                         if 1.5 * g.cell < a.cell <= 6.5 * g.cell and _related(g, a))]
    best = min(admissible, key=lambda g: g.cell) if admissible else strongest
    return [best] + sorted((c for c in candidates if c is not best), key=lambda c: (c.outside, -c.concentration))


def axis_profiles(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundary impulses between columns (x) and between rows (y): computed once per image."""
    return boundary_impulses(edge_profile(img, 1)), boundary_impulses(edge_profile(img, 0))


def all_profiles(img: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x, y) edge profiles, (x, y) boundary impulses)``: the raw profiles locate lines, the impulses
    find periods."""
    rx, ry = edge_profile(img, 1), edge_profile(img, 0)
    return (rx, ry), (boundary_impulses(rx), boundary_impulses(ry))


def estimate_axis(profile: np.ndarray, length: int) -> list[AxisGrid]:
    max_cell = max(MIN_CELL, length / 3.0)
    return choose_axis(profile, period_candidates(profile, max_cell))


def reconcile(axis: list[AxisGrid], other: list[AxisGrid], agree: float = 0.8) -> list[AxisGrid]:
    """Pixel-art pixels are square: when this axis's best cell is a multiple of the other axis's best, and
    this axis's boundaries also lie on the other's finer comb, the finer cell is the answer for both — this
    axis just had no boundaries between (e.g. two-cell-wide stripes)."""
    best, finer = axis[0], other[0]
    m = best.cell / finer.cell
    if round(m) < 2 or abs(m - round(m)) > 0.06 * round(m):
        return axis
    match = [g for g in axis[1:] if abs(g.cell - finer.cell) <= 0.03 * finer.cell
             and g.concentration >= agree * best.concentration]
    if not match:
        return axis
    return [match[0]] + [g for g in axis if g is not match[0]]


def square_candidate(profile: np.ndarray, axis: list[AxisGrid], other: list[AxisGrid]) -> list[AxisGrid]:
    """Add the other axis's best cell to this axis when no candidate is near it, refined on this axis's own
    boundaries (or move the one near it up). Pixels are square more often than not, and when only part of
    an axis has boundaries (a sprite with a flat side) its spectrum can miss the fundamental that the other
    axis shows clearly. It goes second, right after this axis's own best: the square-pixel hypothesis is
    the next likeliest one.
    A refinement that wanders off the target (to this axis's own wrong peak) is not kept: then the target
    cell stands, with this axis's phase."""
    if not axis or not other or float(profile.sum()) <= 0:
        return axis
    target = other[0].cell
    near = [i for i, g in enumerate(axis) if abs(g.cell - target) <= 0.03 * target]
    if near:  # already proposed: it still goes second
        i = near[0]
        return axis if i <= 1 else axis[:1] + [axis[i]] + axis[1:i] + axis[i + 1:]
    cell, z = _refine(profile, target)
    cell, offset = regress_comb(profile, cell, _offset(z, cell))
    if abs(cell - target) > 0.015 * target:
        cell, offset = target, _offset(comb(profile, target), target)
    return axis[:1] + [AxisGrid(cell, offset, abs(comb(profile, cell)))] + axis[1:]


def estimate_grid(img: np.ndarray, top_k: int = 5,
                  profiles: tuple[np.ndarray, np.ndarray] | None = None) -> list[GridCandidate]:
    """Top-k grid candidates for an RGB(A) uint8 image, best first.

    >>> sprite = np.random.default_rng(0).integers(0, 255, (12, 10, 3), dtype=np.uint8)
    >>> up = np.repeat(np.repeat(sprite, 6, axis=0), 6, axis=1)
    >>> round(estimate_grid(up)[0].cell_size, 2)
    6.0
    """
    px, py = profiles if profiles is not None else axis_profiles(img)
    xs = estimate_axis(px, img.shape[1])
    ys = estimate_axis(py, img.shape[0])
    if not xs or not ys:
        return []
    xs, ys = reconcile(xs, ys), reconcile(ys, xs)
    xs, ys = square_candidate(px, xs, ys), square_candidate(py, ys, xs)
    pairs = []
    for i, x in enumerate(xs[:top_k]):
        for j, y in enumerate(ys[:top_k]):
            square = 1.0 / (1.0 + 4.0 * abs(np.log(x.cell / y.cell)))  # pixel art has square pixels, mostly
            score = np.sqrt(max(x.concentration, 1e-6) * max(y.concentration, 1e-6)) * square / (1 + 0.5 * (i + j))
            pairs.append(GridCandidate(x.cell, y.cell, x.offset, y.offset, float(score)))
    pairs.sort(key=lambda c: -c.score)
    return pairs[:top_k]
