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
    from atelier.core.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(SAMPLES / "astronaut.png").convert("RGB"))


def install_plugin(folder: Path, module: str, source: str, tools: dict[str, str]) -> Path:
    """Install a tool package the way pip would, as far as discovery goes: the module plus a dist-info with an
    ``atelier.tools`` entry point, in ``folder``, put first on ``sys.path``. Returns the folder (for
    ``PYTHONPATH`` in subprocesses)."""
    from atelier.core import registry

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(source)
    dist = folder / f"{module}-0.1.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {target}\n" for name, target in tools.items())
    (dist / "entry_points.txt").write_text(f"[atelier.tools]\n{lines}")
    sys.path.insert(0, str(folder))
    registry.refresh()
    return folder


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch):
    """``plugins(folder, module, source, {name: "module:SPEC"})``; everything is uninstalled after the test."""
    from atelier.core import registry

    installed: list[str] = []

    def install(folder: Path, module: str, source: str, tools: dict[str, str]) -> Path:
        installed.append(module)
        return install_plugin(folder, module, source, tools)

    yield install
    for module in installed:
        sys.modules.pop(module, None)
    sys.path[:] = [p for p in sys.path if not any(Path(p, f"{m}.py").exists() for m in installed)]
    registry.refresh()


def tool_command(tool: str, name: str):
    """A tool's own command line (``SPEC.commands``) as a one-command typer app, for ``CliRunner``: tool tests
    exercise the tool's commands without going through the agent's CLI."""
    import importlib

    import typer

    from atelier.core.registry import get_tool

    command = next(c for c in get_tool(tool).commands if c.name == name)
    module, function = command.target.split(":")
    app = typer.Typer()
    app.command(name)(getattr(importlib.import_module(module), function))
    app.command("noop", hidden=True)(lambda: None)  # two commands, so typer keeps the command name
    return app


def backend_row(tool: str, backend: str) -> dict:
    """The doctor row of one backend of one tool, read from the tool's spec."""
    from atelier.core.config import load_settings
    from atelier.core.registry import get_tool

    return next(r.as_dict() for r in get_tool(tool).backend_statuses(load_settings()) if r.backend == backend)


@pytest.fixture(scope="session")
def rendered_punk_model(tmp_path_factory) -> Path:
    """A punk model trained on 1 600 rendered punks (known traits) through the tool's own `punk train`."""
    from punk_render import train_rendered_model

    return train_rendered_model(tmp_path_factory.mktemp("punk-train"))
