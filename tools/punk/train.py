"""Training the punk classifier from labelled punks (the CryptoPunks composite and table, or rendered
punks in the tests). Every punk is shown clean and as users send them — on a coloured background, JPEG'd,
upscaled — each brought back through ``canonical`` exactly as at inference. Temperatures come from
out-of-fold predictions, so the shipped confidences are calibrated on punks the model never saw."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .canonical import SIDE, canonical, features
from .model import PunkModel, fit_temperature
from .traits import OUTPUTS, SLOT_SLICES, SLOTS, PunkLabel, label_from_table

VARIANTS = ("native", "background", "jpeg", "upscaled", "upscaled_jpeg")


def load_cryptopunks(composite: Path, table: Path) -> tuple[np.ndarray, list[PunkLabel]]:
    """The 10 000 punks of the 2400×2400 composite (row-major ids) and their table rows."""
    from PIL import Image

    sheet = np.asarray(Image.open(composite).convert("RGBA"))
    n = sheet.shape[0] // SIDE
    punks = sheet.reshape(n, SIDE, n, SIDE, 4).transpose(0, 2, 1, 3, 4).reshape(n * n, SIDE, SIDE, 4)
    with open(table, newline="") as fh:
        rows = list(csv.reader(fh, skipinitialspace=True))[1:]
    labels = {int(r[0]): label_from_table(r[1], r[2], r[3], r[5]) for r in rows}
    return punks, [labels[i] for i in range(len(punks))]


def jpeg_roundtrip(rgb: np.ndarray, quality: int) -> np.ndarray:
    """The image as a JPEG at ``quality`` would decode."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def on_background(rgba: np.ndarray, colour: Sequence[int]) -> np.ndarray:
    """Composite a punk over a solid colour (as marketplaces show them)."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    out = rgba[..., :3].astype(np.float32) * a + np.asarray(colour, np.float32) * (1.0 - a)
    return out.round().astype(np.uint8)


def variant(rgba: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """One punk as a user might send it."""
    import cv2

    if kind == "native":
        return rgba
    colour = rng.integers(0, 256, 3)
    rgb = on_background(rgba, colour)
    if kind == "background":
        return rgb
    if kind == "jpeg":
        return jpeg_roundtrip(rgb, int(rng.integers(50, 96)))
    side = int(round(SIDE * rng.uniform(4.0, 10.0)))
    interp = cv2.INTER_NEAREST if rng.random() < 0.4 else cv2.INTER_LINEAR
    big = cv2.resize(rgb, (side, side), interpolation=interp)
    return jpeg_roundtrip(big, int(rng.integers(50, 96))) if kind == "upscaled_jpeg" else big


def feature_rows(images: Sequence[np.ndarray]) -> np.ndarray:
    return np.stack([features(canonical(img).rgba) for img in images]).astype(np.float32)


def targets(labels: Sequence[PunkLabel]) -> np.ndarray:
    return np.array([[lab.targets()[slot] for slot in SLOTS] for lab in labels], np.int64)


def augmented(punks: np.ndarray, labels: Sequence[PunkLabel], copies: int, seed: int,
              kinds: Sequence[str] = VARIANTS) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and targets for ``copies`` variants of each punk (the first always native)."""
    rng = np.random.default_rng(seed)
    y = targets(labels)
    xs, ys = [], []
    for c in range(copies):
        kind_of = ["native"] * len(punks) if c == 0 else [kinds[i] for i in rng.integers(0, len(kinds), len(punks))]
        xs.append(feature_rows([variant(p, k, rng) for p, k in zip(punks, kind_of, strict=True)]))
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


@dataclass
class TrainConfig:
    hidden: int = 512
    epochs: int = 40
    batch: int = 128
    lr: float = 3e-3
    weight_decay: float = 0.0
    noise: float = 0.0  # std of Gaussian noise added to the inputs while training (robustness to small models)
    seed: int = 0


def fit(x: np.ndarray, y: np.ndarray, config: TrainConfig = TrainConfig(),
        log: Callable[[str], None] | None = None) -> PunkModel:
    """Train the shared MLP with a cross-entropy per slot."""
    import torch

    torch.manual_seed(config.seed)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], config.hidden), torch.nn.ReLU(),
                              torch.nn.Linear(config.hidden, OUTPUTS))
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps = config.epochs * ((len(x) + config.batch - 1) // config.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, config.lr, total_steps=steps)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(config.seed)
    for epoch in range(config.epochs):
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for start in range(0, len(order), config.batch):
            idx = order[start:start + config.batch]
            xb = xt[idx]
            if config.noise:
                xb = xb + config.noise * torch.randn(xb.shape, generator=gen)
            z = net(xb)
            loss = sum(torch.nn.functional.cross_entropy(z[:, sl], yt[idx, i])
                       for i, sl in enumerate(SLOT_SLICES.values()))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        if log:
            log(f"epoch {epoch + 1}/{config.epochs}: loss {total / len(xt):.4f}")
    first, last = net[0], net[2]
    return PunkModel(first.weight.detach().numpy().T.copy(), first.bias.detach().numpy().copy(),
                     last.weight.detach().numpy().T.copy(), last.bias.detach().numpy().copy(),
                     info={"hidden": config.hidden, "epochs": config.epochs, "samples": int(len(x))})


def calibrate(model: PunkModel, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Per-slot temperatures from held-out rows."""
    z = model.logits(x)
    return {slot: fit_temperature(z[:, sl], y[:, i]) for i, (slot, sl) in enumerate(SLOT_SLICES.items())}


def folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    return np.array_split(np.random.default_rng(seed).permutation(n), k)


def train(punks: np.ndarray, labels: Sequence[PunkLabel], config: TrainConfig = TrainConfig(), copies: int = 3,
          holdout: float = 0.15, log: Callable[[str], None] | None = None) -> PunkModel:
    """Fit on all but a held-out share, calibrate on the held-out share (seen as users send them), then
    refit on everything and keep those temperatures."""
    n = len(punks)
    held = folds(n, max(2, round(1 / holdout)), config.seed)[0]
    kept = np.setdiff1d(np.arange(n), held)
    x, y = augmented(punks[kept], [labels[i] for i in kept], copies, config.seed)
    xh, yh = augmented(punks[held], [labels[i] for i in held], copies, config.seed + 1)
    temps = calibrate(fit(x, y, config, log), xh, yh)
    xa, ya = np.concatenate([x, xh]), np.concatenate([y, yh])
    model = fit(xa, ya, config, log)
    model.temperatures = temps
    return model
