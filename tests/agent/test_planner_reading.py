"""How the planner reads people: other languages' tool words, numbers in words and users' units, the instruction
inside a story, order words, which attachment is the reference, best_take's frames, and what code completes in a
model's plan. Known answers, real planner (MiniLM where the rules are unsure)."""

from __future__ import annotations

import pytest

from atelier.agent.plan import Plan, Step, plan_json_schema, validate
from atelier.agent.planners import PlanRequest, words
from atelier.agent.planners import text as tx
from atelier.agent.planners.complete import complete_refs
from atelier.agent.planners.semantic import SemanticPlanner


def plan_of(text: str, n: int) -> Plan:
    return validate(SemanticPlanner().plan(PlanRequest(text, n)), n)


@pytest.mark.parametrize(("said", "read"), [
    ("haz un boceto de esta foto por favor", "make un sketch de this photo please"),
    ("öffne die Augen bitte", "open die eyes please"),
    ("ouvre ses yeux s'il te plaît", "open ses eyes please"),
    ("un dessin au crayon avec des ombres", "un drawing in pencil with des shading"),
])
def test_other_languages_words_for_tool_words_become_english(said, read):
    assert tx.normalise(said) == read


@pytest.mark.parametrize(("said", "read"), [
    ("this sprite had a 400 % upscale", "this sprite had a 4x upscale"),
    ("upscaled by 300% last year", "upscaled by 3x last year"),
    ("pencil sketch, seed number seven", "pencil sketch, seed 7"),
    ("two-thirds shading", "0.67 shading"),
    ("shading at a quarter", "shading at 0.25"),
    ("scaled up eight times", "scaled up 8 times"),
    ("forty five percent strength", "45% strength"),
    ("the middle one, in one go", "the middle one, in one go"),  # "one" that is no number stays
])
def test_numbers_in_words_and_units_become_digits(said, read):
    assert words.numbers(said) == read


@pytest.mark.parametrize(("text", "n", "want"), [
    ("this sprite had a 400 % upscale, fix it", 1, {"cell_size": 4}),
    ("recover the grid, it was scaled up eight times", 1, {"cell_size": 8}),
    ("sketch it with two-thirds shading", 1, {"shading": 0.67}),
    ("restore the face with CodeFormer weight 0.7", 1, {"backend": "codeformer", "fidelity": 0.7}),
    ("open her eyes, three versions, seed 9", 1, {"variations": 3, "seed": 9}),
])
def test_arguments_said_in_users_units(text, n, want):
    p = plan_of(text, n)
    assert len(p.steps) == 1 and p.steps[0].args == want


def test_a_story_round_one_instruction_plans_only_the_instruction():
    story = ("I teach an art class and we were talking about restoration, filters and sketching. One student "
             "brought this old portrait. Open the eyes of the man on the left, please.")
    assert plan_of(story, 1).tools == ["open_eyes"]
    story = ("My son draws pixel art all day and wants to be a game designer. He also loves anime and steampunk "
             "movies. Today he asked me to get this photo of our dog styled like a comic book.")
    p = plan_of(story, 1)
    assert p.tools == ["retrieve_style", "stylize"] and p.steps[0].args == {"query": "comic book"}
    assert tx.instruction_part("Sketch it. 40% shading.") == "Sketch it. 40% shading."


@pytest.mark.parametrize(("text", "tools"), [
    ("make it anime after you open her eyes", ["open_eyes", "retrieve_style", "stylize"]),
    ("the last step should be a steampunk restyle; before it open the eyes", ["open_eyes", "retrieve_style",
                                                                              "stylize"]),
    ("I want a sketch in the end, but restore the face and open the eyes prior to that",
     ["restore_face", "open_eyes", "sketchify"]),
    ("no, please don't open the eyes", []),
])
def test_order_words_and_polite_negatives(text, tools):
    assert plan_of(text, 1).tools == tools


