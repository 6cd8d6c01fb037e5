"""Where Atelier keeps its things and which limits and backends apply.

Precedence: environment variables, then ``$ATELIER_HOME/config.toml`` (or ``$ATELIER_CONFIG``), then defaults.
The TOML file looks like::

    [limits]
    max_bytes = 104857600      # 100 MiB per input file
    max_pixels = 50000000      # decoded width x height

    [backends]
    sketch_shading = "classical"   # or "learned"

    [tools.sketchify]
    ai_strength = 0.35
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS


@dataclass(frozen=True)
class Settings:
    home: Path
    models: Path
    limits: Limits = field(default_factory=Limits)
    backends: dict[str, str] = field(default_factory=dict)
    tool_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    config_file: Path | None = None

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def inputs_dir(self) -> Path:
        return self.home / "inputs"

    @property
    def db_path(self) -> Path:
        return self.home / "atelier.sqlite"

    def backend_for(self, role: str, default: str) -> str:
        return os.environ.get(f"ATELIER_BACKEND_{role.upper()}") or self.backends.get(role, default)

    def defaults_for(self, tool: str) -> dict[str, Any]:
        return dict(self.tool_defaults.get(tool, {}))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {path} is not valid TOML: {exc}") from exc


def load_settings() -> Settings:
    """Read the environment and the config file afresh (cheap; callers may cache)."""
    home = Path(os.environ.get("ATELIER_HOME") or Path.home() / ".atelier").expanduser()
    config_file = Path(os.environ.get("ATELIER_CONFIG") or home / "config.toml").expanduser()
    data = _read_toml(config_file)
    models = Path(os.environ.get("ATELIER_MODELS") or data.get("models") or home / "models").expanduser()
    raw_limits = data.get("limits", {})
    limits = Limits(
        max_bytes=int(os.environ.get("ATELIER_MAX_BYTES") or raw_limits.get("max_bytes", DEFAULT_MAX_BYTES)),
        max_pixels=int(os.environ.get("ATELIER_MAX_PIXELS") or raw_limits.get("max_pixels", DEFAULT_MAX_PIXELS)),
    )
    return Settings(
        home=home,
        models=models,
        limits=limits,
        backends={k: str(v) for k, v in data.get("backends", {}).items()},
        tool_defaults={k: dict(v) for k, v in data.get("tools", {}).items()},
        config_file=config_file if config_file.exists() else None,
    )
