"""Fine-tune the shipped Gemma 3 270M into Atelier's planner: a LoRA trained on generated plans, written as a
GGUF LoRA that llama.cpp applies on the same Q4 base.

    atelier models train-planner [--out DIR] [--steps 900] [--minutes 60] [--seed 0]

1. The GGUF base is loaded de-quantized by transformers (``gguf_file=``, needs ``accelerate``) once and cached
   as safetensors under ``ATELIER_HOME/cache/planner-base`` (reload: seconds).
2. LoRA (peft) on q/k/v/o/gate/up/down of every block; the tied 262k-token embedding is never trained.
3. The loss is on the plan tokens only: hidden states for the whole sequence, ``lm_head`` only at the target
   positions (prompt and target are tokenized separately and concatenated, as the planner sees them).
4. Every ``--save-every`` steps the adapter is saved, so a run stopped early still yields one; at the end it
   is converted with llama.cpp's ``convert_lora_to_gguf.py`` (from the llama-cpp-python sdist) and a model
   card (seed, generator version, hyper-parameters, steps, wall time, loss) is written beside it.
Runs on the CPU (2 cores: about an hour) or a CUDA GPU when there is one.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from atelier.agent.planners.training.generate import VERSION, generate
from atelier.agent.planners.training.pairs import pair

BASE_GGUF = "gemma-3-270m-q4_k_m.gguf"
WEIGHTS = Path(__file__).resolve().parents[1] / "weights"
ADAPTER = "planner-lora.gguf"
LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"


@dataclass
class Hyper:
    seed: int = 0
    examples: int = 7000
    steps: int = 900
    minutes: float = 60.0
    batch: int = 8
    lr: float = 3e-4
    warmup: int = 30
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    max_tokens: int = 320
    save_every: int = 50
    threads: int = 0  # 0: all cores
    lora_from_layer: int = 6  # blocks below this get no adapter (backward stops there: ~20 % faster)
    plan_vocab: bool = True  # softmax over the plans' tokens + all short ones (a few % of 262k): faster on a CPU
    list_repeat: int = 0  # the seen eval lists' requests (``lists.TRAIN_LISTS``) join the data this many times
    bf16: bool = False  # bfloat16 autocast: ~1.7x faster on CPUs with AMX / AVX-512 BF16, slower without


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def base_dir(home: Path, gguf: Path) -> Path:
    """The de-quantized base as a transformers folder (built once from the GGUF)."""
    out = home / "cache" / "planner-base"
    if (out / "model.safetensors").is_file():
        return out
    import safetensors.torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log(f"de-quantizing {gguf} (once; about a minute)")
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    out.mkdir(parents=True, exist_ok=True)
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    config["architectures"] = ["Gemma3ForCausalLM"]
    (out / "config.json").write_text(json.dumps(config, indent=1))
    safetensors.torch.save_model(model, str(out / "model.safetensors"))
    tok.save_pretrained(out)
    return out


def llama_cpp_source(home: Path) -> Path:
    """llama.cpp's folder from the llama-cpp-python sdist (downloaded once with pip), for the converter."""
    root = home / "cache"
    found = sorted(root.glob("llama_cpp_python-*/vendor/llama.cpp/convert_lora_to_gguf.py"))
    if found:
        return found[-1].parent
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", LLAMA_CPP_PYTHON,
                    "-d", str(root)], check=True)
    import tarfile

    with tarfile.open(next(root.glob("llama_cpp_python-*.tar.gz"))) as tar:
        tar.extractall(root, filter="data")
    return next(root.glob("llama_cpp_python-*/vendor/llama.cpp/convert_lora_to_gguf.py")).parent


