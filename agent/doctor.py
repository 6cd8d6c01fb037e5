"""``atelier doctor``: which backends can run now, where their weights were found, and what is missing."""

from __future__ import annotations

from atelier.core.backends import BackendStatus
from atelier.core.config import Settings
from atelier.core.models import find_model, missing_reason
from atelier.core.registry import all_tools


def planner_statuses(settings: Settings) -> list[BackendStatus]:
    gguf = find_model(settings, "llm")
    return [BackendStatus(
        "agent", "planner", "llm", gguf is not None, False, str(gguf) if gguf else None,
        "GGUF found" if gguf else missing_reason(settings, "llm") + " (or run `atelier models setup`)",
    )]


def doctor(settings: Settings) -> list[BackendStatus]:
    rows: list[BackendStatus] = []
    for spec in all_tools():
        rows.extend(spec.backend_statuses(settings))
    return rows + planner_statuses(settings)
