"""Sprite panel: original / red-diff overlay / reconstructed grid side by side; override the cell size
(value, half, double) and nudge the offsets, re-run at once; log "looks correct / incorrect"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from atelier.ui.state import show_image


def _apply(key: str, original: str, cell: float | None = None, factor: float = 1.0) -> None:
    """Widget callback: re-run with the panel's values (or the current cell times ``factor``)."""
    from atelier.agent.invoke import call_tool

    cell = (cell or st.session_state[f"cell-{key}"]) * factor
    ox, oy = st.session_state[f"ox-{key}"] % cell, st.session_state[f"oy-{key}"] % cell
    result = call_tool("reconstruct_sprite", {"image": original}, {"cell_size": cell, "offset_x": ox,
                                                                  "offset_y": oy}).model_dump(mode="json")
    st.session_state[f"sprite-{key}"] = result
    if result["ok"]:
        out = result["outputs"]
        st.session_state[f"cell-{key}"] = float(out["cell_size"])
        st.session_state[f"ox-{key}"], st.session_state[f"oy-{key}"] = float(out["offset_x"]), float(out["offset_y"])


def sprite_panel(result: dict[str, Any], original: str | None) -> None:
    key = result["run_id"] or "sprite"
    current = st.session_state.setdefault(f"sprite-{key}", result)
    if not current["ok"]:
        st.error(f"{current['error']['code']}: {current['error']['message']}")
        current = result
    out, art = current["outputs"], current["artifacts"]
    cols = st.columns(3)
    show_image(original, cols[0], caption="original", width="stretch")
    cols[1].image(art["overlay"], caption=f"differences (red): {out['diff_percent']:.2f} %", width="stretch")
    cols[2].image(art["preview"], caption=f"{out['width']}×{out['height']} sprite on the found grid",
                  width="stretch")
    st.caption(f"cell {out['cell_size']:.4g} px · offset ({out['offset_x']:.3g}, {out['offset_y']:.3g}) · "
               f"{out['width']}×{out['height']} · confidence {out['confidence']:.2f}")
    if not original:
        return
    for name, value in (("cell", out["cell_size"]), ("ox", out["offset_x"]), ("oy", out["offset_y"])):
        st.session_state.setdefault(f"{name}-{key}", float(value))
    c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 2, 2])
    c1.number_input("cell size", 1.0, 1024.0, step=0.5, key=f"cell-{key}", on_change=_apply, args=(key, original))
    c2.button("½", key=f"half-{key}", on_click=_apply, args=(key, original), kwargs={"factor": 0.5})
    c3.button("×2", key=f"double-{key}", on_click=_apply, args=(key, original), kwargs={"factor": 2.0})
    c4.number_input("offset x", 0.0, 1024.0, step=1.0, key=f"ox-{key}", on_change=_apply, args=(key, original))
    c5.number_input("offset y", 0.0, 1024.0, step=1.0, key=f"oy-{key}", on_change=_apply, args=(key, original))
    note = st.text_input("note", key=f"note-{key}")
    good, bad = st.columns(2)
    for col, verdict in ((good, "correct"), (bad, "incorrect")):
        if col.button(f"Looks {verdict}", key=f"{verdict}-{key}"):
            _feedback(current, original, verdict, note)
            st.success(f"Logged: {verdict}")


def _feedback(result: dict[str, Any], original: str, verdict: str, note: str) -> None:
    from atelier.tools.core.images import sha256_bytes
    from atelier.tools.sprite.feedback import append_feedback
    from atelier.ui.state import agent

    out = result["outputs"]
    row = {"run_id": result.get("run_id"), "verdict": verdict, "note": note,
           "input_sha256": sha256_bytes(Path(original).read_bytes()),
           **{k: out.get(k) for k in ("cell_size", "cell_size_x", "cell_size_y", "offset_x", "offset_y",
                                       "diff_percent", "confidence")},
           **{f"override_{k}": v for k, v in out.get("overridden", {}).items() if k in ("cell_size", "offset_x",
                                                                                       "offset_y")}}
    append_feedback(agent().settings.home / "sprite_feedback.csv", row)
