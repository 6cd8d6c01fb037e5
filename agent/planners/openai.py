"""The openai planner: any OpenAI-compatible chat server (llama.cpp's ``llama_cpp.server``, Ollama, LM Studio,
vLLM) writes the compact plan language under the same JSON schema as the local LLM planner.

Settings (``atelier.core.config``): ``llm_url`` (``ATELIER_LLM_URL``, e.g. ``http://127.0.0.1:8080/v1``),
``llm_model`` (``ATELIER_LLM_MODEL``) and an optional ``llm_key`` (``ATELIER_LLM_KEY``, sent as a Bearer
token). The schema goes as ``response_format`` ``json_schema`` (OpenAI, vLLM, Ollama, LM Studio); a server that
only knows ``json_object`` with a ``schema`` (llama.cpp's) gets that instead. Standard library HTTP only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import replace
from typing import Any

from atelier.agent.catalogue import catalogue
from atelier.agent.plan import Plan, plan_json_schema
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.compact import prompt, to_plan
from atelier.agent.planners.complete import complete_refs
from atelier.agent.planners.guard import screen
from atelier.agent.planners.llm import instructions
from atelier.core.config import load_settings


class OpenAIPlanner:
    name = "openai"
    user_supplied = True

    def __init__(self, url: str, model: str | None = None, key: str | None = None, timeout_s: float = 60.0,
                 max_tokens: int = 300):
        self.url = url.rstrip("/")
        if not self.url.endswith("/v1"):
            self.url += "/v1"
        self.model = model or "atelier-planner"
        self.key = key
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self._format = "json_schema"  # becomes "json_object" for servers that only know that

    @classmethod
    def from_settings(cls) -> OpenAIPlanner:
        settings = load_settings()
        if not settings.llm_url:
            raise FileNotFoundError("the openai planner needs a server: set ATELIER_LLM_URL (e.g. "
                                    "http://127.0.0.1:8080/v1) or [llm] url in the config")
        return cls(settings.llm_url, settings.llm_model, settings.llm_key)

    def _response_format(self) -> dict[str, Any]:
        schema = plan_json_schema(list(catalogue()))
        if self._format == "json_object":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema", "json_schema": {"name": "atelier_plan", "schema": schema, "strict": True}}

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        req = urllib.request.Request(f"{self.url}/chat/completions", data=json.dumps(body).encode(), headers=headers,
                                     method="POST")
        with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 (a configured URL)
            return json.loads(resp.read())

    def raw(self, request: PlanRequest) -> str:
        messages = [{"role": "system", "content": instructions()}, {"role": "user", "content": prompt(request)}]
        for _ in range(2):
            body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": self.max_tokens,
                    "response_format": self._response_format()}
            try:
                data = self._post(body)
            except urllib.error.HTTPError as exc:
                if exc.code in (400, 422, 500) and self._format == "json_schema":  # llama.cpp answers 500
                    self._format = "json_object"
                    continue
                raise
            return data["choices"][0]["message"]["content"] or ""
        raise RuntimeError("the server refused both JSON response formats")

    def plan(self, request: PlanRequest) -> Plan:
        cleaned, asked = screen(request.text, self.name)
        if asked is not None:
            return asked
        request = replace(request, text=cleaned)
        try:
            text = self.raw(request)
        except (OSError, RuntimeError, KeyError, ValueError) as exc:
            return Plan(planner=self.name, ask=f"I could not reach the planning server at {self.url} ({exc}).")
        return complete_refs(to_plan(text, self.name), request)