@pytest.mark.parametrize(("text", "n", "inputs"), [
    ("take the eyes from picture A for picture B", 2, {"image": "attachment:1", "ref": "attachment:0"}),
    ("use photo 2's eyes on photo 1", 2, {"image": "attachment:0", "ref": "attachment:1"}),
    ("open the eyes in the second photo using the first as reference", 2,
     {"image": "attachment:1", "ref": "attachment:0"}),
    ("restyle picture B with the colours of picture A", 2, {"image": "attachment:1", "ref": "attachment:0"}),
    ("open his eyes with my other shot", 2, {"image": "attachment:0", "ref": "attachment:1"}),
])
def test_which_attachment_is_the_reference(text, n, inputs):
    p = plan_of(text, n)
    assert len(p.steps) == 1 and p.steps[0].inputs == inputs


@pytest.mark.parametrize("n", [2, 3, 10])
def test_best_take_gets_every_other_attachment_as_a_frame(n):
    p = plan_of("make one photo where everyone's eyes are open", n)
    assert p.tools == ["best_take"]
    assert p.steps[0].inputs == {"image": "attachment:0", **{f"frame_{k}": f"attachment:{k}" for k in range(1, n)}}


def test_the_grammar_allows_ten_attachments():
    enum = plan_json_schema()["properties"]["steps"]["items"]["anyOf"][0]["properties"]["inputs"]["properties"]
    refs = next(iter(enum.values()))["enum"]
    assert "attachment:9" in refs and "attachment:10" not in refs


def test_code_completes_a_reference_the_words_name_and_says_so():
    model = Plan(planner="llm", steps=[Step(id="step1", tool="open_eyes", inputs={"image": "attachment:0"}),
                                       Step(id="step2", tool="sketchify", inputs={"image": "$step1.image"})])
    request = PlanRequest("turn this into a pencil drawing; before that, open his eyes with my other shot", 2)
    done = complete_refs(model, request)
    assert done.steps[0].inputs == {"image": "attachment:0", "ref": "attachment:1"}
    assert done.steps[1].inputs == {"image": "$step1.image"}
    assert done.planner == "llm" and any(n.startswith("completed by code") for n in done.notes)
    plain = PlanRequest("turn this into a pencil drawing; before that, open his eyes", 2)
    assert complete_refs(model, plain) == model  # no reference in the words: nothing is guessed


class _Unused:
    name = "llm"

    def plan(self, request):
        raise AssertionError(f"the LLM was consulted for {request.text!r}")


def test_hybrid_keeps_answers_from_code_and_asks_the_llm_only_for_unsure_tool_plans():
    from atelier.agent.planners.hybrid import HybridPlanner

    hybrid = HybridPlanner()
    hybrid._llm = _Unused()  # a planner that fails if called: these must be answered without it
    for text, n in (("cool, thank you!", 0), ("no, please don't open the eyes", 1), ("make it a pencil sketch", 1)):
        assert hybrid.plan(PlanRequest(text, n)).planner == "hybrid:semantic", text


@pytest.mark.parametrize(("text", "n", "tools", "args"), [
    ("This is a screenshot from an old game, I think it was scaled up three times by the emulator. I'd like the "
     "original sprite back.", 1, ["reconstruct_sprite"], {"cell_size": 3}),  # a measured value in the story
    ("ok so here's the thing. my mum's 60th is next week and we want a framed drawing of her. can you fix her eyes "
     "and then do a pencil drawing?", 1, ["open_eyes", "sketchify"], {}),  # the direct ask wins over a wish
    ("My kid's school is on the Renaissance now. He wants his portrait to look like a Renaissance painting. Can "
     "we do that?", 1, ["retrieve_style", "stylize"], {"query": "renaissance"}),  # "do that" takes what came before
    ("as a final touch make it sepia, but the main thing is to open his eyes", 1,
     ["open_eyes", "retrieve_style", "stylize"], {}),
    ("sketch number three", 3, ["sketchify"], {}),
])
def test_more_ways_people_say_it(text, n, tools, args):
    p = plan_of(text, n)
    assert p.tools == tools
    assert args.items() <= p.steps[0].args.items()
    if text == "sketch number three":
        assert p.steps[0].inputs == {"image": "attachment:2"}
