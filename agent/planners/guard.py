"""Requests no planner should see as they are: empty, huge, undecodable or control-character text gets a clear
question back in bounded time, before any model or rule runs. Every planner calls ``screen`` first."""

from __future__ import annotations

import re
import unicodedata

from atelier.agent.plan import Plan

MAX_CHARS = 4000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean(text: str | bytes | None) -> tuple[str, str | None]:
    """(the text to plan from, a problem to ask about or None)."""
    if text is None:
        return "", "empty"
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return "", "encoding"
    if any("\udc80" <= ch <= "\udcff" for ch in text) or "\ufffd" in text:
        return "", "encoding"  # bytes that were not UTF-8 (surrogate-escaped, or replaced on decoding)
    if len(text) > MAX_CHARS:
        return "", "long"
    text = unicodedata.normalize("NFC", CONTROL.sub(" ", text))
    text = " ".join(text.split())
    return (text, None) if text else ("", "empty")


def screen(text: str | bytes | None, planner: str) -> tuple[str, Plan | None]:
    """(cleaned text, None) when the request can be planned, else ("", the Plan that asks back)."""
    cleaned, problem = clean(text)
    if problem is None:
        return cleaned, None
    asks = {
        "empty": "Your message was empty. Tell me what to do with your image, e.g. \"make it a pencil sketch\".",
        "encoding": "I could not read that message: it is not valid UTF-8 text. Please type the request again.",
        "long": f"That message is {len(text or '')} characters; I read requests of up to {MAX_CHARS}. Please send "
                "just the instruction, e.g. \"open her eyes, then make it a pencil sketch\".",
    }
    return "", Plan(planner=planner, ask=asks[problem], notes=[f"request screened: {problem}"])