def convert(lora_dir: Path, base: Path, outfile: Path, home: Path) -> Path:
    src = llama_cpp_source(home)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(src / "gguf-py")])}
    subprocess.run([sys.executable, str(src / "convert_lora_to_gguf.py"), str(lora_dir), "--base", str(base),
                    "--outfile", str(outfile), "--outtype", "f16"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return outfile


def training_examples(hyper: Hyper) -> list[dict]:
    """The generated examples and the seen eval lists' requests, minus near duplicates of the held-out
    requests (when this checkout has them)."""
    from atelier.agent.planners.training.generate import valid
    from atelier.agent.planners.training.lists import TRAIN_LISTS, list_examples
    from atelier.agent.planners.training.overlap import HELD_OUT, Index, held_out_texts

    out = generate(hyper.examples, hyper.seed, exclude=held_out_texts())
    if hyper.list_repeat:
        held = held_out_texts(lists=tuple(rel for rel in HELD_OUT if rel not in TRAIN_LISTS))
        index = Index(held) if held else None
        rows = [ex for ex in list_examples() if valid(ex) and (index is None or not index.near(ex["text"]))]
        out = out + rows * hyper.list_repeat
        random.Random(hyper.seed + 2).shuffle(out)
    return out


def data_digest(examples: list[dict]) -> str:
    """sha256 of the training examples: the card records it, a test regenerates and compares."""
    import hashlib

    return hashlib.sha256(json.dumps(examples, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def encode(tok, examples: list[dict], max_tokens: int) -> list[tuple[list[int], int]]:
    """(ids, where the target starts): prompt (with BOS) and target (+ EOS) tokenized separately."""
    out = []
    for ex in examples:
        prompt, target = pair(ex)
        p = tok(prompt)["input_ids"]
        t = tok(target, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        if len(p) + len(t) <= max_tokens:
            out.append((p + t, len(p)))
    return out


def batches(data: list[tuple[list[int], int]], batch: int, rng: random.Random):
    """Endless batches of similar length (less padding): shuffle, sort within windows of 16 batches."""
    while True:
        order = data[:]
        rng.shuffle(order)
        window = batch * 16
        chunks = []
        for i in range(0, len(order), window):
            part = sorted(order[i:i + window], key=lambda x: len(x[0]))
            chunks += [part[j:j + batch] for j in range(0, len(part), batch)]
        rng.shuffle(chunks)
        yield from chunks


def train(out: Path, hyper: Hyper, home: Path, models: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t_start = time.time()
    torch.manual_seed(hyper.seed)
    rng = random.Random(hyper.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(hyper.threads or os.cpu_count() or 2)
    gguf = models / "llm" / BASE_GGUF
    if not gguf.is_file():
        raise FileNotFoundError(f"no {BASE_GGUF} in {models / 'llm'}: run `atelier models setup` first")
    base = base_dir(home, gguf)
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, torch_dtype=torch.float32).to(device)
    layers = list(range(hyper.lora_from_layer, model.config.num_hidden_layers))
    model = get_peft_model(model, LoraConfig(r=hyper.rank, lora_alpha=hyper.alpha, lora_dropout=hyper.dropout,
                                             target_modules=list(hyper.targets), layers_to_transform=layers,
                                             task_type="CAUSAL_LM"))
    inner = model.base_model.model
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    examples = training_examples(hyper)
    data = encode(tok, examples, hyper.max_tokens)
    log(f"{len(data)} examples (generator v{VERSION}, seed {hyper.seed}); {trainable / 1e6:.1f} M trainable; "
        f"device {device}")
    params = [p for p in model.parameters() if p.requires_grad]
    vocab = None
    if hyper.plan_vocab:  # the plans' tokens plus every 1-2 character token (other spellings the grammar allows),
        # so those are pushed down too
        short = {i for piece, i in tok.get_vocab().items() if len(piece.replace("\u2581", " ")) <= 2}
        vocab = sorted({t for ids, start in data for t in ids[start:]} | short)
    if vocab is not None:  # the target tokens' own rows of the (frozen, tied) output matrix
        index = {t: i for i, t in enumerate(vocab)}
        head = inner.lm_head.weight.detach()[torch.tensor(vocab)].to(device)
        log(f"softmax over the {len(vocab)} tokens the plans use")
    opt = torch.optim.AdamW(params, lr=hyper.lr, weight_decay=0.0)

    def lr_at(step: int) -> float:
        if step < hyper.warmup:
            return hyper.lr * (step + 1) / hyper.warmup
        by_steps = (step - hyper.warmup) / max(1, hyper.steps - hyper.warmup)
        by_time = (time.time() - t_train) / max(1.0, deadline - t_train)  # a time-boxed run still decays
        progress = max(by_steps, by_time)
        return hyper.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    lora_dir = out / "lora"
    out.mkdir(parents=True, exist_ok=True)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    deadline = t_start + hyper.minutes * 60 - 120  # leave time to convert
    losses: list[float] = []
    step = 0
    t_train = time.time()
    model.train()
    for chunk in batches(data, hyper.batch, rng):
        if step >= hyper.steps or time.time() > deadline:
            break
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        rows, cols, labels = [], [], []
        for b, (seq, start) in enumerate(chunk):
            ids[b, :len(seq)] = torch.tensor(seq)
            mask[b, :len(seq)] = 1
            for pos in range(start, len(seq)):  # position pos-1 predicts token pos
                rows.append(b)
                cols.append(pos - 1)
                labels.append(seq[pos])
        ids, mask = ids.to(device), mask.to(device)
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        with torch.autocast(device, dtype=torch.bfloat16, enabled=hyper.bf16):
            hidden = inner.model(input_ids=ids, attention_mask=mask).last_hidden_state
            picked = hidden[torch.tensor(rows, device=device), torch.tensor(cols, device=device)]
            if vocab is not None:
                logits = picked @ head.T
                labels = [index[t] for t in labels]
            else:
                logits = inner.lm_head(picked)
        loss = torch.nn.functional.cross_entropy(logits.float(), torch.tensor(labels, device=device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
        if step % 10 == 0:
            log(f"step {step} loss {sum(losses[-10:]) / 10:.4f} lr {lr_at(step):.2e} "
                f"{(time.time() - t_start) / 60:.1f} min")
        if step % hyper.save_every == 0:
            model.save_pretrained(lora_dir)
            write_card(out, hyper, step, losses, t_start, len(data), trainable, device, final=False)
    model.save_pretrained(lora_dir)
    adapter = convert(lora_dir, base, out / ADAPTER, home)
    write_card(out, hyper, step, losses, t_start, len(data), trainable, device, final=True,
               digest=data_digest(examples))
    log(f"done: {adapter} ({adapter.stat().st_size / 1e6:.1f} MB) after {step} steps")
    return adapter


def write_card(out: Path, hyper: Hyper, step: int, losses: list[float], t_start: float, n: int, trainable: int,
               device: str, final: bool, digest: str | None = None) -> None:
    import peft
    import torch
    import transformers

    card = {
        "adapter": ADAPTER, "base": BASE_GGUF + " (the shipped Gemma 3 270M, Gemma terms apply)",
        "generator_version": VERSION, "examples": n, "data_sha256": digest, "steps_done": step, "final": final,
        "wall_minutes": round((time.time() - t_start) / 60, 1), "device": device,
        "loss_first_10": round(sum(losses[:10]) / max(1, len(losses[:10])), 4),
        "loss_last_20": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4),
        "hyperparameters": asdict(hyper), "trainable_parameters": trainable,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__},
        "reproduce": f"atelier models train-planner --seed {hyper.seed} --examples {hyper.examples} "
                     f"--steps {hyper.steps} --minutes {hyper.minutes:g} --batch {hyper.batch} "
                     f"--list-repeat {hyper.list_repeat}" + (" --bf16" if hyper.bf16 else ""),
    }
    (out / "card.json").write_text(json.dumps(card, indent=1) + "\n")


def main(argv: list[str] | None = None) -> None:
    import argparse

    from atelier.core.config import load_settings

    d = Hyper()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    for name in ("seed", "examples", "steps", "batch", "rank", "save_every", "threads", "list_repeat"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(d, name))
    parser.add_argument("--minutes", type=float, default=d.minutes)
    parser.add_argument("--lr", type=float, default=d.lr)
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast (CPUs with AMX / AVX-512 BF16)")
    parser.add_argument("--convert-only", action="store_true", help="convert the last saved adapter and stop")
    opts = parser.parse_args(argv)
    hyper = Hyper(seed=opts.seed, examples=opts.examples, steps=opts.steps, minutes=opts.minutes, batch=opts.batch,
                  lr=opts.lr, rank=opts.rank, alpha=2 * opts.rank, save_every=opts.save_every, threads=opts.threads,
                  list_repeat=opts.list_repeat, bf16=opts.bf16)
    settings = load_settings()
    if opts.convert_only:
        base = base_dir(settings.home, settings.models / "llm" / BASE_GGUF)
        print(convert(opts.out / "lora", base, opts.out / ADAPTER, settings.home))
        return
    train(opts.out, hyper, settings.home, settings.models)


if __name__ == "__main__":
    main()
