"""A turn runs in the background so the page stays live: progress streams in, and Cancel stops the running step
at its next stage (the tool returns CANCELLED and no later step runs)."""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import streamlit as st

from atelier.ui.state import agent, discard_uploads, show_image

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="atelier-turn")


def start(text: str, images: list[str], uploads: list[str], names: list[str]) -> None:
    """Start one turn of the conversation in the background and remember it in the page's state."""
    from atelier.core.cancel import cancelling

    session, events, cancel = agent(), queue.Queue(), threading.Event()
    thread, defaults = st.session_state.thread, st.session_state.defaults

    def work() -> dict[str, Any]:
        with cancelling(cancel):
            return session.ask(text, images, thread, defaults=defaults, on_event=events.put, names=names).as_dict()

    st.session_state.job = {"future": _POOL.submit(work), "events": events, "cancel": cancel, "text": text,
                            "images": images, "uploads": uploads, "percent": 0.0, "label": "planning…"}


def _cancel() -> None:
    job = st.session_state.get("job")
    if job is not None:
        job["cancel"].set()
        job["label"] = "cancelling…"


def show(job: dict[str, Any]) -> None:
    """The running turn: its message, a progress bar and Cancel; when it is done, it joins the conversation."""
    with st.chat_message("user"):
        st.markdown(job["text"])
        for path in job["images"]:
            show_image(path, width=160)
    with st.chat_message("assistant"):
        bar = st.progress(job["percent"] / 100, text=job["label"])
        st.button("Cancel", key="cancel-turn", on_click=_cancel, disabled=job["cancel"].is_set())
        while not job["future"].done():
            _drain(job)
            bar.progress(min(1.0, job["percent"] / 100), text=job["label"])
            time.sleep(0.1)
        _drain(job)
    try:
        reply = job["future"].result()
    except Exception as exc:  # the page must never show a traceback
        reply = {"answer": f"Something went wrong inside Atelier: {type(exc).__name__}: {exc}", "results": [],
                 "plan": {}}
    finally:
        discard_uploads(job["uploads"])  # only the decoded, metadata-free copies are kept
    del st.session_state["job"]
    if reply.get("thread_id") and reply["thread_id"] != st.session_state.thread:
        st.session_state.thread = reply["thread_id"]
        st.query_params["thread"] = reply["thread_id"]
    st.session_state.messages.append({"role": "user", "text": job["text"],
                                      "images": reply.get("new_attachments") or job["images"]})
    st.session_state.messages.append({"role": "assistant", "reply": reply})
    st.rerun()


def _drain(job: dict[str, Any]) -> None:
    while True:
        try:
            event = job["events"].get_nowait()
        except queue.Empty:
            return
        job["percent"] = event.get("percent", job["percent"])
        if not job["cancel"].is_set():
            job["label"] = f"step {event['index']}/{event['total']}: {event['tool'].replace('_', ' ')}"
