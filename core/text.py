"""Text folding shared by every layer that matches words typed by people."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """"ouvre ses yeux s'il te plaît" -> "... plait", "Gaudí" -> "Gaudi": word tables are written unaccented."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
