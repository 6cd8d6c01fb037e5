"""The LLM planner: llama.cpp with the plan's JSON schema as a grammar, so the output always parses.

The model is the GGUF in ``ATELIER_MODELS/llm/`` (the shipped Gemma 3 270M, assembled by
``atelier models setup``) or any GGUF named by ``ATELIER_LLM``. Prompt and few-shot examples are in
``prompts/planner_llm.txt``. Loaded once per path.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from atelier.agent.catalogue import catalogue, prompt_text
from atelier.agent.plan import Plan, Step, plan_json_schema
from atelier.agent.planners import PlanRequest
from atelier.core.config import load_settings
from atelier.core.models import find_model, missing_reason


def llm_path() -> Path | None:
    """``ATELIER_LLM`` when set, else the first GGUF in ``ATELIER_MODELS/llm/``."""
    settings = load_settings()
    return settings.llm or find_model(settings, "llm")


@functools.cache
def _load(path: str, n_ctx: int):
    import atexit

    from llama_cpp import Llama

    llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=os.cpu_count() or 2, verbose=False, seed=0)
    atexit.register(llm.close)  # free it while llama_cpp is still importable, not during interpreter teardown
    return llm


@functools.cache
def _grammar():
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(json.dumps(plan_json_schema()), verbose=False)


def _rules() -> str:
    """Plan conventions that come from the specs: a role filled by another tool's output."""
    lines = []
    for spec in catalogue().values():
        if spec.hints.ref_from:
            lines.append(f'A style named in words for {spec.name} is {spec.hints.ref_from} with args.query, then '
                         f'{spec.name} with inputs.ref "$stepK.image" of that {spec.hints.ref_from} step.')
    return "\n".join(lines)


def _examples() -> str:
    """One few-shot example per image tool, from its first example phrasing, as a one-step plan."""
    out = []
    for spec in catalogue().values():
        if spec.needs_image and spec.examples and not spec.hints.ref_from:
            plan = {"steps": [{"tool": spec.name, "inputs": {"image": "attachment:0"}, "args": {}}]}
            out.append(f"Example. Request (1 attachment): {spec.examples[0]}\n"
                       + json.dumps(plan))
    return "\n\n".join(out[:3]) + "\n"


class LLMPlanner:
    name = "llm"

    def __init__(self, model_path: Path, n_ctx: int = 1024, max_tokens: int = 160):
        if not model_path.is_file():
            raise FileNotFoundError(f"no GGUF at {model_path}")
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.max_tokens = max_tokens

    @classmethod
    def from_settings(cls) -> LLMPlanner:
        path = llm_path()
        if path is None:
            raise FileNotFoundError(missing_reason(load_settings(), "llm") + " (or run `atelier models setup`)")
        return cls(path)

    @property
    def user_supplied(self) -> bool:
        return load_settings().llm is not None

    def prompt(self, request: PlanRequest) -> str:
        tools = "\n".join(f"- {t.name}: {t.description}" for t in catalogue().values())
        return prompt_text("planner_llm.txt").format(tools=tools, rules=_rules(), examples=_examples(),
                                                     attachments=request.n_attachments, request=request.text.strip())

    def raw(self, request: PlanRequest) -> str:
        llm = _load(str(self.model_path), self.n_ctx)
        out = llm.create_completion(self.prompt(request), grammar=_grammar(), max_tokens=self.max_tokens,
                                    temperature=0.0)
        return out["choices"][0]["text"]

    def plan(self, request: PlanRequest) -> Plan:
        try:
            text = self.raw(request)
        except ValueError as exc:  # e.g. a request longer than the model's context
            return Plan(planner=self.name, ask=f"I could not plan that: {exc}. Please shorten the request.")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return Plan(planner=self.name, ask="I could not plan that (the language model's answer was cut off); "
                        "please rephrase.", notes=[f"unparsable LLM output: {text[:200]!r}"])
        steps = [Step(id=f"step{i}", tool=s["tool"], args=s.get("args", {}), inputs=s.get("inputs", {}))
                 for i, s in enumerate(data.get("steps", []), start=1)]
        return Plan(planner=self.name, steps=steps, answer=None if steps else data.get("answer") or "")
