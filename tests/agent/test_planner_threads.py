"""Follow-ups in a thread: the planner sees a summary of the earlier turns ("undo that", "go back to the
sketch", "same again with seed 3", "now the other photo"), and a revert runs no tool but moves the thread's
working image back."""

from __future__ import annotations

from conftest import SAMPLES

from atelier.agent.nodes.plan import thread_turns
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.semantic import SemanticPlanner
from atelier.agent.session import Session

SKETCH = {"tool": "sketchify", "args": {}, "inputs": {"image": "attachment:0"}}
STYLE = [{"tool": "retrieve_style", "args": {"query": "cyberpunk"}, "inputs": {}},
         {"tool": "stylize", "args": {}, "inputs": {"image": "$last.image", "ref": "$step1.image"}}]


def plan(text: str, n: int, *turns):
    thread = tuple({"steps": list(t), "attachments": n} for t in turns)
    return SemanticPlanner().plan(PlanRequest(text, n, True, thread))


def test_follow_ups_read_the_thread():
    assert plan("undo that", 0, [SKETCH]).revert == "$last"
    assert plan("go back to the sketch", 0, [SKETCH], STYLE).revert == "turn:1"
    again = plan("same again with seed 3", 1, [SKETCH])
    assert [(s.tool, s.args, s.inputs) for s in again.steps] == [("sketchify", {"seed": 3}, {"image": "attachment:0"})]
    other = plan("now the other photo", 2, [SKETCH])
    assert [(s.tool, s.inputs) for s in other.steps] == [("sketchify", {"image": "attachment:1"})]
    on_last = plan("now make it cyberpunk", 0, [SKETCH])
    assert [s.tool for s in on_last.steps] == ["retrieve_style", "stylize"]
    assert on_last.steps[1].inputs == {"image": "$last.image", "ref": "$step1.image"}
    assert plan("undo that", 0).revert is None  # no thread: not a revert


def test_two_turn_thread_undo_and_same_again(atelier_home):
    session = Session()
    first = session.ask("make it a pencil sketch", [SAMPLES / "chelsea.png"], planner="semantic")
    original = first.attachments[0]["path"]
    sketch = first.results[0]["result"]["artifacts"]["image"]
    again = session.ask("same again with seed 3", thread_id=first.thread_id, planner="semantic")
    assert [(r["tool"], r["result"]["ok"]) for r in again.results] == [("sketchify", True)]
    assert again.plan["steps"][0]["args"]["seed"] == 3 and again.results[0]["paths"]["image"] == sketch
    undo = session.ask("undo that", thread_id=first.thread_id, planner="semantic")
    assert undo.results == [] and undo.plan["revert"] == "$last"
    assert "Planner: semantic" in undo.answer and sketch in undo.answer
    back = session.ask("go back to the original", thread_id=first.thread_id, planner="semantic")
    assert back.results == []  # unknown target: asks or answers, never runs a tool
    turns = thread_turns(session.history(first.thread_id))
    assert [[s["tool"] for s in t["steps"]] for t in turns][:2] == [["sketchify"], ["sketchify"]]
    assert turns[2]["revert"] == "$last"
    nxt = session.ask("now fix the pixels", thread_id=first.thread_id, planner="semantic")
    assert nxt.results[0]["paths"]["image"] == sketch  # works on the image the revert went back to
    assert original != sketch
