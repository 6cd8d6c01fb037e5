"""The planner's mechanisms on wording no list holds: message kind (question, request, statement, unsupported
edit), several shots as one best take, numbers next to their argument, attachment bindings said in their own
sentence, one style lookup for a fan-out, follow-ups. Known answers, the real semantic planner."""

from __future__ import annotations

import pytest

from atelier.agent.plan import validate
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.intent import about_atelier, unsupported_edit
from atelier.agent.planners.semantic import SemanticPlanner


def plan(text: str, n: int = 1, **kw):
    return validate(SemanticPlanner().plan(PlanRequest(text, n, **kw)), n, kw.get("has_last_image", False))


@pytest.mark.parametrize(("text", "n", "about"), [
    ("can you restore faces?", 0, True),
    ("who made you?", 0, True),
    ("how do I add my own weights?", 0, True),
    ("what does best take do", 0, True),
    ("can you fix the pixels?", 0, False),  # a request without its image: ask for one
    ("could you open his eyes?", 1, False),
    ("which references do you have for a dreamy pastel fairy tale?", 0, False),
])
def test_a_question_about_atelier_is_not_a_request(text, n, about):
    from atelier.agent.planners import text as tx

    assert about_atelier(tx.normalise(text), n) is about


@pytest.mark.parametrize(("text", "unsupported"), [
    ("whiten her teeth please", True), ("make the sky more blue", True), ("close her eyes", True),
    ("swap my face with my brother's", True), ("generate a new picture of a cat", True),
    ("give the cat a halloween style", False), ("open her eyes", False), ("sketch it, keep the background", False),
])
def test_edits_of_parts_no_tool_touches(text, unsupported):
    from atelier.agent.planners import text as tx

    assert unsupported_edit(tx.normalise(text)) is unsupported


def test_several_shots_said_across_sentences_are_one_best_take():
    p = plan("two shots of the team, in each one someone closed their eyes. merge them into a good one", 2)
    assert p.tools == ["best_take"] and p.steps[0].inputs == {"image": "attachment:0", "frame_1": "attachment:1"}
    assert plan("make one photo where everyone's eyes are open", 1).tools == ["open_eyes"]
    assert plan("best take please", 1).ask  # one photo is not a burst
    assert plan("open the eyes in all three", 3).tools == ["open_eyes"] * 3


@pytest.mark.parametrize(("text", "tool", "args"), [
    ("a sketch, lines 70%, shading 30%", "sketchify", {"shading": 0.3}),
    ("restore the face, strength seventy percent", "restore_face", {"strength": 0.7}),
    ("cell size twelve, reconstruct the sprite", "reconstruct_sprite", {"cell_size": 12.0}),
    ("the sprite was quadrupled in size, recover the pixels", "reconstruct_sprite", {"cell_size": 4.0}),
    ("recover the sprite; offset 2,3 and cell 8", "reconstruct_sprite", {"offset_x": 2.0, "offset_y": 3.0}),
    ("the pixels are 6 wide and 4 tall, fix the sprite", "reconstruct_sprite",
     {"cell_size_x": 6.0, "cell_size_y": 4.0}),
    ("clean up this sprite using the pico-8 palette, with dithering", "reconstruct_sprite",
     {"palette": "pico-8", "dither": True}),
])
def test_numbers_in_users_units(text, tool, args):
    p = plan(text)
    assert p.tools == [tool] and args.items() <= p.steps[0].args.items()


def test_bindings_in_their_own_sentence():
    p = plan("the punk is the last one, the others are just screenshots of my wallet. what is it?", 3)
    assert p.tools == ["describe_punk"] and p.steps[0].inputs == {"image": "attachment:2"}
    p = plan("Second image = the vibe. First = my bedroom. Go.", 2)
    assert p.tools == ["stylize"] and p.steps[0].inputs == {"image": "attachment:0", "ref": "attachment:1"}


def test_a_fanout_style_is_looked_up_once():
    p = plan("make all of these watercolor", 3)
    assert p.tools == ["retrieve_style"] + ["stylize"] * 3
    assert {s.inputs["ref"] for s in p.steps[1:]} == {"$step1.image"}


def test_order_said_in_separate_sentences():
    p = plan("Last step: sketch. Before that: make it look like a stained glass window. And at the very start, "
             "restore the faces.")
    assert p.tools == ["restore_face", "retrieve_style", "stylize", "sketchify"]


def test_a_privacy_wish_beside_a_request_runs_the_request():
    p = plan("Sketch this, but please don't keep a copy of it afterwards.")
    assert p.tools == ["sketchify"] and any("nothing is uploaded" in n for n in p.notes)


def test_more_variations_in_a_thread():
    thread = ({"text": "open her eyes", "attachments": 1,
               "steps": [{"tool": "open_eyes", "args": {}, "inputs": {"image": "attachment:0"}}]},)
    p = plan("give me 3 more variations", 0, has_last_image=True, thread=thread)
    assert p.tools == ["open_eyes"] and p.steps[0].args["variations"] == 3


def test_attachments_introduced_by_name():
    p = plan("I'm attaching a painting and a photo; paint the photo like the painting", 2)
    assert p.tools == ["stylize"] and p.steps[0].inputs == {"image": "attachment:1", "ref": "attachment:0"}
    p = plan("First is the photo, second is a painting from my aunt. Could the photo borrow the painting's colours?", 2)
    assert p.tools == ["stylize"] and p.steps[0].inputs == {"image": "attachment:0", "ref": "attachment:1"}


def test_a_plea_reads_the_problem_said_before_it():
    assert plan("My daughter's school photo came out with her blinking, and the retake day is gone. Help!").tools == [
        "open_eyes"]
    assert plan("I don't need the eyes fixed or anything. Just a pencil drawing, very light shading.").tools == [
        "sketchify"]


def test_hybrid_leaves_fanouts_and_named_attachments_to_code():
    from atelier.agent.planners.hybrid import read_by_code

    assert read_by_code(PlanRequest("Do all of them as ink drawings.", 3))
    assert read_by_code(PlanRequest("Use pic 1 as the style reference for pic 2.", 2))
    assert not read_by_code(PlanRequest("make it look dreamy", 1))
