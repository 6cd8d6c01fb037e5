"""The agent's reply: the plan as numbered steps, then each step's card (from the tool's ``present``), its
re-run controls and downloads; questions the agent asks back are shown as questions, not errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from atelier.agent.catalogue import catalogue
from atelier.agent.present import card_for
from atelier.agent.refs import resolve_inputs
from atelier.ui.components.card import show_card, show_controls, show_feedback
from atelier.ui.components.history import go_to
from atelier.ui.state import agent, open_run


def show_plan(plan: dict[str, Any]) -> None:
    steps = plan.get("steps") or []
    if steps:
        lines = [f"{i}. {catalogue()[s['tool']].summary if s['tool'] in catalogue() else s['tool']}"
                 for i, s in enumerate(steps, 1)]
        st.caption(f"Plan ({plan.get('planner')}):\n" + "\n".join(lines))


def step_inputs(entry: dict[str, Any], reply: dict[str, Any]) -> dict[str, str]:
    """The step's input files: as resolved when it ran, else through the agent's one resolver."""
    paths = entry.get("paths") or resolve_inputs(entry.get("inputs", {}), reply.get("attachments", []),
                                                 reply.get("results", []), reply.get("last_image"))
    return {role: path for role, path in paths.items() if path}


def show_step(n: int, entry: dict[str, Any], reply: dict[str, Any]) -> None:
    tool = entry["tool"]
    if entry.get("skipped"):
        st.warning(f"{n}. {tool} skipped: {entry['reason']}")
        return
    original = entry["result"]
    awaiting = reply.get("awaiting")
    if not original["ok"] and awaiting and awaiting.get("step") == n - 1:
        st.info(f"**{awaiting['question']}**\n\nAttach it with the 📎 in the chat box and I will carry on.")
        return
    key = original.get("run_id") or f"{tool}-{n}"
    result = st.session_state.get(f"result-{key}", original)
    if not result["ok"] and result is not original:  # a failed re-run: say so and keep showing the last good one
        st.error(f"Re-run failed — {result['error']['code']}: {result['error']['message']}")
        result = original
    inputs = step_inputs(entry, reply)
    card = card_for(tool, result, inputs)
    if not result["ok"]:
        st.error(f"{n}. {card.title} — {result['error']['code']}: {result['error']['message']}")
        return
    st.markdown(f"**{n}. {card.title}** · {tool} · backend **{result['backend']}**")
    show_card(card, on_open=open_run, on_pick=pick_callback(result), key=key)
    spec = catalogue().get(tool)
    if spec is not None:
        show_controls(spec, key, result, inputs, card, rerun=rerun_callback(reply, result))
        show_feedback(spec, key, result, inputs, agent().settings)
    if result.get("run_id") and st.session_state.get("thread") and any(
            n["id"] == result["run_id"] for n in agent().nodes(st.session_state.thread)):
        st.button("↪ Continue from this one", key=f"goto-{result['run_id']}", on_click=go_to,
                  args=(result["run_id"],), help="make this result current: the next request works on it")
    for name, path in result["artifacts"].items():
        if Path(path).is_file() and path.endswith(".png"):
            st.download_button(f"Download {name}", Path(path).read_bytes(), file_name=f"{tool}-{name}.png",
                               mime="image/png", key=f"dl-{result.get('run_id')}-{name}")


def pick_callback(result: dict[str, Any]):
    """Choosing one of several variations makes it the current result of the conversation."""
    thread = st.session_state.get("thread")
    node = result.get("run_id")
    if not thread or not node or not any(n["id"] == node for n in agent().nodes(thread)):
        return None

    def pick(path: str) -> None:
        agent().adopt(thread, node, path)
        st.session_state.messages.append({"role": "assistant", "reply": agent().history(thread)[-1]["reply"]})
    return pick


def rerun_callback(reply: dict[str, Any], result: dict[str, Any]):
    """In a conversation, a re-run is a new branch the thread keeps; elsewhere it is shown in place."""
    thread = st.session_state.get("thread")
    node = result.get("run_id")
    if not thread or not node or not any(n["id"] == node for n in agent().nodes(thread)):
        return None

    def rerun(changes: dict[str, Any]) -> None:
        new = agent().rerun(thread, node, changes)
        st.session_state.messages.append({"role": "assistant", "reply": new})
    return rerun


def show_reply(reply: dict[str, Any] | None) -> None:
    if not reply:
        return
    show_plan(reply.get("plan") or {})
    for n, entry in enumerate(reply.get("results", []), start=1):
        show_step(n, entry, reply)
    for note in reply.get("notes", []):
        st.markdown(note)
    if reply.get("results"):
        st.caption(f"planned by the {(reply.get('plan') or {}).get('planner', '?')} planner")
    else:
        st.markdown(reply.get("answer", ""))
