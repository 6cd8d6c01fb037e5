"""Train a ShadingNet checkpoint that the ``learned`` tone backend loads, with the seed project's recipe.

Targets are either your own pencil-tone images (``targets/<same stem>.png``, grayscale, 255 = paper), or,
with no targets, the classical pencil tone map of each photo: a bootstrap that teaches the network the
classical look so it can then be fine-tuned on drawn examples. The recipe:

- a **pixel-weighted L1** loss, where target paper counts ``paper_weight`` times more, so the net is
  punished for ghosting (faint grey where the drawing is blank paper);
- a **gray-mass** loss: the L1 between the local mean darkness of prediction and target (average pooling
  over ``mass_window`` pixels), so the net matches how much graphite each region carries even where it
  cannot place every stroke;
- **cutout** augmentation: with probability ``cutout`` a random rectangle becomes blank paper in both the
  photo and the target (nothing there, nothing drawn), besides random flips.

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
PAPER = 250.0 / 255.0  # a target pixel at least this light is paper


@dataclass(frozen=True)
class TrainReport:
    """What a training run did: steps, mean loss over the first and last tenth, pairs, checkpoint path."""

    steps: int
    first_loss: float
    last_loss: float
    pairs: int
    checkpoint: str


@dataclass(frozen=True)
class Recipe:
    """The seed's loss and augmentation settings (see the module docstring)."""

    paper_weight: float = 3.0
    mass_weight: float = 1.0
    mass_window: int = 8
    cutout: float = 0.5
    cutout_size: tuple[float, float] = (0.12, 0.3)


def load_pairs(photos: list[Path], targets: Path | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(gray photo, tone target) pairs as uint8 / float32 arrays at NET_SIZE, target 255 = paper."""
    import cv2

    from atelier.core.images import load_image

    from .lines import to_gray
    from .tone import tone_map

    pairs = []
    for photo in photos:
        gray = to_gray(load_image(photo).pixels)
        if targets is None:
            target = tone_map(gray) * np.float32(255.0)
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


def cutout(photo: np.ndarray, target: np.ndarray, rng: np.random.Generator,
           size: tuple[float, float] = Recipe().cutout_size) -> tuple[np.ndarray, np.ndarray]:
    """Blank a random rectangle to paper (1.0) in both photo and target, arrays in [0, 1]; returns copies.

    Examples
    --------
    >>> p, t = cutout(np.zeros((32, 32)), np.zeros((32, 32)), np.random.default_rng(0))
    >>> bool((p == 1).any()), bool(((p == 1) == (t == 1)).all())
    (True, True)
    """
    h, w = photo.shape[-2:]
    rh = max(1, int(h * rng.uniform(*size)))
    rw = max(1, int(w * rng.uniform(*size)))
    y, x = int(rng.integers(0, h - rh + 1)), int(rng.integers(0, w - rw + 1))
    photo, target = photo.copy(), target.copy()
    photo[..., y:y + rh, x:x + rw] = 1.0
    target[..., y:y + rh, x:x + rw] = 1.0
    return photo, target


def shading_loss(pred, target, recipe: Recipe = Recipe()):
    """Pixel-weighted L1 (paper weighs ``paper_weight``) plus ``mass_weight`` times the gray-mass L1.

    ``pred`` and ``target`` are (N, 1, H, W) tensors in [0, 1] (1 = paper).
    """
    import torch.nn.functional as F

    weight = 1.0 + recipe.paper_weight * (target >= PAPER).float()
    pixel = (weight * (pred - target).abs()).sum() / weight.sum()
    k = recipe.mass_window
    mass = (F.avg_pool2d(pred, k, ceil_mode=True) - F.avg_pool2d(target, k, ceil_mode=True)).abs().mean()
    return pixel + recipe.mass_weight * mass


def _batch(photos: np.ndarray, tones: np.ndarray, rng: np.random.Generator, batch: int,
           recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    idx = rng.integers(0, len(photos), batch)
    xs, ys = [], []
    for i in idx:
        x, y = photos[i], tones[i]
        if rng.random() < 0.5:
            x, y = x[:, ::-1], y[:, ::-1]
        if rng.random() < recipe.cutout:
            x, y = cutout(x, y, rng, recipe.cutout_size)
        xs.append(x)
        ys.append(y)
    return np.stack(xs)[:, None].astype(np.float32), np.stack(ys)[:, None].astype(np.float32)


def train(
    pairs: list[tuple[np.ndarray, np.ndarray]], out: Path, config: ShadingNetConfig = SMALL, steps: int = 500,
    batch: int = 4, lr: float = 2e-3, seed: int = 0, log: Callable[[int, float], None] | None = None,
    recipe: Recipe = Recipe(),
) -> TrainReport:
    """Adam on ``shading_loss`` with flips and cutout; writes ``out`` atomically, reports first/last loss."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = ShadingNet(config)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    photos = np.stack([p for p, _ in pairs]).astype(np.float32) / 255.0
    tones = np.stack([t for _, t in pairs]).astype(np.float32) / 255.0
    losses = []
    for step in range(steps):
        x, y = (torch.from_numpy(a) for a in _batch(photos, tones, rng, batch, recipe))
        loss = shading_loss(net(x), y, recipe)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if log and (step % 50 == 0 or step == steps - 1):
            log(step, losses[-1])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    save_checkpoint(net.eval(), tmp)
    tmp.replace(out)
    tenth = max(1, steps // 10)
    return TrainReport(steps, float(np.mean(losses[:tenth])), float(np.mean(losses[-tenth:])), len(pairs), str(out))
