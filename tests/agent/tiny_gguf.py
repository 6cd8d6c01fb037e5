"""A tiny random-weight llama GGUF, written with the ``gguf`` package: the real llama.cpp path in CI."""

from __future__ import annotations

from pathlib import Path

import numpy as np

EMBED, FF, BLOCKS, HEADS = 64, 128, 2, 4


def write_tiny_llama(path: Path, seed: int = 0) -> Path:
    import gguf

    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{i:02X}>" for i in range(256)] + ["▁", "▁a", "e", "t"]
    types = [2, 3, 3] + [6] * 256 + [1] * 4  # unknown, control, control, bytes..., normal
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(4096)
    w.add_embedding_length(EMBED)
    w.add_block_count(BLOCKS)
    w.add_feed_forward_length(FF)
    w.add_head_count(HEADS)
    w.add_head_count_kv(HEADS)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(EMBED // HEADS)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([0.0] * len(tokens))
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    rng = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    w.add_tensor("token_embd.weight", rand(len(tokens), EMBED))
    w.add_tensor("output_norm.weight", np.ones(EMBED, np.float32))
    w.add_tensor("output.weight", rand(len(tokens), EMBED))
    for b in range(BLOCKS):
        w.add_tensor(f"blk.{b}.attn_norm.weight", np.ones(EMBED, np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            w.add_tensor(f"blk.{b}.{name}.weight", rand(EMBED, EMBED))
        w.add_tensor(f"blk.{b}.ffn_norm.weight", np.ones(EMBED, np.float32))
        w.add_tensor(f"blk.{b}.ffn_gate.weight", rand(FF, EMBED))
        w.add_tensor(f"blk.{b}.ffn_up.weight", rand(FF, EMBED))
        w.add_tensor(f"blk.{b}.ffn_down.weight", rand(EMBED, FF))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
