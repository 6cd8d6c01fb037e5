"""The planner's round-8 mechanisms, each with known plans in wording of its own (written for these tests, not
taken from any eval list): an order said apart from the steps ("in reverse order", "in the order 3, 1, 2"), "before
all that" as an anaphor of everything said before it, and "X before that, then Y" (the order word belongs to the
clause it follows), and fractions and multipliers in words ("two fifths", "double strength") as the amount they
set. Real planner (MiniLM where the rules are unsure)."""

from __future__ import annotations

import pytest

from atelier.agent.plan import Plan, validate
from atelier.agent.planners import PlanRequest, words
from atelier.agent.planners import text as tx
from atelier.agent.planners.semantic import SemanticPlanner


def plan_of(text: str, n: int) -> Plan:
    return validate(SemanticPlanner().plan(PlanRequest(text, n, False, ())), n, False)


STYLED = ["retrieve_style", "stylize"]


@pytest.mark.parametrize(("text", "tools"), [
    ("in reverse order: make it anime, open her eyes, restore the face", ["restore_face", "open_eyes", *STYLED]),
    ("restore the face and then sketch it, but do them in reverse order", ["sketchify", "restore_face"]),
    ("please do both backwards: open his eyes, then a charcoal drawing", ["sketchify", "open_eyes"]),
    ("run these in the order 3, 1, 2: (1) open the eyes (2) sketch it (3) restore the face",
     ["restore_face", "open_eyes", "sketchify"]),
    ("in the order 2 then 1: 1) watercolor 2) fix the blurry face", ["restore_face", *STYLED]),
])
def test_an_order_said_apart_from_the_steps(text, tools):
    assert plan_of(text, 1).tools == tools


def test_said_sequence_reads_reversal_and_numbers():
    assert tx.said_sequence("in reverse order: a, b") == ("a, b", "reverse")
    assert tx.said_sequence("in the order 2, 1: (1) a (2) b") == ("(1) a (2) b", [2, 1])
    assert tx.said_sequence("sketch it in order") == ("", [])


@pytest.mark.parametrize(("text", "n", "tools"), [
    ("sketch the first picture, and before all of that open the eyes in it", 1, ["open_eyes", "sketchify"]),
    ("make it pop art; prior to all that, restore the face", 1, ["restore_face", *STYLED]),
    ("Give photo 1 the look of photo 2, and before any of this fix the face in photo 1", 2,
     ["restore_face", "stylize"]),
])
def test_before_all_that_points_back_at_everything_said(text, n, tools):
    assert plan_of(text, n).tools == tools


@pytest.mark.parametrize(("text", "tools"), [
    ("Sketch it. No wait, open her eyes before that, then sketch it.", ["open_eyes", "sketchify"]),
    ("restore the face before that, then make it watercolor", ["restore_face", *STYLED]),
    ("open the eyes, and before that, then restore the face", ["open_eyes", "restore_face"]),
])
def test_before_that_then_keeps_the_said_order(text, tools):
    assert plan_of(text, 1).tools == tools


@pytest.mark.parametrize(("said", "value"), [
    ("two fifths", 0.4), ("a tenth", 0.1), ("three-quarters", 0.75), ("one sixth", 0.17), ("seven eighths", 0.88),
])
def test_every_fraction_in_words_is_one_table(said, value):
    assert words.FRACTIONS[said] == value


@pytest.mark.parametrize(("text", "args"), [
    ("sketch it with two fifths shading", {"shading": 0.4}),
    ("pencil sketch, three tenths shading", {"shading": 0.3}),
    ("restore the face at double strength", {"strength": 2.0}),
    ("restore her face, half the strength please", {"strength": 0.5}),
])
def test_fractions_and_multipliers_set_the_amount(text, args):
    plan = plan_of(text, 1)
    assert len(plan.steps) == 1 and {k: plan.steps[0].args.get(k) for k in args} == args
