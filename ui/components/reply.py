"""The agent's reply: the plan as numbered steps, each tool's outputs with before/after, the retrieved
style reference beside a stylised result, key numbers, backend, downloads, and errors as messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from atelier.ui.components.sprite_panel import sprite_panel
from atelier.ui.state import show_image


def show_plan(plan: dict[str, Any]) -> None:
    steps = plan.get("steps") or []
    if steps:
        lines = [f"{i}. `{s['tool']}`" + (f" {s['args']}" if s.get("args") else "") for i, s in enumerate(steps, 1)]
        st.caption(f"Plan ({plan.get('planner')}):\n" + "\n".join(lines))


def _input_image(entry: dict[str, Any], reply: dict[str, Any]) -> str | None:
    ref = entry.get("inputs", {}).get("image", "")
    if ref.startswith("attachment:"):
        i = int(ref.split(":")[1])
        attachments = reply.get("attachments", [])
        return attachments[i]["path"] if i < len(attachments) else None
    if ref.startswith("$step"):
        step = ref[1:].split(".")[0]
        done = next((r for r in reply["results"] if r["id"] == step), None)
        return (done or {}).get("result", {}).get("artifacts", {}).get("image") if done else None
    return None


def show_step(n: int, entry: dict[str, Any], reply: dict[str, Any]) -> None:
    tool = entry["tool"]
    if entry.get("skipped"):
        st.warning(f"{n}. {tool} skipped: {entry['reason']}")
        return
    result = entry["result"]
    if not result["ok"]:
        st.error(f"{n}. {tool} failed — {result['error']['code']}: {result['error']['message']}")
        return
    st.markdown(f"**{n}. {tool}** · backend **{result['backend']}**")
    image = result["artifacts"].get("image")
    if tool == "reconstruct_sprite":
        sprite_panel(result, _input_image(entry, reply))
    elif image:
        before = _input_image(entry, reply)
        ref = entry.get("inputs", {}).get("ref")
        ref_path = None
        if ref and ref.startswith("$step"):
            ref_step = next((r for r in reply["results"] if r["id"] == ref[1:].split(".")[0]), None)
            ref_path = (ref_step or {}).get("result", {}).get("artifacts", {}).get("image")
        panels = [("before", before), ("reference", ref_path), ("after", image)]
        panels = [(label, path) for label, path in panels if path]
        for col, (label, path) in zip(st.columns(len(panels)), panels, strict=True):
            show_image(path, col, caption=label, width="stretch")
    numbers = {k: v for k, v in result["metrics"].items() if isinstance(v, int | float)}
    if numbers:
        st.caption(" · ".join(f"{k} {v:.3g}" for k, v in numbers.items()))
    for warning in result.get("warnings", []):
        st.caption(f"⚠ {warning}")
    for name, path in result["artifacts"].items():
        if Path(path).is_file():
            st.download_button(f"Download {name}", Path(path).read_bytes(), file_name=f"{tool}-{Path(path).name}",
                               mime="image/png", key=f"dl-{result.get('run_id')}-{name}")


def show_reply(reply: dict[str, Any] | None) -> None:
    if not reply:
        return
    show_plan(reply.get("plan") or {})
    for n, entry in enumerate(reply.get("results", []), start=1):
        show_step(n, entry, reply)
    if reply.get("results"):
        st.caption(f"planned by the {(reply.get('plan') or {}).get('planner', '?')} planner")
    else:
        st.markdown(reply.get("answer", ""))
