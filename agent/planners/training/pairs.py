"""A generated example -> (prompt, target) exactly as the planner will see and write it."""

from __future__ import annotations

from typing import Any

from atelier.agent.planners import PlanRequest
from atelier.agent.planners.compact import prompt, target
from atelier.agent.planners.training.generate import has_last


def request_of(example: dict[str, Any]) -> PlanRequest:
    thread = tuple(example.get("thread") or ())
    return PlanRequest(example["text"], example["attachments"], has_last(list(thread)), thread)


def pair(example: dict[str, Any]) -> tuple[str, str]:
    return prompt(request_of(example)), target(example["target"])
