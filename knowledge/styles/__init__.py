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
    pattern: str = "gradient"
    image: str = ""
    source: str = "atelier"

    @property
    def text(self) -> str:
        """What the text embedder sees."""
        return f"{self.name}. {self.description} {', '.join(self.tags)}"

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "_" for c in self.name)


@functools.cache
def shipped_cards() -> tuple[StyleCard, ...]:
    data = tomllib.loads(CARDS.read_text(encoding="utf-8"))
    cards = []
    for name, card in data.items():
        c = StyleCard(name=name, description=card["description"], tags=tuple(card.get("tags", ())),
                      palette=tuple(card.get("palette", ())), pattern=card.get("pattern", "gradient"))
        cards.append(StyleCard(**{**c.__dict__, "image": str(REFERENCES / f"{c.slug}.png")}))
    return tuple(cards)


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
            cards = [c for c in cards if c.name != data["name"]] + [StyleCard(**{**data, "tags": tuple(
                data.get("tags", ())), "palette": tuple(data.get("palette", ())), "source": "user"})]
        return cls(user_dir, cards)

    def get(self, name: str) -> StyleCard | None:
        return next((c for c in self.cards if c.name == name), None)


def add_user_style(home: Path, name: str, image: Path, description: str = "", tags: list[str] | None = None
                   ) -> StyleCard:
    """Validate the image first (a corrupt file changes nothing), then write image and card atomically."""
    from atelier.tools.core.images import load_image, save_png_atomic, write_bytes_atomic

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
