"""The history strip: the current branch of results as thumbnails, each one a place to go back to or continue
from; undo steps back one. Nothing runs — the next request works on whichever result is current."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from atelier.ui.state import agent, show_image


def go_to(node_id: str | None) -> None:
    """Widget callback: make a result current and say so in the conversation."""
    agent().goto(st.session_state.thread, node_id)
    reply = agent().history(st.session_state.thread)[-1]["reply"]
    st.session_state.messages.append({"role": "assistant", "reply": reply})


def undo() -> None:
    agent().undo(st.session_state.thread)
    st.session_state.messages.append({"role": "assistant",
                                      "reply": agent().history(st.session_state.thread)[-1]["reply"]})


def history_strip() -> None:
    thread = st.session_state.thread
    if not thread:
        return
    path = agent().path(thread)
    others = len(agent().nodes(thread)) - len(path)
    if not path:
        return
    with st.container(border=True):
        head = st.columns([6, 1])
        head[0].caption("History: " + " → ".join(n["label"] for n in path)
                        + (f" · {others} result{'s' if others != 1 else ''} on other branches" if others else ""))
        head[1].button("↶ Undo", key="undo", on_click=undo, width="stretch")
        cols = st.columns(max(6, len(path)))
        for col, node in zip(cols, path[-6:], strict=False):
            with col:
                show_image(node["image"], caption=node["label"], width="stretch")
                if Path(node["image"]).is_file():
                    st.download_button("⬇", Path(node["image"]).read_bytes(), file_name=f"{node['tool']}.png",
                                       key=f"hist-dl-{node['id']}", mime="image/png")
