"""A result card on the page, for any tool: images laid out by kind, rows, tables, notes, one-click
adjustments, the tool's re-run controls and its feedback buttons — all read from the card and the spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from atelier.core.cards import Card, CardImage, Table
from atelier.ui.state import show_image

MAIN_ROW = ("before", "overlay", "result")


def pixels(image: CardImage) -> np.ndarray | None:
    """The image's pixels, cropped when the card asks for a zoom; None when the file cannot be read."""
    try:
        with Image.open(image.path) as img:
            rgb = np.asarray(img.convert("RGB"))
    except (OSError, ValueError):
        return None
    if image.crop:
        x0, y0, x1, y1 = image.crop
        rgb = rgb[max(0, y0):y1, max(0, x0):x1]
    return rgb if rgb.size else None


def compare(before: CardImage, after: CardImage, key: str) -> None:
    """A before/after wipe: the slider moves the boundary between the two (same-size images only)."""
    a, b = pixels(before), pixels(after)
    if a is None or b is None or a.shape != b.shape:
        return
    split = st.slider("compare before | after", 0, 100, 50, key=f"cmp-{key}", format="%d%%")
    x = round(a.shape[1] * split / 100)
    view = np.concatenate([b[:, :x], a[:, x:]], axis=1)
    if 0 < x < view.shape[1]:
        view[:, max(0, x - 1):x + 1] = (255, 255, 255)
    st.image(view, caption="after (left of the line) | before (right)", width="stretch")


def show_images(images: list[CardImage], on_open: Callable[[str], None] | None = None,
                on_pick: Callable[[str], None] | None = None, key: str = "") -> None:
    main = sorted((i for i in images if i.kind in MAIN_ROW), key=lambda i: MAIN_ROW.index(i.kind))
    refs = [i for i in images if i.kind == "reference"]
    if main or refs:
        widths = [3] * len(main) + [1] * len(refs)
        for col, image in zip(st.columns(widths), main + refs, strict=True):
            show_image(image.path, col, caption=image.caption, width=160 if image.kind == "reference" else "stretch")
    before = next((i for i in images if i.kind == "before"), None)
    after = next((i for i in images if i.kind == "result"), None)
    details = [i for i in images if i.kind == "detail"]
    if before and after and details:  # a change confined to a small region (opened eyes): compare and zoom
        with st.expander("Compare and zoom", expanded=True):
            compare(before, after, key)
            cols = st.columns(max(2, len(details)))
            for col, image in zip(cols, details, strict=False):
                crop = pixels(image)
                if crop is not None:
                    col.image(crop, caption=image.caption, width="stretch")
    grid = [i for i in images if i.kind in ("thumbnail", "variation")]
    if grid:
        cols = st.columns(4)
        for n, image in enumerate(grid):
            with cols[n % 4]:
                show_image(image.path, caption=image.caption, width="stretch")
                if image.link and on_open is not None:
                    st.button("Open", key=f"open-{image.link}-{n}", on_click=on_open, args=(image.link,))
                if image.kind == "variation" and on_pick is not None:
                    st.button("Use this one", key=f"pick-{key}-{n}", on_click=on_pick, args=(image.path,))


def markdown_table(table: Table) -> str:
    """A card table as a Markdown table (renders the same in every Streamlit front end)."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [f"**{table.title}**", "", "| " + " | ".join(cell(c) for c in table.columns) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def show_card(card: Card, on_open: Callable[[str], None] | None = None,
              on_pick: Callable[[str], None] | None = None, key: str = "") -> None:
    st.markdown(card.sentence)
    show_images(card.images, on_open, on_pick, key)
    if card.rows:
        st.caption(" · ".join(f"{row.label}: **{row.value}**" for row in card.rows))
    for table in card.tables:
        st.markdown(markdown_table(table))
    for note in card.notes:
        st.caption(f"⚠ {note}")


def _rerun(key: str, tool: str, inputs: dict[str, str], args: dict[str, Any]) -> None:
    """Widget callback: run the tool again on the same inputs with changed arguments; in a conversation the
    re-run is a new branch of its history (``st.session_state["rerun-" + key]``), else it replaces the card."""
    branch = st.session_state.get(f"rerun-{key}")
    if branch is not None:
        return branch(args)
    from atelier.runs.invoke import call_tool

    result = call_tool(tool, inputs, args).model_dump(mode="json")
    st.session_state[f"result-{key}"] = result
    for name, value in (result.get("outputs") or {}).items():  # the controls follow what the re-run found
        if f"ctl-{name}-{key}" in st.session_state and isinstance(value, int | float):
            st.session_state[f"ctl-{name}-{key}"] = type(st.session_state[f"ctl-{name}-{key}"])(value)


def _from_controls(key: str, controls: tuple[str, ...], **changed: Any) -> dict[str, Any]:
    args = {name: st.session_state[f"ctl-{name}-{key}"] for name in controls if f"ctl-{name}-{key}" in st.session_state}
    args.update(changed)
    return {k: v for k, v in args.items() if v is not None}


def _control_changed(key: str, tool: str, inputs: dict[str, str], controls: tuple[str, ...]) -> None:
    _rerun(key, tool, inputs, _from_controls(key, controls))


def _adjusted(key: str, tool: str, inputs: dict[str, str], controls: tuple[str, ...], args: dict[str, Any]) -> None:
    _rerun(key, tool, inputs, _from_controls(key, controls, **args))


def show_controls(spec, key: str, result: dict[str, Any], inputs: dict[str, str], card: Card,
                  rerun: Callable[[dict[str, Any]], None] | None = None) -> None:
    """The spec's re-run controls (number inputs starting at the result's values) and the card's adjustments;
    ``rerun`` (a conversation's branch) replaces the in-place re-run when given."""
    if not inputs.get("image"):
        return
    st.session_state[f"rerun-{key}"] = rerun
    fields = spec.args_model.model_fields
    numeric = [n for n in spec.controls if n in fields and isinstance(result["outputs"].get(n), int | float)]
    for name in numeric:
        whole = fields[name].annotation is int
        value = result["outputs"][name]
        st.session_state.setdefault(f"ctl-{name}-{key}", int(value) if whole else float(value))
    buttons = [(a.label, a.key, a.args) for a in card.adjust]
    if not numeric and not buttons:
        return
    cols = st.columns(len(numeric) + len(buttons))
    for col, name in zip(cols, numeric, strict=False):
        col.number_input(name.replace("_", " "), key=f"ctl-{name}-{key}", on_change=_control_changed,
                         args=(key, spec.name, inputs, tuple(numeric)))
    for col, (label, name, args) in zip(cols[len(numeric):], buttons, strict=True):
        col.button(label, key=f"adj-{name}-{key}", on_click=_adjusted,
                   args=(key, spec.name, inputs, tuple(numeric), args))


def show_feedback(spec, key: str, result: dict[str, Any], inputs: dict[str, str], settings) -> None:
    if spec.feedback is None or not inputs.get("image"):
        return
    note = st.text_input("note", key=f"note-{key}")
    for col, verdict in zip(st.columns(2), ("correct", "incorrect"), strict=True):
        if col.button(f"Looks {verdict}", key=f"fb-{verdict}-{key}"):
            spec.feedback(result, inputs["image"], verdict, note, settings)
            st.success(f"Logged: {verdict}")
