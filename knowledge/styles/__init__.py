"""The style library: cards in ``styles.toml`` (shipped), reference images in ``references/`` (made by
``render.py``), and user styles added with ``atelier styles add`` under ``ATELIER_HOME/styles``."""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CARDS = HERE / "styles.toml"
REFERENCES = HERE / "references"


@dataclass(frozen=True)
class StyleCard:
    name: str
    description: str
    tags: tuple[str, ...] = ()
    palette: tuple[str, ...] = ()
    image: str = ""
    source: str = "atelier"
    artists: tuple[str, ...] = ()
    movements: tuple[str, ...] = ()
    family: str = "transfer"
    params: dict = field(default_factory=dict)

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every phrase that names this style outright: tags, artists and movements."""
        return self.tags + self.artists + self.movements

    @property
    def text(self) -> str:
        """What the text embedder sees."""
        return f"{self.name}. {self.description} {', '.join(self.phrases)}"

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.name)


@functools.cache
def shipped_cards() -> tuple[StyleCard, ...]:
    return tuple(parse_cards(CARDS.read_text(encoding="utf-8"), REFERENCES))


def parse_cards(text: str, references: Path) -> list[StyleCard]:
    """Cards from the TOML text of a library; each reference is ``references/<card.reference>``
    (default ``<slug>.png``)."""
    cards = []
    for name, card in tomllib.loads(text).items():
        slug = "".join(ch if ch.isalnum() else "_" for ch in name)
        cards.append(StyleCard(
            name=name, description=card["description"], tags=tuple(card.get("tags", ())),
            palette=tuple(card.get("palette", ())), artists=tuple(card.get("artists", ())),
            movements=tuple(card.get("movements", ())), family=card.get("family", "transfer"),
            params=dict(card.get("params", {})), image=str(references / card.get("reference", f"{slug}.png"))))
    return cards


@dataclass
class StyleLibrary:
    """Shipped cards plus the user's own (``ATELIER_HOME/styles/*.json`` + their images)."""

    user_dir: Path
    cards: list[StyleCard] = field(default_factory=list)

    @classmethod
    def load(cls, home: Path) -> StyleLibrary:
        user_dir = home / "styles"
        cards = list(shipped_cards())
        for path in sorted(user_dir.glob("*.json")) if user_dir.is_dir() else []:
            data = json.loads(path.read_text(encoding="utf-8"))
            data.pop("pattern", None)
            cards = [c for c in cards if c.name != data["name"]] + [StyleCard(**{**data, **{
                k: tuple(data.get(k, ())) for k in ("tags", "palette", "artists", "movements")}, "source": "user"})]
        return cls(user_dir, cards)

    def get(self, name: str) -> StyleCard | None:
        return next((c for c in self.cards if c.name == name), None)


def add_user_style(home: Path, name: str, image: Path, description: str = "", tags: list[str] | None = None
                   ) -> StyleCard:
    """Validate the image first (a corrupt file changes nothing), then write image and card atomically."""
    from atelier.core.images import load_image, save_png_atomic, write_bytes_atomic

    name = " ".join(name.lower().split())
    if not name or len(name) > 60:
        raise ValueError("a style name needs 1-60 characters")
    pixels = load_image(image, min_size=16).pixels  # raises ToolError(INVALID_IMAGE/IMAGE_TOO_LARGE)
    folder = home / "styles"
    slug = "".join(c if c.isalnum() else "_" for c in name)
    image_path = save_png_atomic(pixels, folder / f"{slug}.png")
    card = StyleCard(name=name, description=description or f"user style {name}", tags=tuple(tags or ()),
                     image=str(image_path), source="user")
    write_bytes_atomic(json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in card.__dict__.items()
                                   if k != "source"}, indent=2).encode(), folder / f"{slug}.json")
    return card
