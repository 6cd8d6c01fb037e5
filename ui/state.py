"""What the page keeps between reruns, and the resources it builds once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"]


@st.cache_resource
def agent():
    """The agent this page talks to: in this process, or a server's when ``ATELIER_SERVER`` is set (a laptop
    chat driving a GPU machine)."""
    from atelier.core.config import load_settings

    settings = load_settings()
    if settings.server:
        from atelier.agent.remote import RemoteSession

        return RemoteSession(settings)
    from atelier.agent.session import Session

    return Session(settings)


def default_controls() -> dict[str, dict[str, object]]:
    """Per tool, the arguments its spec offers as conversation defaults, at the argument model's defaults."""
    from atelier.agent.catalogue import catalogue

    return {name: {arg: spec.args_model.model_fields[arg].default for arg in spec.defaults}
            for name, spec in catalogue().items() if spec.defaults}


def init() -> None:
    st.session_state.setdefault("defaults", default_controls())
    if "thread" not in st.session_state:
        st.session_state.thread, st.session_state.messages = None, []
        wanted = st.query_params.get("thread")
        if wanted and wanted in dict(agent().threads()):
            open_thread(wanted)


SMALL = 200  # images this small (sprites, punks) are enlarged with hard pixel edges, never blurred to fit


def show_image(path: str | None, container=st, **kwargs) -> None:
    """An image, or a note when it cannot be shown (a corrupt upload must not break the page). Pixel art is
    shown at a whole-number enlargement with its pixels kept square and sharp."""
    if not path:
        return
    try:
        from PIL import Image

        with Image.open(path) as img:
            if max(img.size) <= SMALL:
                factor = max(1, 240 // max(img.size))
                enlarged = img.convert("RGBA").resize((img.width * factor, img.height * factor), Image.NEAREST)
                kwargs = {**kwargs, "width": enlarged.width}
                container.image(enlarged, **kwargs)
                return
        container.image(path, **kwargs)
    except Exception:  # Streamlit raises whatever PIL raises for a broken file
        container.caption(f"(cannot preview {Path(path).name})")


def upload_names(files) -> list[str]:
    return [Path(f.name).name for f in files or []]


def save_uploads(files) -> list[str]:
    """Uploaded files as temporary files under ATELIER_HOME/uploads for one turn: the agent decodes each and
    keeps only a metadata-free PNG (no EXIF/GPS); ``discard_uploads`` removes the raw bytes after the turn."""
    if not files:
        return []
    folder = agent().settings.home / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        data = f.getvalue()
        path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}{Path(f.name).suffix.lower()[:6]}"
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def discard_uploads(paths: list[str]) -> None:
    folder = agent().settings.home / "uploads"
    for path in paths:
        if Path(path).parent == folder:
            Path(path).unlink(missing_ok=True)


def open_run(run_id: str) -> None:
    """Open the conversation a past run belongs to (a thumbnail's "Open" button)."""
    record = agent().runs.get(run_id) or {}
    thread = (record.get("context") or {}).get("thread_id")
    if thread:
        open_thread(thread)


def open_thread(thread_id: str | None) -> None:
    """Show a stored conversation (or a new, empty one); its id goes in the URL, so a reload reopens it."""
    st.session_state.thread = thread_id
    st.session_state.messages = []
    if thread_id:
        st.query_params["thread"] = thread_id
        for turn in agent().history(thread_id):
            reply = turn.get("reply") or {}
            if turn.get("request"):
                images = list(reply.get("new_attachments", []))
                st.session_state.messages.append({"role": "user", "text": turn["request"], "images": images})
            st.session_state.messages.append({"role": "assistant", "reply": reply})
    else:
        st.query_params.clear()
