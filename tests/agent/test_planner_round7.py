"""The planner's round-7 mechanisms, each with known plans in wording of its own (written for these tests, not
taken from any eval list): clause structure (chevrons, numbered lists in any order, "… before you X it", a kept
sentence that says "before that", "the first thing is …"), gerunds read as verbs, a second tool keeping its own
reference, questions that are requests, whose photo it is, reverts said anywhere, hand-overs after an ask, the
language-gated word lists, numbers in users' units, fan-out by "in which", the user's own later actions, styles
said by name beside describing words, and the attachment words kept in refs.py. Real planner (MiniLM where the
rules are unsure)."""

from __future__ import annotations

import pytest

from atelier.agent.plan import Plan, validate
from atelier.agent.planners import PlanRequest, words
from atelier.agent.planners import refs as attach
from atelier.agent.planners import text as tx
from atelier.agent.planners.semantic import SemanticPlanner


def plan_of(text: str, n: int, thread: tuple = ()) -> Plan:
    return validate(SemanticPlanner().plan(PlanRequest(text, n, bool(thread), thread)), n, bool(thread))


def steps_of(plan: Plan) -> list[tuple[str, dict[str, str]]]:
    return [(s.tool, dict(s.inputs)) for s in plan.steps]


STYLED = ["retrieve_style", "stylize"]


@pytest.mark.parametrize(("text", "tools"), [
    ("clean up the face > pencil sketch > watercolor", ["restore_face", "sketchify", *STYLED]),
    ("2) watercolor 1) open her eyes", ["open_eyes", *STYLED]),
    ("3. anime  1. restore the face  2. sketch it", ["restore_face", "sketchify", *STYLED]),
    ("Watercolour please - oh and fix his face before you paint it", ["restore_face", *STYLED]),
    ("I'd love a watercolor. Hmm, open his eyes before that, he blinked.", ["open_eyes", *STYLED]),
    ("Afterwards make it anime. But the first thing is to open the eyes.", ["open_eyes", *STYLED]),
])
def test_order_from_clause_structure(text, tools):
    assert plan_of(text, 1).tools == tools


def test_numbered_items_come_in_number_order():
    assert tx.numbered_items("2. sketch it 1. fix the face") == ["fix the face", "sketch it"]
    assert tx.numbered_items("sketch it at 0.5 shading") == []  # no list
    assert tx.numbered_items("1. sketch 3. anime") == []  # a number missing: not a list


def test_a_second_tool_keeps_its_own_reference():
    plan = plan_of("Restore the face in image 1 and then fix her eyes with image 2 as the donor", 2)
    assert steps_of(plan) == [("restore_face", {"image": "attachment:0"}),
                              ("open_eyes", {"image": "$step1.image", "ref": "attachment:1"})]


def test_a_gerund_is_read_as_its_verb():
    plan = plan_of("before stylising it like photo 2, open the eyes in photo 1", 2)
    assert steps_of(plan) == [("open_eyes", {"image": "attachment:0"}),
                              ("stylize", {"image": "$step1.image", "ref": "attachment:1"})]


def test_a_question_with_its_order_is_a_request():
    plan = plan_of("Tell me who has closed eyes, after you've cleaned up the faces.", 1)
    assert plan.tools == ["restore_face", "detect_closed_eyes"]


def test_whose_photo_it_is_names_no_part_to_edit():
    assert plan_of("could you make my dog's picture into a pencil drawing?", 1).tools == ["sketchify"]
    assert plan_of("whiten the teeth in my dog's picture", 1).tools == []  # teeth are still no tool's


THREE_TURNS = ({"text": "sketch it", "attachments": 1,
                "steps": [{"tool": "sketchify", "args": {}, "inputs": {"image": "attachment:0"}}]},
               {"text": "anime please", "attachments": 0,
                "steps": [{"tool": "retrieve_style", "args": {"query": "anime"}, "inputs": {}},
                          {"tool": "stylize", "args": {}, "inputs": {"image": "$last.image", "ref": "$step1.image"}}]},
               {"text": "now watercolor", "attachments": 0,
                "steps": [{"tool": "retrieve_style", "args": {"query": "watercolor"}, "inputs": {}},
                          {"tool": "stylize", "args": {}, "inputs": {"image": "$last.image", "ref": "$step1.image"}}]})


@pytest.mark.parametrize(("text", "revert"), [
    ("ugh, undo that, wrong style", "$last"),
    ("meh I hate it, take it back", "$last"),
    ("roll back the last two", "turn:1"),
    ("the second turn's result was nicer, return to that one", "turn:2"),
])
def test_a_revert_said_anywhere_in_a_short_message(text, revert):
    assert SemanticPlanner().plan(PlanRequest(text, 0, True, THREE_TURNS)).revert == revert


def test_the_picture_just_sent_is_the_reference_in_a_thread():
    plan = plan_of("restyle it like the picture I just sent", 1, THREE_TURNS)
    assert steps_of(plan) == [("stylize", {"image": "$last.image", "ref": "attachment:0"})]


def test_a_hand_over_after_an_ask_plans_the_request_asked_before():
    asked = ({"text": "could you open my sister's eyes?", "attachments": 0, "steps": []},)
    assert steps_of(plan_of("there you go", 1, asked)) == [("open_eyes", {"image": "attachment:0"})]


