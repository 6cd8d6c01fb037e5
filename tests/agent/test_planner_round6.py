"""The planner's round-6 mechanisms, each with known plans in wording of its own: requests found in any clause of
a sentence, order read from clause structure (a bare gerund, a perfect participle, a state), a style's full name
over a choice word inside it, attachment roles from the words round a mention (its own sentence, a label, a
bracket, a thing the user likes), story sentences that only tell, and the attachment words kept in refs.py.
Real planner (MiniLM where the rules are unsure)."""

from __future__ import annotations

import pytest

from atelier.agent.plan import Plan, validate
from atelier.agent.planners import PlanRequest, steps
from atelier.agent.planners import refs as attach
from atelier.agent.planners import text as tx
from atelier.agent.planners.semantic import SemanticPlanner


def plan_of(text: str, n: int, thread: tuple = ()) -> Plan:
    return validate(SemanticPlanner().plan(PlanRequest(text, n, bool(thread), thread)), n, bool(thread))


def steps_of(plan: Plan) -> list[tuple[str, dict[str, str]]]:
    return [(s.tool, dict(s.inputs)) for s in plan.steps]


@pytest.mark.parametrize(("sentence", "asks"), [
    ("it's blown up 3x, so rebuild the pixel grid", True),  # the imperative opens the second clause
    ("If that's fine, go ahead and sketch it.", True),  # a condition, then the ask
    ("Please and thank you.", False),  # manners only
    ("We went to the lake last summer.", False),
])
def test_a_request_may_open_any_clause_of_a_sentence(sentence, asks):
    assert tx.is_request(sentence) is asks


def test_a_bare_gerund_anchors_a_step_said_elsewhere():
    assert steps.is_anchor("before describing it")
    plan = plan_of("describe this punk. it was enlarged, so fix the grid before describing it", 1)
    assert steps_of(plan) == [("reconstruct_sprite", {"image": "attachment:0"}),
                              ("describe_punk", {"image": "$step1.image"})]


@pytest.mark.parametrize(("text", "tools"), [
    ("make it a watercolor, having first opened her eyes", ["open_eyes", "retrieve_style", "stylize"]),
    ("having cleaned up his blurry face, sketch it", ["restore_face", "sketchify"]),
    ("pencil sketch it once her face is clean", ["restore_face", "sketchify"]),
])
def test_order_from_participles_and_states(text, tools):
    assert plan_of(text, 1).tools == tools


def test_a_styles_full_name_beats_a_choice_word_inside_it():
    washed = plan_of("do this one in ink wash", 1)
    assert washed.tools == ["retrieve_style", "stylize"] and washed.steps[0].args["query"] == "ink wash"
    drawn = plan_of("an ink drawing of this, please", 1)
    assert drawn.tools == ["sketchify"] and drawn.steps[0].args.get("medium") == "ink"


@pytest.mark.parametrize(("text", "n", "want"), [
    ("Best take of these four. Use the third shot as the base.", 4,  # a clause that only names the target
     [("best_take", {"image": "attachment:2", "frame_1": "attachment:0", "frame_2": "attachment:1",
                     "frame_3": "attachment:3"})]),
    ("Photo B has her eyes shut, photo A is her with her eyes open. Fix B.", 2,  # roles in their own sentence
     [("open_eyes", {"image": "attachment:1", "ref": "attachment:0"})]),
    ("Look: the painting I attached second. Target: my dog photo (first).", 2,  # labels
     [("stylize", {"image": "attachment:0", "ref": "attachment:1"})]),
    ("I love how this album cover looks (it's the second one). Can my photo get that look?", 2,  # liked: the look
     [("stylize", {"image": "attachment:0", "ref": "attachment:1"})]),
    ("clean up the face in the first one, then restyle it to match the second", 2,
     [("restore_face", {"image": "attachment:0"}), ("stylize", {"image": "$step1.image", "ref": "attachment:1"})]),
])
def test_roles_from_the_words_round_a_mention(text, n, want):
    assert steps_of(plan_of(text, n)) == want


def test_a_bracketed_noun_phrase_only_names_the_attachment():
    assert attach.attachment_refs("the one with the red car (3rd)", 3) == [2]
    plan = plan_of("the one with the red car (3rd) - make it pop art", 3)
    assert steps_of(plan) == [("retrieve_style", {}), ("stylize", {"image": "attachment:2", "ref": "$step1.image"})]


@pytest.mark.parametrize(("text", "n", "tools"), [
    ("It's all pixelated because I zoomed in. What does this punk wear?", 1, ["reconstruct_sprite", "describe_punk"]),
    ("My son loves cyberpunk and anime, but this time I just want a plain pencil sketch.", 1, ["sketchify"]),
    ("restore her face please, it's a still from a video", 1, ["restore_face"]),
    ("could it be turned into a watercolor?", 1, ["retrieve_style", "stylize"]),
    ("Our band needs the flyer to look synthwave for the gig. Here it is. Thanks so much.", 1,
     ["retrieve_style", "stylize"]),
    ("Does any of this go to a server? If not, go ahead and sketch it.", 1, ["sketchify"]),
    ("I only want the face restored, no drawing", 1, ["restore_face"]),
    ("sketch it but frist fix the face", 1, ["restore_face", "sketchify"]),  # order words in the typo fixer
])
def test_the_instruction_inside_the_words_round_it(text, n, tools):
    assert plan_of(text, n).tools == tools


@pytest.mark.parametrize("text", [
    "This is my grandmother's garden. She planted every rose herself. We visited it last spring.",
    "Could anyone else in my house see my past runs?",
])
def test_messages_that_ask_for_no_work_are_answered(text):
    plan = plan_of(text, 1)
    assert not plan.steps and plan.answer


def test_a_burst_tool_asked_of_one_photo_asks_for_the_others():
    plan = plan_of("can you do a best take on these?", 1)
    assert not plan.steps and "other shots" in plan.ask


def test_arguments_said_by_name_in_the_story_fill_the_step():
    plan = plan_of("Shot on a tripod, so no need to align them. Best take from these three please.", 3)
    assert plan.tools == ["best_take"] and plan.steps[0].args.get("align") is False


TURN = ({"text": "sketch the first photo", "attachments": 2,
         "steps": [{"tool": "sketchify", "args": {}, "inputs": {"image": "attachment:0"}}]},)


@pytest.mark.parametrize(("text", "image"), [("now the other photo", "attachment:1"),
                                             ("do picture b as well", "attachment:1")])
def test_the_other_attachment_of_a_thread_is_read_by_refs(text, image):
    plan = plan_of(text, 2, TURN)
    assert steps_of(plan) == [("sketchify", {"image": image})]


def test_ctrl_z_undoes_the_last_turn():
    assert plan_of("ctrl+z", 0, TURN).revert == "$last"


def test_the_attachment_words_live_in_refs():
    assert set(attach.COUNT_ORD.split("|")) <= set(attach.ORDINALS)
    assert all(word in attach.PHOTO for word in ("photo", "image", "picture", "pic", "shot"))
