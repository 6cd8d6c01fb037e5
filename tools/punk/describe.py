"""From model probabilities to the attributes ``describe_punk`` reports, with a caption, and the checks
that keep a non-punk from being described with confident nonsense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .canonical import Canonical, features
from .colours import colour_name, hex_of, palette
from .model import PunkModel
from .traits import HAIR_STYLE, HATS, SLOTS, slot_classes

OTHER_BELOW = 0.5  # a type answered with less confidence than this is "other" (a bespoke punk)
NOUN_STYLES = ("bob", "mohawk", "thin mohawk", "pigtails", "peak spike")  # "a blonde bob", not "bob blonde hair"


@dataclass(frozen=True)
class Punkness:
    """Why an image is or is not read as a punk portrait."""

    score: float  # 0..1: the share of checks passed
    reasons: tuple[str, ...]  # one per failed check

    @property
    def is_punk(self) -> bool:
        """Every check must pass: three of five is how a green square became "a punk with a mole"."""
        return not self.reasons


def punkness(c: Canonical) -> Punkness:
    """A punk is a figure on a flat background: the top and side edges are background, 40-80 % of the grid
    is background, the figure is outlined in near-black and uses few colours."""
    fg = c.rgba[..., 3] >= 64
    px = c.rgba[fg][:, :3].astype(np.int64)
    reasons = []
    checks = []
    checks.append(c.border_agreement >= 0.85)
    if not checks[-1]:
        reasons.append(f"only {c.border_agreement:.0%} of the top and side edges is one flat background")
    checks.append(0.35 <= c.background_fraction <= 0.85)
    if not checks[-1]:
        reasons.append(f"background covers {c.background_fraction:.0%} of the grid (a punk: 40-80 %)")
    dark = int((px.max(axis=1) < 48).sum()) if len(px) else 0
    checks.append(dark >= 8)
    if not checks[-1]:
        reasons.append("no dark outline around the figure")
    colours = len(np.unique((px // 24) @ np.array([1 << 16, 1 << 8, 1]))) if len(px) else 0
    checks.append(colours <= 40)
    if not checks[-1]:
        reasons.append(f"{colours} distinct colours (a punk uses a handful)")
    checks.append(c.grid_diff_percent <= 25.0)
    if not checks[-1]:
        reasons.append(f"{c.grid_diff_percent:.0f} % of the image is off a 24×24 pixel grid")
    return Punkness(float(np.mean(checks)), tuple(reasons))


def _pick(probs: dict[str, np.ndarray], slot: str) -> tuple[str | None, float]:
    p = probs[slot][0]
    i = int(p.argmax())
    return slot_classes(slot)[i], float(p[i])


def _attr(value: Any, confidence: float, **extra: Any) -> dict[str, Any]:
    return {"value": value, "confidence": round(confidence, 4), **extra}


def _hair_colour(rgba: np.ndarray, skin: np.ndarray) -> str | None:
    """Colour of the hair as drawn: the commonest colour above the eyes that is not skin (black hair and
    the head's outline are the same colour, so a hair style drawn in black reads as black)."""
    top = rgba[:11]
    px = top[top[..., 3] >= 64][:, :3].astype(np.int64)
    px = px[np.abs(px - skin).max(axis=1) > 24] if len(px) else px
    if not len(px):
        return None
    values, counts = np.unique(px // 16, axis=0, return_counts=True)
    return colour_name(values[counts.argmax()] * 16 + 8)


def attributes(model: PunkModel, c: Canonical, palette_size: int = 5,
               probs: dict[str, np.ndarray] | None = None, skin_rgb: np.ndarray | None = None) -> dict[str, Any]:
    """Every reported key (see the issue), each ``{value, confidence}``, plus the accessory list. ``probs``
    are this punk's slot probabilities and ``skin_rgb`` its skin colour when a batch computed them already
    (``model.probabilities`` rows, ``skin_colour``)."""
    from .canonical import skin_colour

    skin_rgb = skin_colour(c.rgba) if skin_rgb is None else skin_rgb
    if probs is None:
        probs = model.probabilities(features(c.rgba, skin_rgb)[None])
    kind, p_type = _pick(probs, "type")
    out: dict[str, Any] = {}
    out["type"] = _attr(kind, p_type) if p_type >= OTHER_BELOW else _attr("other", 1.0 - p_type, nearest=kind)
    skin, p_skin = _pick(probs, "skin_tone")
    out["skin_tone"] = _attr(skin.lower() if skin else None, p_skin, hex=hex_of(skin_rgb.round().astype(int)))
    head, p_head = _pick(probs, "head")
    hair = None if head in HATS and head != "Pink With Hat" else head
    style, colour = HAIR_STYLE.get(head, (None, None)) if head else (None, None)
    if hair and colour is None:
        colour = _hair_colour(c.rgba, skin_rgb)
    out["hair"] = _attr(hair, p_head, style=style if hair else None, colour=colour if hair else None)
    out["headwear"] = _attr(head if head in HATS else None, p_head)
    out["eyewear"] = _attr(*_pick(probs, "eyes"))
    ear, p_ear = _pick(probs, "ears")
    out["earring"] = _attr(ear, p_ear, present=ear is not None, kind=_earring_kind(c.rgba, skin_rgb) if ear else None)
    out["beard"] = _attr(*_pick(probs, "beard"))
    expression, p_expr = _pick(probs, "expression")
    lipstick, p_lip = _pick(probs, "lipstick")
    prop, p_prop = _pick(probs, "mouth_prop")
    out["mouth"] = _attr(expression or "neutral", p_expr, lipstick=_attr(lipstick, p_lip), prop=_attr(prop, p_prop))
    out["neck"] = _attr(*_pick(probs, "neck"))
    if c.background is None:
        out["background"] = _attr("transparent", 1.0, hex=None)
    else:
        out["background"] = _attr(colour_name(c.background), round(c.border_agreement, 4), hex=hex_of(c.background))
    out["palette"] = _attr(palette(c.rgba, palette_size), 1.0)
    accessories = []
    for slot in SLOTS:
        if slot in ("type", "skin_tone"):
            continue
        name, p = _pick(probs, slot)
        if name is not None:
            accessories.append({"value": name, "confidence": round(p, 4)})
    out["accessories"] = accessories
    out["caption"] = caption(out)
    return out


def _earring_kind(rgba: np.ndarray, skin: np.ndarray) -> str | None:
    """The earring's colour: the most saturated off-skin, non-outline pixel beside the jaw (hair there is
    paler than metal)."""
    region = rgba[11:19, 2:9]
    px = region[region[..., 3] >= 64][:, :3].astype(np.int64)
    px = px[(np.abs(px - skin).max(axis=1) > 40) & (px.max(axis=1) >= 80)] if len(px) else px
    if not len(px):
        return None
    return colour_name(px[np.ptp(px, axis=1).argmax()])


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def caption(attrs: dict[str, Any]) -> str:
    """One line, e.g. "A female punk with wild blonde hair, green eye shadow and a gold earring, on a blue
    background"."""
    kind = attrs["type"]["value"]
    subject = {"human male": "male punk", "human female": "female punk", "zombie": "zombie punk",
               "ape": "ape punk", "alien": "alien punk"}.get(kind, "punk in a style of its own")
    bits = []
    hair = attrs["hair"]
    if hair["value"]:
        if hair["style"] == "under a hat":
            bits.append(f"{hair['colour']} hair under a hat")
        elif hair["style"] in NOUN_STYLES:  # "a blonde bob", "a red mohawk", "pigtails"
            phrase = " ".join(w for w in (hair["colour"], hair["style"]) if w)
            bits.append(phrase if hair["style"] == "pigtails" else _article(phrase))
        else:  # "wild blonde hair", "purple hair"
            words = [w for w in (hair["style"] if hair["style"] != "plain" else "", hair["colour"]) if w]
            bits.append(" ".join(words) + " hair" if words else hair["value"].lower())
    if attrs["headwear"]["value"] and attrs["headwear"]["value"] != "Pink With Hat":
        bits.append(_article(attrs["headwear"]["value"].lower()))
    if attrs["eyewear"]["value"]:
        name = attrs["eyewear"]["value"].lower()
        bits.append(name if "shadow" in name or name.endswith("s") else _article(name))
    if attrs["beard"]["value"]:
        bits.append(_article(attrs["beard"]["value"].lower()))
    mouth = attrs["mouth"]
    if mouth["value"] != "neutral":
        bits.append(_article(mouth["value"].lower()))
    if mouth["lipstick"]["value"]:
        bits.append(mouth["lipstick"]["value"].lower())
    if mouth["prop"]["value"]:
        bits.append(_article(mouth["prop"]["value"].lower()))
    if attrs["neck"]["value"]:
        bits.append(_article(attrs["neck"]["value"].lower()))
    if attrs["earring"]["value"]:
        bits.append(_article(f"{attrs['earring']['kind']} earring" if attrs["earring"]["kind"] else "earring"))
    others = [a["value"].lower() for a in attrs["accessories"] if a["value"] in SLOTS["face"] + SLOTS["nose"]]
    bits += [o if o.endswith("s") else _article(o) for o in others]
    text = _article(subject).capitalize()
    if bits:
        text += " with " + (", ".join(bits[:-1]) + " and " + bits[-1] if len(bits) > 1 else bits[0])
    background = attrs["background"]["value"]
    text += ", on a transparent background" if background == "transparent" else \
        f", on {_article(background)} background"
    return text
