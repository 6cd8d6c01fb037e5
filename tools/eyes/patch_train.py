"""Train the eye-patch models (``patch.py``: the CNN and the linear HOG model) and the logistic unit that joins
them to the landmark score.

Data (research use only, never committed; see ``weights/EYE_PATCH_MODEL.md``): the CEW eye-patch set
(``dataset_B_Eye_Images``: 24×24 patches, closed from CEW's closed-eye photos, open from LFW) and, when
eye patches cut by ``patch.eye_patch`` from labelled face photos through the landmark backend. Torch
and scikit-learn are needed here only; the shipped detector runs the weights in numpy. Same data + seed → same weights.

    python -m atelier.tools.eyes.patch_train --patches DATA/dataset_B_Eye_Images \
        --closed DATA/closed --open DATA/open --out tools/eyes/weights/eye_patch.npz
"""

from __future__ import annotations

import argparse
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .patch import PATCH, normalise

WIDTH = 24  # channels of the first convolution (then 2× and 4×); round 4 had 16
EPOCHS = 15
FLIP = True  # half of each CNN batch mirrored (read as is: mirror-averaged reading did not gain)
PHOTOMETRIC = True  # the CNN trained on fresh ``augment.photometric`` copies each epoch
FOLDS = 5


@dataclass
class EyeSet:
    """Patches (N, 24, 24, every one a left eye), closed labels, the group each comes from (a photo or a
    person: both eyes of one photo, and one person's photos, share a fold), and, for face photos, the
    landmark score."""

    patches: np.ndarray
    closed: np.ndarray
    groups: list[str]
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def folds(self, k: int = FOLDS) -> np.ndarray:
        """A fold per group from a hash of its name: the same photo lands in the same fold in every set."""
        return np.array([zlib.crc32(g.encode()) % k for g in self.groups])


def load_patch_set(root: Path) -> EyeSet:
    """CEW's eye patches: ``closed|open`` × ``Left|Right`` folders; right eyes mirrored. A closed patch's
    group is its CEW photo (``closed_eye_0001.jpg_face_1``), an open one's its LFW person."""
    from PIL import Image

    patches, closed, groups = [], [], []
    for folder, shut in (("closedLeftEyes", True), ("closedRightEyes", True), ("openLeftEyes", False),
                         ("openRightEyes", False)):
        for path in sorted((root / folder).glob("*.jpg")):
            img = np.asarray(Image.open(path).convert("L").resize((PATCH, PATCH)), np.float32)
            patches.append(img[:, ::-1] if "Right" in folder else img)
            closed.append(shut)
            stem = path.stem[:-2]  # without _L / _R
            groups.append(stem if shut else stem.rsplit("_", 1)[0])
    return EyeSet(np.stack(patches), np.array(closed), groups)


def load_face_set(paths: list[tuple[Path, bool]], landmarker) -> tuple[EyeSet, int]:
    """Both eyes of the largest face in each labelled photo, cut by ``eye_patch``, with their landmark
    scores; returns the set and how many photos had no face."""
    import cv2
    from PIL import Image

    from .measure import eye_state
    from .patch import eye_patch

    patches, closed, groups, scores, missed = [], [], [], [], 0
    for path, shut in paths:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        faces = landmarker.detect(rgb)
        if not faces:
            missed += 1
            continue
        face = max(faces, key=lambda f: f.inter_ocular)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        for side in ("right", "left"):
            patches.append(eye_patch(gray, face.corners(side), mirror=side == "right"))
            closed.append(shut)
            groups.append(path.stem)
            scores.append(eye_state(face, side)["score"])
    return EyeSet(np.stack(patches), np.array(closed), groups, np.array(scores)), missed


def _augment(x, gen):
    """Small rotations (±10°), scalings (±10 %), shifts (±2 px), contrast and brightness changes: what
    landmark jitter and lighting do to a patch."""
    import torch
    import torch.nn.functional as F

    n = x.shape[0]
    u = lambda *shape: torch.rand(*shape, generator=gen) - 0.5  # noqa: E731
    angle, scale = u(n) * 2 * np.radians(10), 1 + u(n) * 0.2
    tx, ty = u(n) * 2 * (2 / (PATCH / 2)), u(n) * 2 * (2 / (PATCH / 2))
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    return x * (1 + u(n, 1, 1, 1) * 0.4) + u(n, 1, 1, 1) * 0.4


