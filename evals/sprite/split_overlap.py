"""Which sprites of one split another split already has: the check every blind split's test makes.

Sources are built once per split and process (``functools.cache``), so the tests of several blind splits share
the cost of building the older splits.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
from make_cases import sources


@functools.cache
def packs(split: str) -> dict[str, list[np.ndarray]]:
    return sources(split)


def digests(split: str) -> set[str]:
    # the shape too: two sprites are equal as arrays only if their shapes and pixels both are
    return {hashlib.sha256(str(s.shape).encode() + np.ascontiguousarray(s).tobytes()).hexdigest()
            for pack in packs(split).values() for s in pack}


def shared_digests(split: str, others: tuple[str, ...]) -> set[str]:
    return digests(split) & set().union(*(digests(other) for other in others))


def pixel_twins(split: str, others: tuple[str, ...]) -> int:
    """Sprites of ``split`` equal pixel by pixel to one of ``others`` (the digest check, without hashing)."""
    by_shape: dict[tuple[int, ...], list[np.ndarray]] = {}
    for other in others:
        for pack in packs(other).values():
            for s in pack:
                by_shape.setdefault(s.shape, []).append(s)
    stacks = {shape: np.stack(group) for shape, group in by_shape.items()}
    return sum(1 for pack in packs(split).values() for s in pack
               if s.shape in stacks and (stacks[s.shape] == s).all(axis=(1, 2, 3)).any())
