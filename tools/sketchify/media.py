"""Media: graphite, charcoal and ink are parameter sets over the one pipeline, not separate code paths.

Sizes are given relative to the image's shorter side so a sketch looks the same at 512 px and at 4K.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .hatching import HatchParams


@dataclass(frozen=True)
class Medium:
    """Everything that makes one medium look like itself.

    ``spacing`` is the stroke spacing as a share of the shorter image side (at least ``min_spacing`` px);
    ``smudge`` the share of the tone laid down as smooth rubbed graphite (blurred over ``smudge_blur``
    spacings), the rest is hatched; ``deep`` the share of the tone laid as a smooth burnished base in the deepest
darks (rising from 0 at darkness ``deep_from`` to ``deep`` at 1), so dense cross-hatching reads near-solid
instead of leaving white specks between the strokes; ``darken`` deepens the drawn tone (``1 - (1 - d) **
    darken``; a soft, black medium lays more down); ``grain`` the paper-tooth texture inside strokes and
    ``grain_scale`` the tooth's size in px at 512; ``lines`` the line
    method (``dodge`` or ``xdog``), ``line_weight`` how dark the lines print (1 = as drawn) and
    ``line_soften`` a blur of the lines in px at 512; ``binary`` prints only ink and paper.
    """

    name: str
    hatch: HatchParams = field(default_factory=HatchParams)
    spacing: float = 1.0 / 150.0
    min_spacing: float = 3.0
    smudge: float = 0.15
    smudge_blur: float = 1.5
    deep: float = 0.45
    deep_from: float = 0.55
    darken: float = 1.0
    grain: float = 0.25
    grain_scale: float = 0.6
    lines: str = "dodge"
    line_weight: float = 1.0
    line_soften: float = 0.0
    binary: bool = False


MEDIA: dict[str, Medium] = {
    "graphite": Medium("graphite"),
    "charcoal": Medium(
        "charcoal",
        hatch=HatchParams(length=4.0, pressure=(0.5, 1.0), taper=0.45, taper_floor=0.3, gap=0.05, wobble=0.35,
                          ink=0.95, offsets=(0, 3), caps=(0.8, 0.95), edge=2.5),
        spacing=1.0 / 75.0, min_spacing=5.0, smudge=0.6, smudge_blur=0.9, deep=0.35, deep_from=0.4,
        darken=1.5, grain=0.55, grain_scale=1.3, line_weight=1.0, line_soften=1.1,
    ),
    "ink": Medium(
        "ink",
        hatch=HatchParams(length=9.0, pressure=(1.0, 1.0), taper=0.0, gap=0.1, wobble=0.15, ink=1.0,
                          offsets=(0, 4, -3), caps=(0.45, 0.5, 0.6), hard=True),
        spacing=1.0 / 150.0, smudge=0.0, deep=0.0, grain=0.0, lines="xdog", binary=True,
    ),
}


def stroke_spacing(medium: Medium, height: int, width: int) -> float:
    """Stroke spacing in pixels for an image of this size.

    Examples
    --------
    >>> round(stroke_spacing(MEDIA["graphite"], 1080, 1920), 2), stroke_spacing(MEDIA["graphite"], 64, 64)
    (7.2, 3.0)
    """
    return max(medium.min_spacing, medium.spacing * min(height, width))
