"""respond / ask: a short, honest answer — which tools ran, on which backend, the key numbers, the files,
what was skipped or failed and why. Questions that need no tool are answered from the catalogue."""

from __future__ import annotations

from typing import Any

from atelier.agent.state import AgentState

KEY_METRICS = {
    "sketchify": ("background_purity", "tonal_range", "edge_fidelity"),
    "reconstruct_sprite": ("diff_percent", "confidence"),
    "stylize": ("structure_f1", "style_distance_before", "style_distance_after"),
    "retrieve_style": ("score",),
    "describe_punk": ("min_confidence",),
    "open_eyes": ("faces_ok", "faces_failed"),
}
PUNK_KEYS = ("type", "skin_tone", "hair", "headwear", "eyewear", "earring", "beard", "mouth", "neck", "background")
KEY_OUTPUTS = {
    "reconstruct_sprite": ("cell_size", "offset_x", "offset_y", "width", "height"),
    "retrieve_style": ("chosen",),
    "stylize": ("style", "mode"),
    "detect_closed_eyes": ("closed_count",),
    "describe_punk": ("caption",),
}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    return str(value)


def describe_step(n: int, entry: dict[str, Any]) -> str:
    tool = entry["tool"]
    if entry.get("skipped"):
        return f"{n}. {tool}: skipped — {entry['reason']}."
    r = entry["result"]
    if not r["ok"]:
        return f"{n}. {tool} failed [{r['error']['code']}]: {r['error']['message']}"
    parts = [f"{n}. {tool} ran (backend {r['backend']})"]
    numbers = [f"{k} {_fmt(r['outputs'][k])}" for k in KEY_OUTPUTS.get(tool, ()) if k in r["outputs"]]
    numbers += [f"{k} {_fmt(r['metrics'][k])}" for k in KEY_METRICS.get(tool, ()) if r["metrics"].get(k) is not None]
    if numbers:
        parts.append(": " + ", ".join(numbers))
    if r["artifacts"].get("image"):
        parts.append(f" → {r['artifacts']['image']}")
    if tool == "describe_punk":
        parts.append("\n   " + "; ".join(f"{k} {_fmt(r['outputs'][k]['value'])} ({r['outputs'][k]['confidence']:.2f})"
                                         for k in PUNK_KEYS if k in r["outputs"]))
    if tool in ("detect_closed_eyes", "open_eyes"):
        parts += [f"\n   {_face_line(face)}" for face in r["outputs"].get("faces", [])]
    for found in r["outputs"].get("runs", []):
        parts.append(f"\n   - {found['tool']} run {found['run_id']} (score {found['score']:.2f})"
                     + (f": “{found['request']}”" if found.get("request") else "")
                     + (f" → {found['image']}" if found.get("image") else ""))
    text = "".join(parts) + "."
    if r.get("warnings"):
        text += " Note: " + "; ".join(r["warnings"]) + "."
    return text


def _face_line(face: dict[str, Any]) -> str:
    """One face in words: which of the person's own eyes are closed, and what was done about them."""
    closed = face.get("closed_eyes", [])
    state = (f"the person's {' and '.join(closed)} eye{'s' if len(closed) > 1 else ''} closed" if closed
             else "eyes open")
    line = f"face {face['index'] + 1}: {state}"
    if face.get("error"):
        line += f"; not opened [{face['error']['code']}]: {face['error']['message']}"
    elif face.get("opened"):
        line += f"; opened with {face.get('backend')}"
    return line


def main_image(results: list[dict[str, Any]]) -> str | None:
    for entry in reversed(results):
        image = entry.get("result", {}).get("artifacts", {}).get("image") if entry.get("ok") else None
        if image:
            return image
    return None


def respond_node(state: AgentState) -> dict:
    plan = state["plan"]
    results = state.get("results", [])
    update: dict[str, Any] = {}
    if not plan.get("steps"):
        answer = plan.get("answer") or "I'm not sure what to do with that."
    else:
        lines = [describe_step(i, e) for i, e in enumerate(results, start=1)]
        not_run = [s["tool"] for s in plan["steps"][len(results):]]
        last = results[-1] if results else None
        if last and not last.get("ok") and not last.get("skipped"):
            code = last["result"]["error"]["code"]
            if code == "NEEDS_REFERENCE":
                failed = len(results) - 1
                update["pending"] = {"plan": plan, "step": failed, "role": "ref",
                                     "n_attachments": len(state.get("attachments", []))}
                lines.append("Attach that photo in this conversation and I will carry on from this step.")
            if not_run:
                lines.append("Not run because of that: " + ", ".join(not_run) + ".")
        skipped = [e["tool"] for e in results if e.get("skipped")]
        if skipped and any(e.get("ok") for e in results):
            lines.append("Steps after a skipped one used its input image instead.")
        answer = f"Planner: {plan['planner']}.\n" + "\n".join(lines)
        image = main_image(results)
        if image:
            update["last_image"] = image
    update["answer"] = answer
    reply = {"answer": answer, "plan": plan, "results": results, "attachments": state.get("attachments", [])}
    update["history"] = [{"request": state.get("request"), "request_id": state.get("request_id"),
                          "answer": answer, "tools": [s["tool"] for s in plan.get("steps", [])], "reply": reply}]
    return update


def ask_node(state: AgentState) -> dict:
    question = state["plan"]["ask"]
    reply = {"answer": question, "plan": state["plan"], "results": [], "attachments": state.get("attachments", [])}
    return {"answer": question, "history": [{"request": state.get("request"), "answer": question, "tools": [],
                                             "reply": reply}]}
