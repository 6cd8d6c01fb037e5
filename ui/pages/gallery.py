"""Gallery: past runs, searchable, each reopening its conversation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from atelier.runs.store import RunStore
from atelier.ui.state import agent, init, open_thread, show_image

st.set_page_config(page_title="Atelier · Gallery", layout="wide")
init()
st.title("Gallery")
query = st.text_input("Search past runs", placeholder="e.g. sketch, sprite, astronaut")
runs = [r for r in RunStore(agent().settings.home).list(limit=200) if r.ok]
if query:
    words = query.lower().split()
    runs = [r for r in runs if all(w in f"{r.tool} {r.request or ''} {r.backend or ''}".lower() for w in words)]
if not runs:
    st.info("No runs yet." if not query else "Nothing matches.")
cols = st.columns(4)
for i, run in enumerate(runs[:48]):
    record = RunStore(agent().settings.home).get(run.run_id) or {}
    image = record.get("artifacts", {}).get("image")
    with cols[i % 4]:
        if image and Path(image).is_file():
            show_image(image, width="stretch")
        st.caption(f"{run.tool} · {run.backend} · {run.created[:16]}" + (f"\n\n“{run.request}”" if run.request else ""))
        thread = record.get("context", {}).get("thread_id")
        if thread and st.button("Open conversation", key=f"open-{run.run_id}"):
            open_thread(thread)
            st.switch_page("app.py")
