"""Gallery: every result, searchable by caption, style, tool, request and file name; filter, page, download,
delete, read a result's settings (its PNG's ``atelier:*`` chunks) and reopen its conversation."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from atelier.ui.state import agent, init, open_thread, show_image

PAGE = 24

st.set_page_config(page_title="Atelier · Gallery", layout="wide")
init()
st.title("Gallery")


def searchable(record: dict) -> str:
    """Everything a run can be found by: what was asked, the tool, backend, style, caption and file names."""
    out = record.get("outputs") or {}
    names = [Path(p).name for p in (record.get("artifacts") or {}).values()]
    names += [Path(i.get("path") or "").name for i in (record.get("inputs") or {}).values()]
    names += list(((record.get("context") or {}).get("names") or {}).values())
    return " ".join(str(x) for x in [(record.get("context") or {}).get("request"), record["tool"],
                                     record["tool"].replace("_", " "), record.get("backend"), out.get("style"),
                                     out.get("caption"), *names] if x).lower()


def delete(run_id: str) -> None:
    agent().runs.delete(run_id)


records = [r for r in (agent().runs.get(s.run_id) for s in agent().runs.list(limit=2000) if s.ok)
           if r and (r.get("artifacts") or {}).get("image")]
tools = sorted({r["tool"] for r in records})
left, right = st.columns([3, 1])
query = left.text_input("Search", placeholder="e.g. cyberpunk, sprite, astronaut, a caption word")
tool = right.selectbox("Tool", ["all", *tools], format_func=lambda t: t.replace("_", " "))
words = query.lower().split()
shown = [r for r in records if (tool == "all" or r["tool"] == tool) and all(w in searchable(r) for w in words)]
if not shown:
    st.info("No results yet." if not records else "Nothing matches.")
pages = max(1, -(-len(shown) // PAGE))
page = st.number_input(f"Page (of {pages})", 1, pages, 1) if pages > 1 else 1
cols = st.columns(4)
for i, record in enumerate(shown[(page - 1) * PAGE: page * PAGE]):
    image = record["artifacts"]["image"]
    with cols[i % 4], st.container(border=True):
        show_image(image, width="stretch")
        request = (record.get("context") or {}).get("request")
        st.caption(f"{record['tool'].replace('_', ' ')} · {record.get('backend')} · {record['created'][:16]}"
                   + (f"\n\n“{request}”" if request else ""))
        if Path(image).is_file():
            st.download_button("Download", Path(image).read_bytes(), file_name=Path(image).name, mime="image/png",
                               key=f"dl-{record['run_id']}")
        with st.expander("Settings (PNG info)"):
            from atelier.core.images import read_png_text

            try:
                st.code(json.dumps(read_png_text(image), indent=1, default=str), language="json")
            except (OSError, ValueError):
                st.caption("(no settings recorded in this file)")
        thread = (record.get("context") or {}).get("thread_id")
        if thread and st.button("Open conversation", key=f"open-{record['run_id']}"):
            open_thread(thread)
            st.switch_page("app.py")
        st.button("Delete", key=f"del-{record['run_id']}", on_click=delete, args=(record["run_id"],))
