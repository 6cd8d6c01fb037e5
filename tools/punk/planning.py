"""What the planners and the chat know about ``describe_punk``: phrasings, keyword rules, card."""

from __future__ import annotations

from typing import Any

from atelier.core.cards import Card, CardImage, Table
from atelier.core.registry import ArgCue, PlannerHints, Rule

SLOTS = ("type", "skin_tone", "hair", "headwear", "eyewear", "earring", "beard", "mouth", "neck", "background")
EXAMPLES = (
    "describe this punk", "what traits does this punk have", "tell me the attributes of this punk",
    "what accessories is the punk wearing", "caption this cryptopunk", "what type of punk is this",
    "list the punk's features", "is this punk a zombie or an alien",
)
HINTS = PlannerHints(
    rules=(Rule(55, all=(r"\b(trait|attribute|describ|caption|accessor|wear|type|feature|what|tell|list|zombie|"
                         r"alien|ape|human|male|female|look like|detail)\w*",),
                request_all=(r"\b(crypto)?punks?\b",), request_none=(r"\b(cyber|steam)punk",)),),
    args=(ArgCue(("palette_size",), r"\b(\d+)\s+(?:\w+\s+)?colou?rs?\b", "int", minimum=2),),
    vocabulary=("punk", "punks", "describe", "traits", "attributes", "accessories", "caption"),
)


def _value(entry: dict[str, Any]) -> str:
    """'Mohawk (dark, standing)': the value and any details (style, colour, kind) the slot carries."""
    value = entry.get("value")
    if value in (None, "", False):
        return "none"
    details = []
    for key, detail in entry.items():
        if key in ("value", "confidence", "present"):
            continue
        detail = detail.get("value") if isinstance(detail, dict) else detail  # a nested trait: its value
        if detail not in (None, "", False):
            details.append(str(detail))
    text = "yes" if value is True else str(value)
    return f"{text} ({', '.join(details)})" if details else text


def present(result: dict[str, Any], inputs: dict[str, str]) -> Card:
    out = result["outputs"]
    rows = tuple((slot.replace("_", " "), _value(out[slot]), f"{100 * out[slot]['confidence']:.0f} %")
                 for slot in SLOTS if isinstance(out.get(slot), dict) and "confidence" in out[slot])
    images = [CardImage(inputs["image"], "the punk", "before")] if inputs.get("image") else []
    return Card("Punk", str(out.get("caption", "")), [], images,
                [Table("Attributes", ("attribute", "value", "confidence"), rows)])


def describe_run(record: dict[str, Any]) -> str:
    return "punk portrait description " + str((record.get("outputs") or {}).get("caption", ""))
