"""The tools the agent may plan with — the installed tools' specs — and the agent's own wording (prompts/).

Prompts ship as package data (``atelier.prompts``), so an installed wheel finds them as a checkout does.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from atelier.core.registry import ToolSpec, all_tools

PROMPTS = files("atelier.prompts")


def prompt_text(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


def read_rows(name: str, columns: int) -> list[list[str]]:
    """Rows of a ``|``-separated prompts file, comments and blank lines skipped."""
    rows = []
    for line in prompt_text(name).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            parts = [p.strip() for p in line.split("|", columns - 1)]
            if len(parts) == columns:
                rows.append(parts)
    return rows


def read_lines(name: str) -> list[str]:
    """Non-comment lines of a prompts file."""
    return [line.strip() for line in prompt_text(name).splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def catalogue() -> dict[str, ToolSpec]:
    """The installed tools by name (the registry caches the specs, so this is cheap)."""
    return {spec.name: spec for spec in all_tools()}


@functools.cache
def capabilities() -> str:
    return " ".join(prompt_text("capabilities.txt").split())


def chains_image(spec: ToolSpec) -> bool:
    """Whether a step of this tool hands a new version of the working image to the next step."""
    return spec.produces_image and spec.needs_image
