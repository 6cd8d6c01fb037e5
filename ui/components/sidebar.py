"""Sidebar: conversations, which backends can run, default parameters."""

from __future__ import annotations

import streamlit as st

from atelier.ui.state import agent, open_thread


@st.cache_data(ttl=60)
def backend_rows() -> list[dict]:
    from atelier.agent.doctor import doctor

    return [r.as_dict() for r in doctor(agent().settings)]


def control(tool: str, arg: str, value):
    """A slider or number box for one argument, its range from the tool's argument model."""
    from atelier.agent.catalogue import catalogue

    field = catalogue()[tool].args_model.model_fields[arg]
    bounds = {type(m).__name__: m for m in field.metadata}
    low = getattr(bounds.get("Ge"), "ge", 0)
    high = getattr(bounds.get("Le"), "le", None)
    label = f"{tool.replace('_', ' ')}: {arg.replace('_', ' ')}"
    if isinstance(value, float) and high is not None:
        return st.slider(label, float(low), float(high), float(value), 0.05, key=f"default-{tool}-{arg}")
    return st.number_input(label, int(low), int(high) if high is not None else None, int(value),
                           key=f"default-{tool}-{arg}")


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
        for tool, args in st.session_state.defaults.items():
            for arg, value in args.items():
                args[arg] = control(tool, arg, value)
        st.header("Backends")
        for row in backend_rows():
            state = "ready" if row["available"] else "missing"
            st.caption(f"**{row['backend']}** ({row['tool']} · {row['role']}): {state}"
                       + ("" if row["available"] else f" — {row['reason']}"))
