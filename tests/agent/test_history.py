"""The edit history of a conversation is a tree: every result is a node, undo and "go back" move the current
node without running anything, the next request branches from there, re-runs are sibling branches, and it all
lives in the thread's checkpoints (a new Session reads it back)."""

from __future__ import annotations

import numpy as np
from conftest import SAMPLES
from PIL import Image

from atelier.agent.session import Session, short_title
from atelier.runs.store import RunStore


def test_results_form_a_tree_that_undo_and_branches_walk(atelier_home):
    session = Session()
    first = session.ask("make it a pencil sketch", [SAMPLES / "chelsea.png"])
    sketch = first.results[0]["result"]
    second = session.ask("now fix the pixels with cell size 4", thread_id=first.thread_id)
    pixels = second.results[0]["result"]
    assert [n["tool"] for n in session.path(first.thread_id)] == ["sketchify", "reconstruct_sprite"]
    assert session.path(first.thread_id)[1]["parent"] == sketch["run_id"]

    session.undo(first.thread_id)  # nothing runs; the sketch is current again
    assert session.current(first.thread_id) == sketch["run_id"]
    assert len(RunStore(atelier_home).list(limit=50)) == 2
    branch = session.ask("now fix the pixels with cell size 8", thread_id=first.thread_id)
    record = RunStore(atelier_home).get(branch.results[0]["result"]["run_id"])
    assert record["inputs"]["image"]["path"] == sketch["artifacts"]["image"]  # worked on the sketch, not the pixels
    nodes = Session().nodes(first.thread_id)  # a new process reads the same tree from the checkpoints
    children = [n["id"] for n in nodes if n["parent"] == sketch["run_id"]]
    assert children == [pixels["run_id"], branch.results[0]["result"]["run_id"]]

    session.goto(first.thread_id, None)  # back before the first result: the next request needs its own image
    again = session.ask("now fix the pixels", thread_id=first.thread_id)
    assert again.results == [] and "attach" in again.answer.lower()


def test_rerun_with_a_new_seed_is_a_sibling_and_becomes_current(atelier_home):
    session = Session()
    first = session.ask("make it a pencil sketch, seed 1", [SAMPLES / "coffee.png"])
    node = session.path(first.thread_id)[-1]
    assert node["params"]["seed"] == 1
    redo = session.rerun(first.thread_id, node["id"], {"seed": 2})
    new = redo["results"][0]["result"]
    assert new["ok"] and new["outputs"]["seed"] == 2
    a, b = (np.asarray(Image.open(r["artifacts"]["image"])) for r in (first.results[0]["result"], new))
    assert a.shape == b.shape and not np.array_equal(a, b)
    tree = session.nodes(first.thread_id)
    assert tree[-1]["parent"] == node["parent"] and session.current(first.thread_id) == new["run_id"]
    assert session.history(first.thread_id)[-1]["request"] == "re-run pencil sketch with seed=2"


def test_titles_are_cut_at_a_word_kept_unique_renamed_and_deleted(atelier_home):
    assert short_title("make it a pencil sketch and then turn it into watercolour please") == \
        "make it a pencil sketch and then turn…"
    session = Session()
    a = session.ask("hello")
    b = session.ask("hello")
    titles = dict(session.threads())
    assert {titles[a.thread_id], titles[b.thread_id]} == {"hello", "hello (2)"}
    session.rename(b.thread_id, "  my   greeting ")
    assert dict(session.threads())[b.thread_id] == "my greeting"
    made = session.ask("make it a pencil sketch", [SAMPLES / "coffee.png"])
    image = made.results[0]["result"]["artifacts"]["image"]
    assert session.delete_thread(made.thread_id) == 1
    assert made.thread_id not in dict(session.threads())
    assert RunStore(atelier_home).thread_runs(made.thread_id) == []
    from pathlib import Path

    assert not Path(image).exists()
