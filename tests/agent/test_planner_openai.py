"""The openai planner through a real OpenAI-compatible server: ``llama_cpp.server`` on 127.0.0.1 serving a tiny
random GGUF (the schema is enforced by the server, so the plan always parses and validates)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from tiny_gguf import write_tiny_llama

from atelier.agent.catalogue import catalogue
from atelier.agent.plan import validate
from atelier.agent.planners import PlanRequest, get_planner

pytest.importorskip("llama_cpp.server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model = write_tiny_llama(tmp_path_factory.mktemp("srv") / "tiny.gguf")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "4096", "--model_alias", "tiny"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as resp:
                if json.loads(resp.read())["data"]:
                    break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("llama_cpp.server exited: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_openai_planner_plans_through_a_local_server(server, monkeypatch):
    monkeypatch.setenv("ATELIER_LLM_URL", server)
    monkeypatch.setenv("ATELIER_LLM_MODEL", "tiny")
    planner = get_planner("openai")
    assert planner.url == server
    for text in ("open her eyes, then make it a pencil sketch", "what can you do?"):
        plan = planner.plan(PlanRequest(text, 1))
        assert plan.planner == "openai" and not (plan.ask or "").startswith("I could not reach"), plan
        assert all(s.tool in catalogue() for s in plan.steps)
        checked = validate(plan, 1)
        assert checked.steps or checked.ask or checked.answer or checked.revert


def test_an_unreachable_server_is_a_question_not_a_crash(monkeypatch):
    monkeypatch.setenv("ATELIER_LLM_URL", f"http://127.0.0.1:{free_port()}/v1")
    plan = get_planner("openai").plan(PlanRequest("sketch it", 1))
    assert not plan.steps and "could not reach" in plan.ask
