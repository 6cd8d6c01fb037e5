"""How every eyes eval hands over its Markdown report: printed, and written where ``--report`` points."""

from __future__ import annotations

from pathlib import Path


def publish(report: str, path: Path | None) -> int:
    """Print ``report``, write it to ``path`` when one is given; the script's exit status (0)."""
    print(report)
    if path:
        path.write_text(report)
    return 0
