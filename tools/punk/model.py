"""The punk classifier: one hidden layer shared by a softmax per slot, run in numpy (no torch at
inference: a 10 000-punk batch is one matrix product). Each slot has its own temperature, fitted on
held-out punks, so a reported confidence p is right about p of the time."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .traits import SLOT_SLICES, SLOTS, slot_classes

SHIPPED = Path(__file__).with_name("weights") / "punk_mlp.npz"


@dataclass
class PunkModel:
    w1: np.ndarray  # (features, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, sum of slot sizes)
    b2: np.ndarray
    temperatures: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def slices(self) -> dict[str, slice]:
        return SLOT_SLICES

    @functools.cached_property
    def _exact(self) -> tuple[np.ndarray, ...]:
        return tuple(np.asarray(a, np.float64) for a in (self.w1, self.b1, self.w2, self.b2))

    def logits(self, x: np.ndarray) -> np.ndarray:
        """In float64: BLAS sums a float32 product in an order that depends on how many rows it gets, so a
        punk's confidence could differ in the 4th decimal between a chunk of 25 (a Ray task) and one of 64 or a
        single call. In float64 that difference stays ~1e-16, far below the reported precision."""
        w1, b1, w2, b2 = self._exact
        hidden = np.maximum(np.asarray(x, np.float64) @ w1 + b1, 0.0)
        return hidden @ w2 + b2

    def probabilities(self, x: np.ndarray, calibrated: bool = True) -> dict[str, np.ndarray]:
        """slot -> (n, classes) probabilities for feature rows ``x``."""
        z = self.logits(np.atleast_2d(x))
        return {slot: softmax(z[:, sl], self.temperatures.get(slot, 1.0) if calibrated else 1.0)
                for slot, sl in SLOT_SLICES.items()}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, w1=self.w1.astype(np.float16), b1=self.b1, w2=self.w2.astype(np.float16),
                            b2=self.b2, meta=np.array(json.dumps({"temperatures": self.temperatures,
                                                                 "info": self.info,
                                                                 "slots": {s: list(slot_classes(s)) for s in SLOTS}})))
        tmp.replace(path)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``."""
    s = logits / temperature
    s = np.exp(s - s.max(axis=1, keepdims=True))
    return s / s.sum(axis=1, keepdims=True)


def load_model(path: Path) -> PunkModel:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        slots = {s: list(slot_classes(s)) for s in SLOTS}
        if meta["slots"] != slots:
            raise ValueError(f"{path} was trained for another attribute schema; retrain it")
        return PunkModel(data["w1"].astype(np.float32), data["b1"].astype(np.float32),
                         data["w2"].astype(np.float32), data["b2"].astype(np.float32),
                         {k: float(v) for k, v in meta["temperatures"].items()}, meta.get("info", {}))


@functools.cache
def _cached(path: str, mtime_ns: int) -> PunkModel:
    return load_model(Path(path))


def model_at(path: Path) -> PunkModel:
    """Load once per process (and again if the file changes)."""
    return _cached(str(path), path.stat().st_mtime_ns)


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The temperature that minimises held-out negative log-likelihood (a 1-d search; NLL is unimodal in T)."""
    def nll(t: float) -> float:
        s = logits / t
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(targets)), targets].mean())

    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 80))
    best = min(grid, key=nll)
    lo, hi = best / 1.2, best * 1.2
    for _ in range(30):  # golden-section refinement
        a, b = hi - (hi - lo) * 0.618, lo + (hi - lo) * 0.618
        lo, hi = (lo, b) if nll(a) < nll(b) else (a, hi)
    return float((lo + hi) / 2)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.mean() * abs(correct[sel].mean() - confidence[sel].mean())
    return float(total)
