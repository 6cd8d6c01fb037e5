"""Review mode: step through many images with a tool that learns from feedback (the sprite tool today), accept
its answer or one of its suggestions, override it, or reject it; every decision is a feedback row, and the
accepted results download as one zip. Keys: ← → move, A accepts, X rejects."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import streamlit as st

from atelier.agent.catalogue import catalogue
from atelier.agent.present import card_for
from atelier.ui.components.card import show_card, show_controls
from atelier.ui.state import agent, init, save_uploads

st.set_page_config(page_title="Atelier · Review", layout="wide")
init()
st.title("Review")
tools = {name: spec for name, spec in catalogue().items() if spec.feedback is not None}
if not tools:
    st.info("No installed tool takes feedback.")
    st.stop()
spec = tools[st.selectbox("Tool", list(tools), format_func=lambda name: name.replace("_", " "))]
review = st.session_state.setdefault("review", {"files": [], "names": [], "i": 0, "results": {}, "verdicts": {}})
uploads = st.file_uploader("Images to review", accept_multiple_files=True, key="review-files")
folder = st.text_input("…or a folder on this machine", placeholder="/path/to/sprites")
if st.button("Load"):
    from atelier.runs.batch import expand_inputs

    files = save_uploads(uploads) + [str(p) for p in (expand_inputs(folder) if folder.strip() else [])]
    names = [f.name for f in uploads or []] + [Path(p).name for p in files[len(uploads or []):]]
    review.update(files=files, names=names, i=0, results={}, verdicts={})


def move(step: int) -> None:
    review["i"] = max(0, min(len(review["files"]) - 1, review["i"] + step))


def decide(verdict: str) -> None:
    path = review["files"][review["i"]]
    result = st.session_state.get(f"result-{key_of(path)}", review["results"][path])
    spec.feedback(result, path, verdict, st.session_state.get("review-note", ""), agent().settings)
    review["verdicts"][path] = (verdict, result)
    move(1)


def key_of(path: str) -> str:
    return f"review-{review['files'].index(path)}"


if review["files"]:
    from atelier.runs.invoke import call_tool

    path = review["files"][review["i"]]
    if path not in review["results"]:
        review["results"][path] = call_tool(spec.name, {"image": path}, {}).model_dump(mode="json")
    key = key_of(path)
    result = st.session_state.get(f"result-{key}", review["results"][path])
    done = sum(1 for p in review["files"] if p in review["verdicts"])
    st.progress(done / len(review["files"]), text=f"{review['names'][review['i']]} — {review['i'] + 1} of "
                f"{len(review['files'])} · {done} decided")
    nav = st.columns(5)
    nav[0].button("◀ Previous", on_click=move, args=(-1,), shortcut="Left", disabled=review["i"] == 0)
    nav[1].button("Next ▶", on_click=move, args=(1,), shortcut="Right",
                  disabled=review["i"] == len(review["files"]) - 1)
    nav[2].button("✓ Accept", on_click=decide, args=("correct",), shortcut="A", type="primary",
                  disabled=not result["ok"])
    nav[3].button("✗ Reject", on_click=decide, args=("incorrect",), shortcut="X")
    st.text_input("note", key="review-note")
    if path in review["verdicts"]:
        st.caption(f"Decided: {'accepted' if review['verdicts'][path][0] == 'correct' else 'rejected'}")
    if result["ok"]:
        card = card_for(spec.name, result, {"image": path})
        show_card(card, key=key)
        show_controls(spec, key, result, {"image": path}, card)  # suggestions and overrides re-run it here
    else:
        st.error(f"{result['error']['code']}: {result['error']['message']}")
    accepted = [(review["names"][review["files"].index(p)], r) for p, (v, r) in review["verdicts"].items()
                if v == "correct" and r.get("artifacts", {}).get("image")]
    if accepted:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, r in accepted:
                archive.write(r["artifacts"]["image"], f"{Path(name).stem}-{spec.name}.png")
        nav[4].download_button(f"Export {len(accepted)} accepted (zip)", buffer.getvalue(), file_name="accepted.zip",
                               mime="application/zip")
