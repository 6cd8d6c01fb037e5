"""The LangGraph graph with scripted plans and the real tools: chaining, ask-back, stopping on failure,
progress events, threads that continue across calls, and resuming after NEEDS_REFERENCE."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES
from PIL import Image

from atelier.agent.plan import Plan, Step
from atelier.agent.planners import EXTRA_PLANNERS
from atelier.agent.session import Session
from atelier.runs.store import RunStore


class Scripted:
    name = "scripted"

    def __init__(self, plan: Plan):
        self._plan = plan

    def plan(self, request):
        return self._plan


@pytest.fixture
def script(monkeypatch):
    def use(*steps: Step, ask: str | None = None) -> str:
        monkeypatch.setitem(EXTRA_PLANNERS, "scripted", lambda: Scripted(Plan(planner="scripted", steps=list(steps),
                                                                                ask=ask)))
        return "scripted"
    return use


def pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path))


def test_step_outputs_feed_the_next_step(script, atelier_home):
    name = script(Step(id="s1", tool="sketchify", inputs={"image": "attachment:0"}, args={"seed": 3}),
                  Step(id="s2", tool="reconstruct_sprite", inputs={"image": "$step1.image"}, args={"cell_size": 4}))
    events = []
    reply = Session().ask("sketch then pixelate", [SAMPLES / "coffee.png"], planner=name, on_event=events.append)
    assert [r["tool"] for r in reply.results] == ["sketchify", "reconstruct_sprite"]
    assert all(r["ok"] for r in reply.results)
    sketch = reply.results[0]["result"]["artifacts"]["image"]
    second = RunStore(atelier_home).get(reply.results[1]["result"]["run_id"])
    assert second["inputs"]["image"]["path"] == sketch  # step 2 read step 1's output
    assert second["context"]["step_id"] == "step2" and second["context"]["request"] == "sketch then pixelate"
    assert reply.results[1]["result"]["outputs"]["width"] == 600 // 4
    percents = [e["percent"] for e in events]
    assert percents == sorted(percents) and percents[-1] == 100.0 and {e["tool"] for e in events} == {
        "sketchify", "reconstruct_sprite"}
    assert "sketchify ran (backend classical)" in reply.answer and sketch in reply.answer


def test_a_failing_step_stops_the_chain_and_names_the_step(script, tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not an image")
    name = script(Step(id="s1", tool="sketchify", inputs={"image": "attachment:0"}),
                  Step(id="s2", tool="reconstruct_sprite", inputs={"image": "$step1.image"}))
    reply = Session().ask("sketch it", [tmp_path / "broken.png"], planner=name)
    assert len(reply.results) == 1 and reply.results[0]["ok"] is False
    assert "1. sketchify failed [INVALID_IMAGE]" in reply.answer
    assert "Not run because of that: reconstruct_sprite" in reply.answer


def test_no_image_means_a_question_and_nothing_runs(atelier_home):
    reply = Session().ask("make it a pencil sketch")
    assert reply.results == [] and "attach" in reply.answer.lower()
    assert RunStore(atelier_home).list() == []


def test_invalid_plans_are_never_executed(script, atelier_home):
    name = script(Step(id="s1", tool="sketchify", inputs={"image": "attachment:3"}))
    reply = Session().ask("sketch", [SAMPLES / "coffee.png"], planner=name)
    assert reply.results == [] and "attachment 4" in reply.answer
    name = script(Step(id="s1", tool="sketchify", args={"shading": 7}, inputs={"image": "attachment:0"}))
    reply = Session().ask("sketch", [SAMPLES / "coffee.png"], planner=name)
    assert reply.results == [] and "shading" in reply.answer
    assert RunStore(atelier_home).list() == []


def test_a_thread_continues_with_the_last_result(atelier_home):
    session = Session()
    first = session.ask("make it a pencil sketch", [SAMPLES / "chelsea.png"])
    sketch = first.results[0]["result"]["artifacts"]["image"]
    second = session.ask("now fix the pixels with cell size 3", thread_id=first.thread_id)
    assert [r["tool"] for r in second.results] == ["reconstruct_sprite"]
    record = RunStore(atelier_home).get(second.results[0]["result"]["run_id"])
    assert record["inputs"]["image"]["path"] == sketch
    assert record["context"]["thread_id"] == first.thread_id
    history = Session().history(first.thread_id)  # a new process-level session reads the same SQLite thread
    assert [h["tools"] for h in history] == [["sketchify"], ["reconstruct_sprite"]]
    other = session.ask("now fix the pixels")  # a new thread has no last result: it asks
    assert other.results == [] and "attach" in other.answer.lower()


def test_needs_reference_pauses_the_run_then_resumes_when_the_photo_arrives(plugins, atelier_home, tmp_path):
    plugins(tmp_path / "plugin", "needs_ref_tool", (Path(__file__).parent / "needs_ref_tool.py").read_text(),
            {"open_eyes": "needs_ref_tool:SPEC"})
    session = Session()
    first = session.ask("open her eyes", [SAMPLES / "astronaut.png"])
    assert first.results[0]["result"]["error"]["code"] == "NEEDS_REFERENCE"
    assert "attach" in first.answer.lower()
    paused = session.awaiting(first.thread_id)  # a LangGraph interrupt, kept in the thread's checkpoint
    assert paused and paused["role"] == "ref" and "same person" in paused["question"]
    second = Session().ask("here is one with her eyes open", [SAMPLES / "coffee.png"], thread_id=first.thread_id)
    assert [r["tool"] for r in second.results] == ["open_eyes"] and second.results[0]["ok"]
    assert second.results[0]["inputs"] == {"image": "attachment:0", "ref": "attachment:1"}
    out = pixels(second.results[0]["result"]["artifacts"]["image"])
    assert np.array_equal(out[..., :3], np.asarray(Image.open(SAMPLES / "coffee.png").convert("RGB")))
    assert session.awaiting(first.thread_id) is None
    assert [h["tools"] for h in session.history(first.thread_id)] == [["open_eyes"], ["open_eyes"]]


def test_a_new_request_while_paused_starts_afresh(plugins, atelier_home, tmp_path):
    plugins(tmp_path / "plugin", "needs_ref_tool", (Path(__file__).parent / "needs_ref_tool.py").read_text(),
            {"open_eyes": "needs_ref_tool:SPEC"})
    session = Session()
    first = session.ask("open her eyes", [SAMPLES / "astronaut.png"])
    assert session.awaiting(first.thread_id)
    other = session.ask("hello", thread_id=first.thread_id)
    assert other.results == [] and session.awaiting(first.thread_id) is None


def test_open_her_eyes_using_the_second_photo_then_sketch(atelier_home, tmp_path):
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    photo = np.asarray(Image.open(SAMPLES / "astronaut.png").convert("RGB"))
    face = MediaPipeLandmarker().detect(photo)[0]
    Image.fromarray(close_eye(close_eye(photo, face, "left"), face, "right")).save(tmp_path / "blink.png")
    reply = Session().ask("open her eyes using the second photo, then make it a pencil sketch",
                          [tmp_path / "blink.png", SAMPLES / "astronaut.png"])
    assert [r["tool"] for r in reply.results] == ["open_eyes", "sketchify"]
    opened = reply.results[0]["result"]
    assert opened["ok"] and opened["backend"] == "reference" and opened["outputs"]["faces"][0]["opened"] == [
        "right", "left"]
    assert reply.results[1]["inputs"]["image"] == "$step1.image" and reply.results[1]["ok"]
    assert "face 1 · the person's right and left eyes closed · opened (reference)" in reply.answer


def test_the_answer_says_what_code_completed_in_a_model_plan(monkeypatch, tmp_path):
    """A model plan that left out the reference photo the words name is completed by code, and the answer says
    so beside the planner's name: a model's plan never passes code's work off as its own."""
    from atelier.agent.planners import PlanRequest
    from atelier.agent.planners.complete import complete_refs

    text = "turn this into a pencil drawing; before that, open his eyes with my other shot"
    model_plan = Plan(planner="llm", steps=[Step(id="step1", tool="open_eyes", inputs={"image": "attachment:0"}),
                                            Step(id="step2", tool="sketchify", inputs={"image": "$step1.image"})])

    class Model(Scripted):
        def plan(self, request):
            return complete_refs(self._plan, request)

    monkeypatch.setitem(EXTRA_PLANNERS, "model", lambda: Model(model_plan))
    assert complete_refs(model_plan, PlanRequest(text, 2)).steps[0].inputs["ref"] == "attachment:1"
    reply = Session().ask(text, [SAMPLES / "astronaut_blink.png", SAMPLES / "astronaut.png"], planner="model")
    first = reply.answer.splitlines()[0]
    assert first.startswith("Planner: llm. Completed by code: step1 (open_eyes) ref = attachment:1")
    assert reply.plan["steps"][0]["inputs"]["ref"] == "attachment:1" and reply.results[0]["ok"]
    plain = Session().ask("make it a pencil sketch", [SAMPLES / "coffee.png"], planner="semantic")
    assert plain.answer.splitlines()[0] == "Planner: semantic."
