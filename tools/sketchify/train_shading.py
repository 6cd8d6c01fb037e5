"""Train a ShadingNet checkpoint that the ``learned`` shading backend loads.

Targets are either your own shading images (``targets/<same stem>.png``, grayscale, 255 = paper), or, with
no targets, the classical tonal shading of each photo: a bootstrap that teaches the network the classical
look so it can then be fine-tuned on drawn examples. Training runs on 256x256 crops, like inference.

    atelier models train-shading --photos DIR [--targets DIR] [--steps 500] --out shading.pth [--install]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .backends.learned import NET_SIZE
from .net import ShadingNet, ShadingNetConfig, save_checkpoint

SMALL = ShadingNetConfig(widths=(16, 32, 64, 128), depths=(2, 2, 4, 4))


@dataclass(frozen=True)
class TrainReport:
    steps: int
    first_loss: float
    last_loss: float
    pairs: int
    checkpoint: str


def load_pairs(photos: list[Path], targets: Path | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(gray photo, shading target) pairs as uint8 / float32 arrays at NET_SIZE."""
    import cv2

    from atelier.tools.core.images import load_image

    from .lines import to_gray
    from .shading import tonal_shading

    pairs = []
    for photo in photos:
        gray = to_gray(load_image(photo).pixels)
        if targets is None:
            target = tonal_shading(gray)
        else:
            target_path = next((p for p in targets.glob(f"{photo.stem}.*") if p.is_file()), None)
            if target_path is None:
                raise FileNotFoundError(f"no target for {photo.name} in {targets}")
            target = to_gray(load_image(target_path).pixels).astype(np.float32)
            target = cv2.resize(target, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_AREA)
        size = (NET_SIZE, NET_SIZE)
        pairs.append((cv2.resize(gray, size, interpolation=cv2.INTER_AREA),
                      cv2.resize(target.astype(np.float32), size, interpolation=cv2.INTER_AREA)))
    if not pairs:
        raise ValueError("no training photos")
    return pairs


def train(
    pairs: list[tuple[np.ndarray, np.ndarray]], out: Path, config: ShadingNetConfig = SMALL, steps: int = 500,
    batch: int = 4, lr: float = 2e-3, seed: int = 0, log: Callable[[int, float], None] | None = None,
) -> TrainReport:
    """Adam on L1 loss, random flips; writes ``out`` atomically and returns the first and last loss."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = ShadingNet(config)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    photos = torch.from_numpy(np.stack([p for p, _ in pairs]).astype(np.float32) / 255.0)[:, None]
    tones = torch.from_numpy(np.stack([t for _, t in pairs]).astype(np.float32) / 255.0)[:, None]
    losses = []
    for step in range(steps):
        idx = torch.from_numpy(rng.integers(0, len(pairs), batch))
        x, y = photos[idx], tones[idx]
        if rng.random() < 0.5:
            x, y = x.flip(-1), y.flip(-1)
        loss = torch.nn.functional.l1_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if log and (step % 50 == 0 or step == steps - 1):
            log(step, losses[-1])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    save_checkpoint(net.eval(), tmp)
    tmp.replace(out)
    head, tail = max(1, steps // 10), max(1, steps // 10)
    return TrainReport(steps, float(np.mean(losses[:head])), float(np.mean(losses[-tail:])), len(pairs), str(out))
