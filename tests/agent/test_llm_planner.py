"""The real llama.cpp planner path, on a tiny random-weight GGUF built here: grammar-constrained output
always parses into a Plan made only of contract tools."""

from __future__ import annotations

import json

import pytest
from tiny_gguf import write_tiny_llama

from atelier.agent.catalogue import catalogue
from atelier.agent.plan import Plan, validate
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.llm import LLMPlanner


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.mark.parametrize("seed_text", ["open her eyes, then make it a pencil sketch", "make it cyberpunk",
                                       "what can you do?"])
def test_grammar_constrained_output_parses_into_a_plan(tiny_model, seed_text):
    planner = LLMPlanner(tiny_model, n_ctx=2048, max_tokens=96)
    raw = planner.raw(PlanRequest(seed_text, 1))
    plan = planner.plan(PlanRequest(seed_text, 1))
    assert isinstance(plan, Plan) and plan.planner == "llm"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:  # only a max_tokens cut can break the JSON, and then we ask back
        assert plan.ask and not plan.steps
        return
    assert set(data) <= {"steps", "answer"}
    assert all(step.tool in catalogue() for step in plan.steps)
    checked = validate(plan, 1)
    assert checked.steps or checked.ask or checked.answer is not None


def test_prompt_names_every_tool_and_the_request(tiny_model):
    prompt = LLMPlanner(tiny_model).prompt(PlanRequest("fix the pixels", 2))
    assert all(name in prompt for name in catalogue())
    assert "Request (2 attachments): fix the pixels" in prompt


def test_missing_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ATELIER_LLM", raising=False)
    with pytest.raises(FileNotFoundError, match="atelier models"):
        LLMPlanner.from_settings()
    monkeypatch.setenv("ATELIER_LLM", str(tmp_path / "nope.gguf"))
    with pytest.raises(FileNotFoundError):
        LLMPlanner.from_settings()
