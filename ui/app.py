"""Atelier's chat: attach images, say what to do, watch the steps run, compare, go back, branch, download."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from atelier.ui.components.history import history_strip
from atelier.ui.components.reply import show_reply
from atelier.ui.components.sidebar import sidebar
from atelier.ui.state import UPLOAD_TYPES, agent, discard_uploads, init, save_uploads, show_image, upload_names

st.set_page_config(page_title="Atelier", page_icon="✏️", layout="wide")
init()
sidebar()
st.title("Atelier")
st.caption("Pencil sketches, styles, open eyes, pixel-art sprites and punks: attach images and say what to do — "
           "“make it a pencil sketch”, “fix the pixels”, “open her eyes, then sketch it”, “undo that”.")
history_strip()

for message in st.session_state.messages:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.markdown(message["text"])
            for path in message.get("images", []):
                show_image(path, width=160)
        else:
            show_reply(message.get("reply"))

prompt = st.chat_input("Attach images and say what to do", accept_file="multiple", file_type=UPLOAD_TYPES)
if prompt is not None:
    text = prompt if isinstance(prompt, str) else prompt.text
    files = [] if isinstance(prompt, str) else prompt.files
    uploads = save_uploads(files)
    images = uploads + st.session_state.pop("attachments_next", [])
    names = upload_names(files) + [Path(p).name for p in images[len(uploads):]]
    with st.chat_message("user"):
        st.markdown(text)
        for path in images:
            show_image(path, width=160)
    with st.chat_message("assistant"):
        bar = st.progress(0.0, text="planning…")

        def on_event(event: dict) -> None:
            bar.progress(min(1.0, event["percent"] / 100),
                         text=f"step {event['index']}/{event['total']}: {event['tool'].replace('_', ' ')}")

        try:
            reply = agent().ask(text, images, st.session_state.thread, defaults=st.session_state.defaults,
                                on_event=on_event, names=names).as_dict()
        except Exception as exc:  # the page must never show a traceback
            reply = {"answer": f"Something went wrong inside Atelier: {type(exc).__name__}: {exc}", "results": [],
                     "plan": {}}
        finally:
            discard_uploads(uploads)  # only the decoded, metadata-free copies are kept
        bar.empty()
        if reply.get("thread_id") and reply["thread_id"] != st.session_state.thread:
            st.session_state.thread = reply["thread_id"]
            st.query_params["thread"] = reply["thread_id"]
    kept = reply.get("new_attachments") or images
    st.session_state.messages.append({"role": "user", "text": text, "images": kept})
    st.session_state.messages.append({"role": "assistant", "reply": reply})
    st.rerun()
