"""The tools the agent may plan with: every name of the contract (prompts/tools.txt), and which of them are
installed in this build (the registry). A plan may name a contract tool that is not installed yet; it is
then reported as unavailable, never silently replaced by another tool."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from atelier.tools.core.registry import tool_names

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"


@dataclass(frozen=True)
class ToolInfo:
    name: str
    needs_image: bool
    description: str

    @property
    def installed(self) -> bool:
        return self.name in tool_names()


def read_rows(name: str, columns: int) -> list[list[str]]:
    """Rows of a ``|``-separated prompts file, comments and blank lines skipped."""
    rows = []
    for line in (PROMPTS / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            parts = [p.strip() for p in line.split("|", columns - 1)]
            if len(parts) == columns:
                rows.append(parts)
    return rows


@functools.cache
def catalogue() -> dict[str, ToolInfo]:
    return {name: ToolInfo(name, needs == "yes", desc) for name, needs, desc in read_rows("tools.txt", 3)}


@functools.cache
def capabilities() -> str:
    return " ".join((PROMPTS / "capabilities.txt").read_text(encoding="utf-8").split())