@pytest.mark.parametrize(("text", "n", "tools"), [
    ("abre os olhos dela, por favor", 1, ["open_eyes"]),  # Portuguese
    ("maak een schets van deze foto", 1, ["sketchify"]),  # Dutch
    ("otwórz oczy, proszę", 1, ["open_eyes"]),  # Polish
    ("gözlerini aç lütfen", 1, ["open_eyes"]),  # Turkish
    ("gör en skiss av bilden, tack", 1, ["sketchify"]),  # Swedish
    ("todas as fotos em aquarela", 2, [*STYLED, "stylize"]),  # "as" is Portuguese here
])
def test_other_languages_words(text, n, tools):
    assert plan_of(text, n).tools == tools


def test_a_word_that_is_also_english_is_translated_only_beside_its_language():
    assert tx.normalise("sketch it as a gift") == "sketch it as a gift"
    assert words.translate("todas as fotos", {}) == "todas the fotos"
    assert tx.normalise("zet 'm in aquarel met 8 kleuren").startswith("make it into")


def test_numbers_in_users_units():
    scaled = plan_of("I scaled it to 300 % for the forum, get the real pixels back", 1)
    assert scaled.tools == ["reconstruct_sprite"] and scaled.steps[0].args["cell_size"] == 3
    takes = plan_of("four takes of the anime look", 1)
    assert takes.tools == STYLED and takes.steps[1].args["variations"] == 4


def test_fan_out_by_which_and_the_users_own_later_action():
    assert plan_of("say who blinked in which photo", 3).tools == ["detect_closed_eyes"] * 3
    assert plan_of("restore each of these faces before I post them", 2).tools == ["restore_face"] * 2


def test_a_style_said_by_name_beside_words_that_describe_a_style():
    plan = plan_of("Cyberpunk. Neon. Rainy. Do it.", 1)
    assert plan.tools == STYLED and plan.steps[0].args["query"] == "cyberpunk"


def test_past_work_said_with_a_style_is_a_search():
    plan = plan_of("find my old watercolor portrait runs", 0)
    assert plan.tools == ["search_runs"] and "watercolor" in plan.steps[0].args["query"]


def test_the_machine_is_not_the_image():
    plan = plan_of("does this computer have the SDXL weights?", 1)
    assert plan.steps == [] and plan.ask is None and plan.answer


def test_leaving_a_part_as_it_is_asks_no_step():
    assert plan_of("give the photo a ukiyo-e look, and please leave her eyes as they are", 1).tools == STYLED


def test_attachment_words_live_in_refs():
    assert steps_of(plan_of("img 2 → sketch", 2)) == [("sketchify", {"image": "attachment:1"})]
    assert "img" in attach.PHOTO and attach.COUNT_ORD.startswith(attach.RANK)


@pytest.mark.parametrize(("text", "n", "want"), [
    ("Give it the feel of the painting. Painting first, my photo second.", 2,  # a binding said after the noun
     [("stylize", {"image": "attachment:1", "ref": "attachment:0"})]),
    ("put the palette of image 2 onto image 1", 2,  # "the palette of" governs a reference
     [("stylize", {"image": "attachment:0", "ref": "attachment:1"})]),
    ("sketch the 2nd, 3rd and 4th", 4,  # a list of ordinals goes on after the first
     [("sketchify", {"image": "attachment:1"}), ("sketchify", {"image": "attachment:2"}),
      ("sketchify", {"image": "attachment:3"})]),
    ("the first two → ukiyo-e", 3,  # a named style for each named attachment, one lookup
     [("retrieve_style", {}), ("stylize", {"image": "attachment:0", "ref": "$step1.image"}),
      ("stylize", {"image": "attachment:1", "ref": "$step1.image"})]),
])
def test_attachment_roles_and_lists(text, n, want):
    assert steps_of(plan_of(text, n)) == want


@pytest.mark.parametrize(("text", "tools"), [
    ("I want a pencil sketch with his face restored beforehand", ["restore_face", "sketchify"]),
    ("A watercolor would be lovely. Restore the faces beforehand.", ["restore_face", *STYLED]),
])
def test_order_across_sentences(text, tools):
    assert plan_of(text, 1).tools == tools


def test_a_description_before_a_short_ask_gives_its_values():
    plan = plan_of("It's a 24x24 sprite blown up to 240x240. Recover the original grid.", 1)
    assert plan.tools == ["reconstruct_sprite"] and plan.steps[0].args["cell_size"] == 10


def test_a_vague_edit_without_an_image_asks_for_it():
    plan = SemanticPlanner().plan(PlanRequest("could you edit the picture?", 0))  # no tool named: still an ask
    assert plan.steps == [] and plan.ask and "attach" in plan.ask


@pytest.mark.parametrize(("said", "name"), [
    ("sketch it, then stained glas", "stained glass"),  # a two-word name, one word misspelt
    ("a grafitti look please", "graffiti"),  # one word of six letters or more
    ("pixle art of my hamster", "pixel art"),
])
def test_a_misspelt_style_name_is_read_as_the_name(said, name):
    assert name in tx.normalise(said)
    assert tx.normalise("make it past midnight") == "make it past midnight"  # short words are no style's
