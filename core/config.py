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

import functools
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
    planner: str | None = None
    llm: Path | None = None  # a GGUF chosen by the user (ATELIER_LLM) instead of ATELIER_MODELS/llm/
    llm_url: str | None = None  # an OpenAI-compatible server for the `openai` planner
    llm_model: str | None = None
    llm_key: str | None = None
    device: str | None = None  # "cuda", "cpu", ... for diffusion backends; None = best available
    server: str | None = None  # an Atelier server the CLI and chat use instead of running tools here
    token: str | None = None
    verbose: bool = False
    env_backends: dict[str, str] = field(default_factory=dict)  # ATELIER_BACKEND_<KEY> overrides

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def inputs_dir(self) -> Path:
        return self.home / "inputs"

    @property
    def db_path(self) -> Path:
        return self.home / "atelier.sqlite"

    def backend_for(self, key: str) -> str | None:
        """The backend the environment (``ATELIER_BACKEND_<KEY>``) or ``[backends]`` sets for ``key``."""
        return self.env_backends.get(key.lower()) or self.backends.get(key)

    def defaults_for(self, tool: str) -> dict[str, Any]:
        return dict(self.tool_defaults.get(tool, {}))


class ConfigError(ValueError):
    """A config file or environment value Atelier cannot use; the message names the file, the key and what was
    expected, so the user can fix it."""


ENV_VARS = ("ATELIER_HOME", "ATELIER_CONFIG", "ATELIER_MODELS", "ATELIER_MAX_BYTES", "ATELIER_MAX_PIXELS",
            "ATELIER_PLANNER", "ATELIER_LLM", "ATELIER_LLM_URL", "ATELIER_LLM_MODEL", "ATELIER_LLM_KEY",
            "ATELIER_DEVICE", "ATELIER_SERVER", "ATELIER_TOKEN", "ATELIER_VERBOSE")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a folder, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not text (UTF-8 TOML expected)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _table(data: dict[str, Any], key: str, where: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"config file {where}: [{key}] must be a table, got {type(value).__name__} {value!r}")
    return value


def _int(raw: Any, name: str, where: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ConfigError(f"{where}: {name} must be a positive whole number, got {raw!r}")
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{where}: {name} must be a positive whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{where}: {name} must be a positive whole number, got {raw!r}")
    return value


def _path(raw: Any, name: str, where: str) -> Path | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: {name} must be a path (a string), got {raw!r}")
    return Path(raw).expanduser()


def load_settings() -> Settings:
    """The settings for the current environment and config file, parsed once per process while neither
    changes (every ``ATELIER_*`` variable is read here and nowhere else)."""
    env = tuple(os.environ.get(k) for k in ENV_VARS)
    home = Path(env[0] or Path.home() / ".atelier").expanduser()
    config_file = Path(env[1] or home / "config.toml").expanduser()
    try:
        stamp = config_file.stat().st_mtime_ns
    except OSError:
        stamp = None
    backend_env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("ATELIER_BACKEND_") and v))
    return _parse(env, backend_env, str(config_file), stamp)


@functools.lru_cache(maxsize=8)
def _parse(env: tuple[str | None, ...], backend_env: tuple[tuple[str, str], ...], config_path: str,
           stamp: int | None) -> Settings:
    values = dict(zip(ENV_VARS, env, strict=True))
    home = Path(values["ATELIER_HOME"] or Path.home() / ".atelier").expanduser()
    config_file = Path(config_path)
    data = _read_toml(config_file)
    raw_limits = _table(data, "limits", config_file)
    for key in ("backends", "tools", "llm"):
        _table(data, key, config_file)
    where = f"config file {config_file}"
    limits = Limits(
        max_bytes=_int(values["ATELIER_MAX_BYTES"], "ATELIER_MAX_BYTES", "environment", 0)
        or _int(raw_limits.get("max_bytes"), "[limits] max_bytes", where, DEFAULT_MAX_BYTES),
        max_pixels=_int(values["ATELIER_MAX_PIXELS"], "ATELIER_MAX_PIXELS", "environment", 0)
        or _int(raw_limits.get("max_pixels"), "[limits] max_pixels", where, DEFAULT_MAX_PIXELS),
    )
    tools = data.get("tools", {})
    for name, table in tools.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [tools.{name}] must be a table of argument defaults, got {table!r}")
    llm = data.get("llm", {})
    models = _path(values["ATELIER_MODELS"], "ATELIER_MODELS", "environment") or _path(
        data.get("models"), "models", where) or home / "models"
    return Settings(
        home=home,
        models=models,
        limits=limits,
        backends={k: str(v) for k, v in data.get("backends", {}).items()},
        tool_defaults={k: dict(v) for k, v in tools.items()},
        config_file=config_file if stamp is not None else None,
        planner=values["ATELIER_PLANNER"] or data.get("planner"),
        llm=_path(values["ATELIER_LLM"], "ATELIER_LLM", "environment")
        or _path(llm.get("model_path"), "[llm] model_path", where),
        llm_url=values["ATELIER_LLM_URL"] or llm.get("url"),
        llm_model=values["ATELIER_LLM_MODEL"] or llm.get("model"),
        llm_key=values["ATELIER_LLM_KEY"] or llm.get("key"),
        device=values["ATELIER_DEVICE"],
        server=values["ATELIER_SERVER"],
        token=values["ATELIER_TOKEN"],
        verbose=bool(values["ATELIER_VERBOSE"]),
        env_backends={k.removeprefix("ATELIER_BACKEND_").lower(): v for k, v in backend_env},
    )
