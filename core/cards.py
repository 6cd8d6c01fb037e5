"""How a result is shown: a tool's ``present(result, inputs)`` returns a ``Card``, and the CLI, the chat and the
server render cards without knowing the tool. Labels are for people: no internal paths, no raw metric keys.

>>> card = Card("Pencil sketch", "Drew the photo in graphite.", rows=[Row("Shading", "35 %")])
>>> print(card_text(card))
Pencil sketch — Drew the photo in graphite.
  Shading: 35 %
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ImageKind = Literal["result", "before", "reference", "overlay", "thumbnail", "variation", "detail"]


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class CardImage:
    """An image on the card; ``kind`` tells the renderer how to lay it out (a reference is shown small,
    before/result pairs side by side, thumbnails in a grid). ``link`` is a run id a thumbnail opens."""

    path: str
    caption: str
    kind: ImageKind = "result"
    link: str | None = None
    crop: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1: show only this part (a zoom)


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Adjust:
    """A one-click re-run with changed arguments, e.g. ("½ cell", "half", {"cell_size": 6.0})."""

    label: str
    key: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Card:
    title: str
    sentence: str
    rows: list[Row] = field(default_factory=list)
    images: list[CardImage] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    adjust: list[Adjust] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Card:
        return Card(data["title"], data["sentence"], [Row(**r) for r in data.get("rows", [])],
                    [CardImage(**i) for i in data.get("images", [])],
                    [Table(t["title"], tuple(t["columns"]), tuple(tuple(r) for r in t["rows"]))
                     for t in data.get("tables", [])], list(data.get("notes", [])),
                    [Adjust(**a) for a in data.get("adjust", [])])


def card_text(card: Card, files: bool = False) -> str:
    """The card as plain text (the CLI's human output and the agent's answer); ``files`` adds image files."""
    lines = [f"{card.title} — {card.sentence}" if card.sentence else card.title]
    lines += [f"  {row.label}: {row.value}" for row in card.rows]
    for table in card.tables:
        lines.append(f"  {table.title}:")
        lines += ["    " + " · ".join(cell for cell in row if cell) for row in table.rows]
    if files:
        lines += [f"  {image.caption}: {image.path}" for image in card.images if image.kind != "before"]
    lines += [f"  Note: {note}" for note in card.notes]
    return "\n".join(lines)


def percent(value: float | None, digits: int = 0) -> str:
    """0.355 -> '35.5 %' with ``digits=1``; None -> '—'."""
    return "—" if value is None else f"{100 * float(value):.{digits}f} %"


def number(value: Any, digits: int = 3) -> str:
    """A number for people: ints as they are, floats to ``digits`` significant figures."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "—"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def error_card(tool_title: str, result: dict[str, Any]) -> Card:
    """A failed call, in words; the code stays visible because it tells the user what kind of problem it is."""
    error = result.get("error") or {}
    return Card(f"{tool_title} failed", error.get("message", "unknown error"),
                rows=[Row("Problem", str(error.get("code", "INTERNAL")).replace("_", " ").lower())])
