"""The one reader of input references: ``attachment:N``, ``$stepN.<artifact>`` and ``$last.image``.

The act node, the chat and the server all resolve through ``resolve``, so a skipped step or the previous
turn's image means the same everywhere.

>>> parse("$step2.image")
Ref(kind='step', index=2, artifact='image')
>>> parse("$last.image\\n") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

PATTERN = re.compile(r"(?:attachment:(?P<att>\d{1,3})|\$step(?P<step>\d{1,2})\.(?P<artifact>[a-z][a-z0-9_]*)|"
                     r"\$last\.(?P<last>image))")


@dataclass(frozen=True)
class Ref:
    kind: Literal["attachment", "step", "last"]
    index: int = 0
    artifact: str = "image"


def parse(value: str) -> Ref | None:
    """The reference ``value`` names, or None when it is not one (the whole string must match)."""
    m = PATTERN.fullmatch(value or "")
    if m is None:
        return None
    if m["att"] is not None:
        return Ref("attachment", int(m["att"]))
    if m["step"] is not None:
        return Ref("step", int(m["step"]), m["artifact"])
    return Ref("last")


def resolve(value: str, attachments: list[dict[str, Any]], results: list[dict[str, Any]],
            last_image: str | None = None) -> str | None:
    """A reference -> a file path, or None when it cannot be resolved (yet). A skipped step hands its own
    input image through."""
    ref = parse(value)
    if ref is None:
        return None
    if ref.kind == "attachment":
        return attachments[ref.index]["path"] if ref.index < len(attachments) else None
    if ref.kind == "last":
        return last_image
    done = next((r for r in results if r.get("id") == f"step{ref.index}"), None)
    if done is None:
        return None
    if done.get("skipped"):
        passed = (done.get("inputs") or {}).get("image")
        return resolve(passed, attachments, results, last_image) if passed else None
    return ((done.get("result") or {}).get("artifacts") or {}).get(ref.artifact)


def resolve_inputs(inputs: dict[str, str], attachments: list[dict[str, Any]], results: list[dict[str, Any]],
                   last_image: str | None = None) -> dict[str, str | None]:
    return {role: resolve(value, attachments, results, last_image) for role, value in inputs.items()}
