"""Every test runs against its own ATELIER_HOME; nothing touches ~/.atelier or the network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

os.environ["HF_HUB_OFFLINE"] = "1"
REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(autouse=True)
def atelier_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "atelier-home"
    monkeypatch.setenv("ATELIER_HOME", str(home))
    monkeypatch.setenv("ATELIER_MODELS", str(home / "models"))
    for var in ("ATELIER_CONFIG", "ATELIER_MAX_BYTES", "ATELIER_MAX_PIXELS", "ATELIER_BACKEND_SKETCH_SHADING"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def settings(atelier_home: Path):
    from atelier.tools.core.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(SAMPLES / "astronaut.png").convert("RGB"))
