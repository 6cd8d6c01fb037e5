"""Atelier's chat: attach images, say what to do, watch the steps run, compare, go back, branch, download."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from atelier.ui.components.history import history_strip
from atelier.ui.components.job import show as show_job
from atelier.ui.components.job import start as start_job
from atelier.ui.components.reply import show_reply
from atelier.ui.components.sidebar import sidebar
from atelier.ui.state import UPLOAD_TYPES, init, save_uploads, show_image, upload_names

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

job = st.session_state.get("job")
if job is not None:
    show_job(job)
prompt = st.chat_input("Attach images and say what to do", accept_file="multiple", file_type=UPLOAD_TYPES,
                       disabled=job is not None)
if prompt is not None:
    text = prompt if isinstance(prompt, str) else prompt.text
    files = [] if isinstance(prompt, str) else prompt.files
    uploads = save_uploads(files)
    images = uploads + st.session_state.pop("attachments_next", [])
    start_job(text, images, uploads, upload_names(files) + [Path(p).name for p in images[len(uploads):]])
    st.rerun()
