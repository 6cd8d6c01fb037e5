"""The LLM planner: the shipped Gemma 3 270M with Atelier's own LoRA adapter, in llama.cpp, writing the compact
plan language (``compact.py``) under the JSON-schema grammar built from the tool specs — so its output always
parses, names only installed tools, their own image roles and argument names, and never carries prose.

The model is the GGUF in ``ATELIER_MODELS/llm/`` (assembled by ``atelier models setup``) with the adapter
shipped in ``agent/planners/weights/planner-lora.gguf`` (trained by ``atelier models train-planner``; its
card is beside it). A GGUF named by ``ATELIER_LLM`` is taken as a general instruction model: no adapter, and
the instructions of ``prompts/planner_llm.txt`` come before the compact prompt. Loaded once per path.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from atelier.agent.catalogue import catalogue, prompt_text
from atelier.agent.plan import Plan, plan_json_schema
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.compact import prompt, to_plan
from atelier.agent.planners.complete import complete_refs
from atelier.agent.planners.guard import screen
from atelier.core.config import load_settings
from atelier.core.models import find_model, missing_reason

ADAPTER = "planner-lora.gguf"


def llm_path() -> Path | None:
    """``ATELIER_LLM`` when set, else the first GGUF in ``ATELIER_MODELS/llm/``."""
    settings = load_settings()
    return settings.llm or find_model(settings, "llm")


def adapter_path() -> Path | None:
    path = Path(str(files("atelier.agent.planners") / "weights" / ADAPTER))
    return path if path.is_file() else None


@functools.cache
def _load(path: str, adapter: str | None, n_ctx: int):
    import atexit

    import llama_cpp.llama_cpp as native  # the module Llama() takes its default parameters from
    from llama_cpp import Llama

    # llama.cpp's repacked "extra" CPU buffers (AMX) crash in decode on CPUs whose AMX state the kernel does not
    # grant (seen on this VM); plain CPU buffers are as fast for a 270M model. Llama() exposes no switch for it.
    default = native.llama_model_default_params

    def plain_buffers():
        params = default()
        params.use_extra_bufts = False
        return params

    native.llama_model_default_params = plain_buffers
    try:
        llm = Llama(model_path=path, lora_path=adapter, n_ctx=n_ctx, n_threads=min(4, os.cpu_count() or 2),
                    n_batch=512, verbose=False, seed=0)
    finally:
        native.llama_model_default_params = default
    atexit.register(llm.close)  # free it while llama_cpp is still importable, not during interpreter teardown
    return llm


@functools.cache
def _grammar(tools: tuple[str, ...]):
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(json.dumps(plan_json_schema(list(tools))), verbose=False)


def instructions() -> str:
    """What a general (not fine-tuned) model is told about the compact plan language; tools from the specs."""
    tools = "\n".join(f"- {t.name}: {t.description} Images: {', '.join(r.name for r in t.images) or 'none'}."
                      for t in catalogue().values())
    rules = "\n".join(f"- A style named in words for {s.name}: first {s.hints.ref_from} with args.query (the style), "
                      f"then {s.name} with inputs.ref \"$stepK.image\" of that step." for s in catalogue().values()
                      if s.hints.ref_from)
    return prompt_text("planner_llm.txt").format(tools=tools, rules=rules)


class LLMPlanner:
    name = "llm"

    def __init__(self, model_path: Path, adapter: Path | None = None, n_ctx: int = 1024, max_tokens: int = 200,
                 general: bool = False):
        if not model_path.is_file():
            raise FileNotFoundError(f"no GGUF at {model_path}")
        self.model_path = model_path
        self.adapter = adapter
        self.n_ctx = n_ctx
        self.max_tokens = max_tokens
        self.general = general  # a general instruction model: instructions go first

    @classmethod
    def from_settings(cls) -> LLMPlanner:
        settings = load_settings()
        path = llm_path()
        if path is None:
            raise FileNotFoundError(missing_reason(settings, "llm") + " (or run `atelier models setup`)")
        if settings.llm is not None:
            return cls(path, None, n_ctx=4096, general=True)
        return cls(path, adapter_path())

    @property
    def user_supplied(self) -> bool:
        return self.general

    def prompt(self, request: PlanRequest) -> str:
        compact = prompt(request)
        return f"{instructions()}\n\n{compact}" if self.general or self.adapter is None else compact

    def raw(self, request: PlanRequest) -> str:
        llm = _load(str(self.model_path), str(self.adapter) if self.adapter else None, self.n_ctx)
        out = llm.create_completion(self.prompt(request), grammar=_grammar(tuple(catalogue())),
                                    max_tokens=self.max_tokens, temperature=0.0)
        return out["choices"][0]["text"]

    def plan(self, request: PlanRequest) -> Plan:
        cleaned, asked = screen(request.text, self.name)
        if asked is not None:
            return asked
        request = replace(request, text=cleaned)
        try:
            text = self.raw(request)
        except ValueError as exc:  # e.g. a request longer than the model's context
            return Plan(planner=self.name, ask=f"I could not plan that ({exc}); please shorten the request.")
        return complete_refs(to_plan(text, self.name), request)