def build_net(width: int = WIDTH):
    """The torch twin of ``patch.forward`` (same layers, same weight names)."""
    import torch.nn as nn
    import torch.nn.functional as F

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, width, 3, padding=1)
            self.c2 = nn.Conv2d(width, 2 * width, 3, padding=1)
            self.c3 = nn.Conv2d(2 * width, 4 * width, 3, padding=1)
            self.fc = nn.Linear(4 * width, 1)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.c1(x)), 2)
            x = F.max_pool2d(F.relu(self.c2(x)), 2)
            return self.fc(F.relu(self.c3(x)).mean((2, 3))).squeeze(1)

    return Net()


def train_cnn(patches: np.ndarray, closed: np.ndarray, seed: int = 0, epochs: int = EPOCHS,
              width: int = WIDTH, flip: bool = FLIP, photometric: bool = PHOTOMETRIC) -> dict[str, np.ndarray]:
    """The CNN trained on raw patches (normalised here); returns its weights as numpy arrays. ``flip`` also
    mirrors half of each batch (so a left and a right eye teach the same filters).
    ``photometric``: each epoch sees a fresh ``augment.photometric`` copy of every patch (gamma, contrast,
    blur or sharpening, noise, JPEG; seeded by ``seed`` and the epoch), so the CNN cannot lean on one
    source's tone curve or sharpness."""
    import torch
    import torch.nn.functional as F

    from .augment import photometric as photometric_copy

    torch.set_num_threads(2)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = build_net(width)
    x = torch.tensor(normalise(patches))[:, None]
    y = torch.tensor(closed.astype(np.float32))
    batches = (len(y) + 127) // 128
    opt = torch.optim.AdamW(net.parameters(), 3e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * batches)
    for epoch in range(epochs):
        if photometric:
            x = torch.tensor(normalise(photometric_copy(patches, 1000 * seed + epoch)))[:, None]
        order = torch.randperm(len(y), generator=gen)
        for i in range(0, len(y), 128):
            b = order[i:i + 128]
            xb = x[b]
            if flip:
                mirrored = torch.rand(len(b), generator=gen) < 0.5
                xb = torch.where(mirrored[:, None, None, None], xb.flip(3), xb)
            loss = F.binary_cross_entropy_with_logits(net(_augment(xb, gen)), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


def mirror_mean(logits, patches: np.ndarray) -> np.ndarray:
    """The mean of ``logits`` (a function of patches) over the patches and their mirror images."""
    return (logits(patches) + logits(np.ascontiguousarray(patches[:, :, ::-1]))) / 2


def train_hog(patches: np.ndarray, closed: np.ndarray, c: float = 0.01, style=None, copies: int = 0,
              seed: int = 0) -> dict[str, np.ndarray]:
    """The linear model on ``patch.hog_features`` (``style``: a ``patch.HogStyle``, the current one by
    default, saved with the weights): standardised, L2-regularised logistic regression (C = 0.01, strong:
    1 044 features for a few thousand patches). ``copies`` adds that many ``augment`` copies of the patches
    (measured in ``evals/eyes/hog_styles.py``: no gain, so 0)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from .augment import with_copies
    from .patch import HOG_STYLE, hog_features

    style = style or HOG_STYLE
    patches, closed = with_copies(patches, closed, copies, seed)
    x = hog_features(patches, style)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=3000).fit(scaler.transform(x), closed)
    return {"hog.mean": scaler.mean_.astype(np.float32), "hog.scale": scaler.scale_.astype(np.float32),
            "hog.coef": model.coef_[0].astype(np.float32), "hog.intercept": model.intercept_.astype(np.float32),
            "hog.style": style.as_array()}


def fit_combiner(scores: np.ndarray, logits: np.ndarray, closed: np.ndarray, threshold: float) -> np.ndarray:
    """Logistic weights (a, b…, d) of closed ~ a·ln(threshold / score) + b·logit (one per patch model) + d,
    fitted on out-of-fold patch logits (a patch model scored on its own training eyes would be over-trusted)."""
    from sklearn.linear_model import LogisticRegression

    z = np.c_[np.log(threshold / np.clip(scores, 1e-4, None)), logits]
    model = LogisticRegression(max_iter=2000).fit(z, closed)
    return np.r_[model.coef_[0], model.intercept_].astype(np.float32)


def out_of_fold_logits(train: list[EyeSet], tests: list[EyeSet], seed: int = 0, epochs: int = EPOCHS,
                       k: int = FOLDS, kind: str = "cnn", flip: bool | None = None) -> list[np.ndarray]:
    """Patch logits (``kind`` = ``cnn`` or ``hog``) for every eye of each set in ``tests``, each from a model
    trained on the other folds of ``train`` (folds by group, so no photo or person is on both sides).
    ``flip``: trained on mirrored copies too and read as the mean over each patch and its mirror; by default
    (None) each model is trained and read as the shipped one is (the CNN with ``FLIP``, read as is)."""
    from .patch import forward, hog_features, hog_logits, style_of

    train_flip = (kind == "cnn" and FLIP) if flip is None else flip

    outs = [np.zeros(len(t.closed), np.float32) for t in tests]
    for fold in range(k):
        keep = [s.folds(k) != fold for s in train]
        x = np.concatenate([s.patches[m] for s, m in zip(train, keep, strict=True)])
        y = np.concatenate([s.closed[m] for s, m in zip(train, keep, strict=True)])
        if kind == "cnn":
            weights = train_cnn(x, y, seed, epochs, flip=train_flip)
            read = lambda p, w=weights: forward(normalise(p), w)  # noqa: E731
        else:
            weights = train_hog(np.r_[x, x[:, :, ::-1]], np.r_[y, y]) if flip else train_hog(x, y)
            read = lambda p, w=weights: hog_logits(hog_features(p, style_of(w)), w)  # noqa: E731
        for out, test in zip(outs, tests, strict=True):
            sel = test.folds(k) == fold
            out[sel] = mirror_mean(read, test.patches[sel]) if flip else read(test.patches[sel])
    return outs


def train_model(cew: EyeSet, faces: EyeSet, threshold: float, seed: int = 0, epochs: int = EPOCHS,
                oof: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The shipped model: the CNN and the HOG model on every patch of both sets, and the combiner fitted on
    the face eyes' out-of-fold logits (``oof``, (N, 2) CNN and HOG, computed here when not given)."""
    if oof is None:
        oof = np.c_[out_of_fold_logits([cew, faces], [faces], seed, epochs)[0],
                    out_of_fold_logits([cew, faces], [faces], seed, epochs, kind="hog")[0]]
    combine = fit_combiner(faces.scores, oof, faces.closed, threshold)
    x, y = np.concatenate([cew.patches, faces.patches]), np.concatenate([cew.closed, faces.closed])
    return {**train_cnn(x, y, seed, epochs), **train_hog(x, y), "combine": combine}


def face_photos(closed_dir: Path, open_dir: Path, limit: int, seed: int) -> list[tuple[Path, bool]]:
    """The labelled photos ``evals/eyes/run.py`` scores: up to ``limit`` of each class, open ones shuffled
    with ``seed``."""
    import random

    closed, opened = sorted(closed_dir.iterdir()), sorted(open_dir.iterdir())
    random.Random(seed).shuffle(opened)
    return [(p, True) for p in closed[:limit]] + [(p, False) for p in opened[:limit]]


def main(argv: list[str] | None = None) -> int:
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    from .measure import CLOSED_BELOW

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patches", type=Path, required=True, help="the CEW eye-patch folder (dataset_B_Eye_Images)")
    ap.add_argument("--closed", type=Path, required=True, help="closed-eye face photos (CEW)")
    ap.add_argument("--open", type=Path, required=True, help="open-eye face photos (UTKFace)")
    ap.add_argument("--limit", type=int, default=1200, help="photos per class")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    cew = load_patch_set(args.patches)
    faces, _ = load_face_set(face_photos(args.closed, args.open, args.limit, args.seed), MediaPipeLandmarker())
    model = train_model(cew, faces, CLOSED_BELOW, args.seed, args.epochs)
    np.savez_compressed(args.out, **model)
    print(f"wrote {args.out}: {sum(v.size for v in model.values())} numbers, combiner {model['combine'].round(3)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
