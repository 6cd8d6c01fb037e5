"""Sidebar: conversations, which backends can run, default parameters."""

from __future__ import annotations

import streamlit as st

from atelier.agent.catalogue import catalogue
from atelier.ui.state import agent, open_thread


@st.cache_data(ttl=60)
def backend_rows() -> list[dict]:
    from atelier.agent.doctor import doctor

    return [r.as_dict() for r in doctor(agent().settings)]


def control(tool: str, arg: str, value):
    """A slider or number box for one argument, its range from the tool's argument model."""
    field = catalogue()[tool].args_model.model_fields[arg]
    bounds = {type(m).__name__: m for m in field.metadata}
    low = getattr(bounds.get("Ge"), "ge", 0)
    high = getattr(bounds.get("Le"), "le", None)
    label = f"{tool.replace('_', ' ')}: {arg.replace('_', ' ')}"
    if isinstance(value, float) and high is not None:
        return st.slider(label, float(low), float(high), float(value), 0.05, key=f"default-{tool}-{arg}")
    return st.number_input(label, int(low), int(high) if high is not None else None, int(value),
                           key=f"default-{tool}-{arg}")


def _rename(thread_id: str) -> None:
    agent().rename(thread_id, st.session_state[f"title-{thread_id}"])


def _delete(thread_id: str) -> None:
    agent().delete_thread(thread_id)
    open_thread(None)


def manage_thread(thread_id: str) -> None:
    """Rename the open conversation, or delete it with its files (after a confirmation)."""
    with st.expander("This conversation"):
        st.text_input("Name", value=dict(agent().threads()).get(thread_id, ""), key=f"title-{thread_id}",
                      on_change=_rename, args=(thread_id,))
        sure = st.checkbox("Also delete its images and results", key=f"sure-{thread_id}")
        st.button("Delete conversation", key=f"delete-{thread_id}", disabled=not sure, on_click=_delete,
                  args=(thread_id,), type="primary")


def sidebar() -> None:
    with st.sidebar:
        st.header("Conversations")
        st.button("New conversation", width="stretch", on_click=open_thread, args=(None,))
        for thread_id, title in agent().threads()[:30]:
            label = ("▶ " if thread_id == st.session_state.thread else "") + title
            st.button(label, key=f"thread-{thread_id}", width="stretch", on_click=open_thread, args=(thread_id,))
        if st.session_state.thread:
            manage_thread(st.session_state.thread)
        st.header("Defaults")
        for tool, args in st.session_state.defaults.items():
            fields = catalogue()[tool].args_model.model_fields if tool in catalogue() else {}
            for arg, value in args.items():
                if arg in fields:  # a tool replaced by a plugin may not have the argument any more
                    args[arg] = control(tool, arg, value)
        with st.expander("Backends"):
            for row in backend_rows():
                state = "ready" if row["available"] else "missing"
                st.caption(f"**{row['backend']}** ({row['tool'].replace('_', ' ')} · {row['role']}): {state}"
                           + ("" if row["available"] else f" — {row['reason']}"))
