"""Cancelling a turn: the running step stops at its next stage with CANCELLED, is recorded as such, and no later
step runs."""

from __future__ import annotations

import threading
import time

from conftest import REPO, SAMPLES

from atelier.agent.session import Session
from atelier.core.cancel import cancelling
from atelier.runs.store import RunStore


def test_a_cancelled_step_stops_soon_and_nothing_after_it_runs(plugins, atelier_home, tmp_path):
    plugins(tmp_path / "site", "atelier_slow", (REPO / "tests" / "plugins" / "atelier_slow.py").read_text(),
            {"slow_copy": "atelier_slow:SPEC"})
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    t0 = time.perf_counter()
    with cancelling(stop):
        reply = Session().ask("copy this slowly, then make it a pencil sketch", [SAMPLES / "coffee.png"])
    elapsed = time.perf_counter() - t0
    assert [r["tool"] for r in reply.results] == ["slow_copy"]  # the sketch never ran
    error = reply.results[0]["result"]["error"]
    assert error["code"] == "CANCELLED" and elapsed < 3.0  # fifty 0.1 s stages would take 5 s
    record = RunStore(atelier_home).get(reply.results[0]["result"]["run_id"])
    assert record["error"]["code"] == "CANCELLED" and not record["artifacts"]
