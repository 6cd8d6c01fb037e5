"""What the page keeps between reruns, and the resources it builds once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"]


@st.cache_resource
def agent():
    from atelier.agent.session import Session

    return Session()


def init() -> None:
    st.session_state.setdefault("thread", None)
    st.session_state.setdefault("messages", [])
    st.session_state.setdefault("defaults", {"sketchify": {"ai_strength": 0.35}, "open_eyes": {"variations": 1}})


def show_image(path: str | None, container=st, **kwargs) -> None:
    """An image, or a note when it cannot be shown (a corrupt upload must not break the page)."""
    if not path:
        return
    try:
        container.image(path, **kwargs)
    except Exception:  # Streamlit raises whatever PIL raises for a broken file
        container.caption(f"(cannot preview {Path(path).name})")


def save_uploads(files) -> list[str]:
    """Write uploaded files under ATELIER_HOME/uploads (by content hash) and return their paths."""
    if not files:
        return []
    folder = agent().settings.home / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        data = f.getvalue()
        path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}{Path(f.name).suffix.lower()}"
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def open_thread(thread_id: str | None) -> None:
    """Show a stored conversation (or a new, empty one)."""
    st.session_state.thread = thread_id
    st.session_state.messages = []
    if thread_id:
        for turn in agent().history(thread_id):
            st.session_state.messages.append({"role": "user", "text": turn.get("request") or "", "images": []})
            st.session_state.messages.append({"role": "assistant", "reply": turn.get("reply")})
