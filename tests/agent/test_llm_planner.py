"""The real llama.cpp planner path, on a tiny random-weight GGUF built here: grammar-constrained output
always parses into a Plan made only of contract tools, and always validates (a plan, a question, an answer
whose words come from code, or a revert)."""

from __future__ import annotations

import json

import pytest
from tiny_gguf import write_tiny_llama

from atelier.agent.catalogue import catalogue
from atelier.agent.plan import Plan, validate
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.compact import replies
from atelier.agent.planners.llm import LLMPlanner


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.mark.parametrize("seed_text", ["open her eyes, then make it a pencil sketch", "make it cyberpunk",
                                       "what can you do?", "undo that", "sketch all three"])
def test_grammar_constrained_output_parses_into_a_plan(tiny_model, seed_text):
    planner = LLMPlanner(tiny_model, n_ctx=4096, max_tokens=96)
    raw = planner.raw(PlanRequest(seed_text, 1))
    plan = planner.plan(PlanRequest(seed_text, 1))
    assert isinstance(plan, Plan) and plan.planner == "llm"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:  # only a max_tokens cut can break the JSON, and then we ask back
        assert plan.ask and not plan.steps
        return
    assert set(data) <= {"steps", "reply", "revert"}
    assert all(step.tool in catalogue() for step in plan.steps)
    assert plan.answer is None or plan.answer in {words for _, words in replies().values()}  # no model prose
    checked = validate(plan, 1)
    assert checked.steps or checked.ask or checked.answer or checked.revert


def test_every_grammar_sample_validates(tiny_model):
    """Sampled (not greedy) outputs of a random model under the grammar: each one parses and validates into
    something the graph can act on; tools and input roles are always the specs' own."""
    from llama_cpp import LlamaGrammar

    from atelier.agent.plan import plan_json_schema
    from atelier.agent.planners.compact import to_plan
    from atelier.agent.planners.llm import _load

    llm = _load(str(tiny_model), None, 2048)
    grammar = LlamaGrammar.from_json_schema(json.dumps(plan_json_schema()), verbose=False)
    for seed in range(6):
        out = llm.create_completion("Plan:\n", grammar=grammar, max_tokens=160, temperature=1.0, seed=seed)
        text = out["choices"][0]["text"]
        plan = to_plan(text, "llm")
        for step in plan.steps:
            assert step.tool in catalogue() and set(step.inputs) <= {r.name for r in catalogue()[step.tool].images}
        checked = validate(plan, 2, has_last_image=True)
        assert checked.steps or checked.ask or checked.answer or checked.revert


def test_prompt_is_compact_and_names_the_request_and_thread(tiny_model):
    thread = ({"steps": [{"tool": "sketchify", "args": {"shading": 0.3}, "inputs": {"image": "attachment:0"}}],
               "attachments": 1},)
    prompt = LLMPlanner(tiny_model, adapter=tiny_model).prompt(PlanRequest("undo that", 2, True, thread))
    assert prompt.endswith("Plan:\n") and "Images: 2" in prompt and "Request: undo that" in prompt
    assert "1) sketchify shading=0.3 <attachment:0" in prompt and len(prompt) < 200
    general = LLMPlanner(tiny_model).prompt(PlanRequest("fix the pixels", 2))  # no adapter: instructions first
    assert all(name in general for name in catalogue()) and general.endswith("Request: fix the pixels\nPlan:\n")


def test_missing_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ATELIER_LLM", raising=False)
    with pytest.raises(FileNotFoundError, match="atelier models"):
        LLMPlanner.from_settings()
    monkeypatch.setenv("ATELIER_LLM", str(tmp_path / "nope.gguf"))
    with pytest.raises(FileNotFoundError):
        LLMPlanner.from_settings()
