"""Make ``import torchvision`` work with the CPU torch build.

The registry's torchvision wheel is CUDA-linked; imported beside the CPU torch it fails with
``operator torchvision::nms does not exist``, which also breaks ``transformers`` and so
``sentence_transformers`` and ``open_clip``. Declaring the op schemas torchvision expects before it
loads lets it import (``torchvision.ops.nms`` itself stays unavailable). ``install()`` only adds a
meta-path hook: torch is imported when torchvision is, never at interpreter start-up. ``setup.sh``
writes a ``.pth`` file that calls it in every process of the venv.
"""

from __future__ import annotations

import importlib.abc
import os
import sys

_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
)
_library = None  # kept alive: dropping the Library object unregisters its schemas


def define_missing_ops() -> None:
    """Declare torchvision's custom-op schemas unless a working torchvision already did."""
    global _library
    if _library is not None:
        return
    import torch

    try:
        torch.ops.torchvision.nms  # noqa: B018 - probing whether the op exists
        return
    except (AttributeError, RuntimeError):
        pass
    _library = torch.library.Library("torchvision", "DEF")
    for schema in _SCHEMAS:
        _library.define(schema)


class _TorchvisionHook(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torchvision":
            sys.meta_path.remove(self)
            define_missing_ops()
        return None


def install() -> None:
    """Install the hook once (idempotent); a no-op when torchvision is already imported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if "torchvision" in sys.modules or any(isinstance(f, _TorchvisionHook) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _TorchvisionHook())
