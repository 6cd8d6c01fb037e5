"""A renderer of punk-like portraits from trait rules written here (never CryptoPunks artwork): a 24×24
figure with a black outline on a transparent background, one drawing per trait, layered in slot order.
The tests train the punk model on these renders and check what it reads back."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from atelier.tools.punk.traits import PunkLabel

OUTLINE = (0, 0, 0)
SKIN = {"Albino": (236, 218, 212), "Light": (219, 177, 128), "Medium": (174, 139, 97), "Dark": (113, 63, 29)}
TYPE_SKIN = {"zombie": (125, 162, 105), "ape": (133, 111, 86), "alien": (200, 251, 251)}

# the trait subset the renderer draws, per slot (None = nothing)
DRAWN: dict[str, tuple[str | None, ...]] = {
    "type": ("human male", "human female", "zombie", "ape", "alien"),
    "head": (None, "Mohawk", "Wild Hair", "Blonde Bob", "Cap", "Headband"),
    "eyes": (None, "Classic Shades", "Eye Patch", "Green Eye Shadow"),
    "beard": (None, "Mustache", "Shadow Beard"),
    "expression": (None, "Smile", "Frown"),
    "lipstick": (None, "Hot Lipstick"),
    "mouth_prop": (None, "Cigarette"),
    "face": (None, "Mole"),
    "nose": (None, "Clown Nose"),
    "neck": (None, "Gold Chain"),
    "ears": (None, "Earring"),
}


def _rect(img, top, left, bottom, right, colour):
    img[top:bottom, left:right, :3] = colour
    img[top:bottom, left:right, 3] = 255


def _px(img, r, c, colour):
    img[r, c, :3] = colour
    img[r, c, 3] = 255


def render(label: PunkLabel) -> np.ndarray:
    """The (24, 24, 4) uint8 RGBA portrait of ``label``."""
    v = label.slot_values()
    img = np.zeros((24, 24, 4), np.uint8)
    female = v["type"] == "human female"
    skin = TYPE_SKIN.get(v["type"]) or SKIN[v["skin_tone"]]
    left, right = (8, 16) if female else (7, 17)
    _rect(img, 6, left - 1, 22, right + 1, OUTLINE)  # head outline
    _rect(img, 7, left, 21, right, skin)
    _rect(img, 20, 9, 24, 15, OUTLINE)  # neck
    _rect(img, 21, 10, 24, 14, skin)
    if v["type"] == "ape":
        _rect(img, 9, left + 1, 16, right - 1, (86, 64, 46))  # muzzle patch
    for c in (left + 2, right - 3):  # eyes
        _px(img, 12, c, OUTLINE)
        _px(img, 12, c + 1, (255, 255, 255) if v["type"] != "alien" else (9, 56, 56))
    if v["beard"] == "Mustache":
        _rect(img, 16, 11, 17, 15, (60, 35, 20))
    elif v["beard"] == "Shadow Beard":
        _rect(img, 18, left, 21, right, (70, 70, 70))
    _rect(img, 17, 11, 18, 15, OUTLINE if not v["lipstick"] else (220, 20, 70))  # mouth
    if v["expression"] == "Smile":
        _px(img, 16, 15, OUTLINE)
    elif v["expression"] == "Frown":
        _px(img, 18, 15, OUTLINE)
    if v["face"] == "Mole":
        _px(img, 15, right - 2, (80, 50, 30))
    if v["nose"] == "Clown Nose":
        _px(img, 14, 12, (230, 0, 0))
        _px(img, 14, 13, (230, 0, 0))
    if v["eyes"] == "Classic Shades":
        _rect(img, 11, left, 13, right, OUTLINE)
        _rect(img, 11, left + 1, 12, left + 4, (90, 30, 120))
    elif v["eyes"] == "Eye Patch":
        _rect(img, 11, left + 1, 14, left + 4, OUTLINE)
        _rect(img, 10, left, 11, right, OUTLINE)
    elif v["eyes"] == "Green Eye Shadow":
        for c in (left + 2, right - 3):
            _px(img, 11, c, (80, 180, 60))
            _px(img, 11, c + 1, (80, 180, 60))
    if v["ears"] == "Earring":
        _px(img, 15, left - 2, OUTLINE)
        _px(img, 16, left - 2, (255, 217, 38))
    if v["neck"] == "Gold Chain":
        _rect(img, 22, 10, 23, 14, (255, 217, 38))
    if v["mouth_prop"] == "Cigarette":
        _rect(img, 17, 15, 18, 21, (220, 220, 220))
        _px(img, 17, 21, (230, 80, 0))
        _rect(img, 14, 20, 16, 21, (200, 200, 200))
    head = v["head"]
    if head == "Mohawk":
        _rect(img, 2, 11, 7, 13, OUTLINE)
    elif head == "Wild Hair":
        _rect(img, 3, left - 2, 8, right + 2, (40, 30, 30))
        for c in range(left - 2, right + 2, 2):
            _px(img, 2, c, (40, 30, 30))
    elif head == "Blonde Bob":
        _rect(img, 4, left - 1, 8, right + 1, (255, 246, 142))
        _rect(img, 8, left - 1, 18, left + 1, (255, 246, 142))
        _rect(img, 8, right - 1, 18, right + 1, (255, 246, 142))
    elif head == "Cap":
        _rect(img, 3, left - 1, 7, right + 1, (60, 80, 170))
        _rect(img, 6, right, 7, right + 4, (60, 80, 170))
    elif head == "Headband":
        _rect(img, 8, left - 1, 9, right + 1, (250, 250, 250))
    return img


def random_label(rng: np.random.Generator) -> PunkLabel:
    """A random combination of drawable traits (humans get a skin tone; females no beard)."""
    kind = DRAWN["type"][rng.choice(5, p=[0.4, 0.35, 0.1, 0.08, 0.07])]
    accessories = []
    for slot, options in DRAWN.items():
        if slot == "type" or (slot == "beard" and kind == "human female"):
            continue
        pick = options[rng.integers(0, len(options))]
        if pick is not None:
            accessories.append(pick)
    skin = str(rng.choice(list(SKIN))) if kind.startswith("human") else None
    return PunkLabel(kind, skin, tuple(accessories))


SHEET = 40  # 1 600 rendered punks to train on


def train_rendered_model(folder: Path) -> Path:
    """Render a sheet + table in CryptoPunks' layout and train on it through the tool's `punk train` command."""
    import csv

    from conftest import tool_command
    from PIL import Image
    from typer.testing import CliRunner

    rng = np.random.default_rng(7)
    labels = [random_label(rng) for _ in range(SHEET * SHEET)]
    sheet = np.zeros((SHEET * 24, SHEET * 24, 4), np.uint8)
    for i, label in enumerate(labels):
        r, c = divmod(i, SHEET)
        sheet[r * 24:(r + 1) * 24, c * 24:(c + 1) * 24] = render(label)
    Image.fromarray(sheet).save(folder / "sheet.png")
    with open(folder / "table.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "type", "gender", "skin tone", "count", "accessories"])
        for i, lab in enumerate(labels):
            kind, _, gender = lab.type.partition(" ")
            w.writerow([i, "Human" if gender else kind.capitalize(), gender.capitalize() or "Male",
                        lab.skin_tone or "", len(lab.accessories), " / ".join(lab.accessories)])
    out = folder / "punk_mlp.npz"
    res = CliRunner().invoke(tool_command("describe_punk", "train"), [
        "train", "--composite", str(folder / "sheet.png"), "--table", str(folder / "table.csv"), "--out", str(out),
        "--epochs", "25", "--hidden", "128", "--copies", "3", "--noise", "0.03"])
    assert res.exit_code == 0, res.output
    return out
