"""A step's result as a card: the tool's own ``present`` for a success, a plain error card for a failure.
The chat, the CLI's human output, the agent's answer and the server all show results through ``card_for``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from atelier.agent.catalogue import catalogue
from atelier.core.cards import Card, Row, error_card, number


def _title(tool: str) -> str:
    return tool.replace("_", " ").capitalize()


def generic_card(tool: str, result: dict[str, Any]) -> Card:
    """For a presenter that failed: what ran and its numbers, labelled as well as we can without the tool."""
    rows = [Row(k.replace("_", " ").capitalize(), number(v)) for k, v in result.get("metrics", {}).items()
            if isinstance(v, int | float)]
    return Card(_title(tool), f"Ran on {result.get('backend')}.", rows)


def card_for(tool: str, result: dict[str, Any], inputs: dict[str, str | None] | None = None) -> Card:
    """The card for one tool result (a ``ToolResult`` as a dict); ``inputs`` are the image paths by role."""
    if not result.get("ok"):
        return error_card(_title(tool), result)
    spec = catalogue().get(tool)
    paths = {role: path for role, path in (inputs or {}).items() if path}
    try:
        card = spec.present(result, paths) if spec else generic_card(tool, result)
    except Exception as exc:  # a presenter's bug must not hide the result
        card = replace(generic_card(tool, result), notes=[f"(the {tool} card could not be built: {exc})"])
    return replace(card, notes=card.notes + list(result.get("warnings", [])))
