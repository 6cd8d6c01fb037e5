"""The punk attribute schema: CryptoPunks' accessories grouped into slots that never co-occur (one softmax
each), and how each slot maps onto the keys ``describe_punk`` reports. Names are word for word from the
CryptoPunks attribute table; ``None`` means "nothing in this slot"."""

from __future__ import annotations

from dataclasses import dataclass

TYPES = ("human male", "human female", "zombie", "ape", "alien")
SKIN_TONES = ("Albino", "Light", "Medium", "Dark")

HATS = ("Beanie", "Pilot Helmet", "Tiara", "Top Hat", "Cowboy Hat", "Tassle Hat", "Fedora", "Police Cap",
        "Cap Forward", "Hoodie", "Do-rag", "Cap", "Headband", "Knitted Cap", "Bandana", "Pink With Hat")
HAIR = ("Orange Side", "Pigtails", "Blonde Short", "Wild White Hair", "Straight Hair Blonde", "Wild Blonde",
        "Blonde Bob", "Half Shaved", "Red Mohawk", "Vampire Hair", "Straight Hair Dark", "Clown Hair Green",
        "Straight Hair", "Dark Hair", "Purple Hair", "Shaved Head", "Peak Spike", "Crazy Hair", "Mohawk Dark",
        "Mohawk", "Mohawk Thin", "Frumpy Hair", "Wild Hair", "Messy Hair", "Stringy Hair")

# slot -> its classes; every slot also has the class None
SLOTS: dict[str, tuple[str, ...]] = {
    "type": TYPES,
    "skin_tone": SKIN_TONES,
    "head": HAIR + HATS,
    "eyes": ("Welding Goggles", "Purple Eye Shadow", "Blue Eye Shadow", "Green Eye Shadow", "3D Glasses",
             "Eye Mask", "VR", "Small Shades", "Clown Eyes Green", "Clown Eyes Blue", "Eye Patch",
             "Classic Shades", "Regular Shades", "Big Shades", "Horned Rim Glasses", "Nerd Glasses"),
    "beard": ("Big Beard", "Front Beard Dark", "Handlebars", "Front Beard", "Chinstrap", "Luxurious Beard",
              "Mustache", "Normal Beard Black", "Normal Beard", "Goat", "Muttonchops", "Shadow Beard"),
    "expression": ("Smile", "Frown", "Buck Teeth"),
    "lipstick": ("Black Lipstick", "Purple Lipstick", "Hot Lipstick"),
    "mouth_prop": ("Medical Mask", "Vape", "Pipe", "Cigarette"),
    "face": ("Spots", "Rosy Cheeks", "Mole"),
    "nose": ("Clown Nose",),
    "neck": ("Choker", "Silver Chain", "Gold Chain"),
    "ears": ("Earring",),
}
# slots whose first class is always present (no None class)
REQUIRED_SLOTS = ("type",)

# styles and colours of the hair names, for the caption and the hair key
HAIR_STYLE: dict[str, tuple[str, str | None]] = {
    "Orange Side": ("side", "orange"), "Pigtails": ("pigtails", None), "Blonde Short": ("short", "blonde"),
    "Wild White Hair": ("wild", "white"), "Straight Hair Blonde": ("straight", "blonde"),
    "Wild Blonde": ("wild", "blonde"), "Blonde Bob": ("bob", "blonde"), "Half Shaved": ("half shaved", None),
    "Red Mohawk": ("mohawk", "red"), "Vampire Hair": ("vampire", None),
    "Straight Hair Dark": ("straight", "dark"), "Clown Hair Green": ("clown", "green"),
    "Straight Hair": ("straight", None), "Dark Hair": ("plain", "dark"), "Purple Hair": ("plain", "purple"),
    "Shaved Head": ("shaved", None), "Peak Spike": ("peak spike", None), "Crazy Hair": ("crazy", None),
    "Mohawk Dark": ("mohawk", "dark"), "Mohawk": ("mohawk", None), "Mohawk Thin": ("thin mohawk", None),
    "Frumpy Hair": ("frumpy", None), "Wild Hair": ("wild", None), "Messy Hair": ("messy", None),
    "Stringy Hair": ("stringy", None), "Pink With Hat": ("under a hat", "pink"),
}


def slot_classes(slot: str) -> tuple[str | None, ...]:
    """The classes of a slot in model order (None first where the slot may be empty)."""
    classes = SLOTS[slot]
    return classes if slot in REQUIRED_SLOTS else (None, *classes)


def _slot_slices() -> dict[str, slice]:
    out, start = {}, 0
    for slot in SLOTS:
        out[slot] = slice(start, start + len(slot_classes(slot)))
        start = out[slot].stop
    return out


# where each slot's classes sit in the model's output row
SLOT_SLICES: dict[str, slice] = _slot_slices()
OUTPUTS = max(s.stop for s in SLOT_SLICES.values())

SLOT_OF: dict[str, str] = {name: slot for slot, names in SLOTS.items() if slot not in ("type", "skin_tone")
                           for name in names}


@dataclass(frozen=True)
class PunkLabel:
    """One punk's ground truth in slot form (what a table row or a renderer gives)."""

    type: str
    skin_tone: str | None
    accessories: tuple[str, ...]

    def slot_values(self) -> dict[str, str | None]:
        values: dict[str, str | None] = {slot: None for slot in SLOTS}
        values["type"], values["skin_tone"] = self.type, self.skin_tone
        for name in self.accessories:
            slot = SLOT_OF.get(name)
            if slot is None:
                raise ValueError(f"unknown accessory {name!r}")
            if values[slot] is not None:
                raise ValueError(f"{name!r} and {values[slot]!r} share the {slot} slot")
            values[slot] = name
        return values

    def targets(self) -> dict[str, int]:
        """Class index per slot, in ``slot_classes`` order."""
        return {slot: slot_classes(slot).index(value) for slot, value in self.slot_values().items()}


def label_from_table(type_: str, gender: str, skin: str, accessories: str) -> PunkLabel:
    """A row of the CryptoPunks attribute table (``Human, Female, Medium, Earring / Blonde Bob``)."""
    kind = f"human {gender.strip().lower()}" if type_.strip() == "Human" else type_.strip().lower()
    names = tuple(a.strip() for a in accessories.split("/") if a.strip())
    return PunkLabel(kind, skin.strip() or None, names)
