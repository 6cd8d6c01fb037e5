"""Sidebar: conversations, which backends can run, default parameters."""

from __future__ import annotations

import streamlit as st

from atelier.ui.state import agent, open_thread


@st.cache_data(ttl=60)
def backend_rows() -> list[dict]:
    from atelier.agent.doctor import doctor

    return [r.as_dict() for r in doctor(agent().settings)]


def sidebar() -> None:
    with st.sidebar:
        st.header("Conversations")
        if st.button("New conversation", width="stretch"):
            open_thread(None)
        for thread_id, title in agent().threads()[:15]:
            label = ("▶ " if thread_id == st.session_state.thread else "") + (title[:40] or thread_id)
            if st.button(label, key=f"thread-{thread_id}", width="stretch"):
                open_thread(thread_id)
        st.header("Defaults")
        st.session_state.defaults["sketchify"]["ai_strength"] = st.slider(
            "Sketch shading (ai_strength)", 0.0, 1.0, st.session_state.defaults["sketchify"]["ai_strength"], 0.05)
        st.session_state.defaults["open_eyes"]["variations"] = st.number_input(
            "Eye variations", 1, 8, st.session_state.defaults["open_eyes"]["variations"])
        st.header("Backends")
        for row in backend_rows():
            state = "ready" if row["available"] else "missing"
            st.caption(f"**{row['backend']}** ({row['tool']} · {row['role']}): {state}"
                       + ("" if row["available"] else f" — {row['reason']}"))
