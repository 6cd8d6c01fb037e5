"""No held-out request (or a near duplicate of one) is in the planner's training data."""

from __future__ import annotations

from pathlib import Path

from atelier.agent.planners.training.generate import generate
from atelier.agent.planners.training.overlap import NEAR, Index, held_out_texts
from atelier.agent.planners.training.train import Hyper, training_examples

REPO = Path(__file__).resolve().parents[2]


def test_near_duplicates_are_detected():
    index = Index(["open her eyes, then make it a pencil sketch"])
    assert index.near("Open her eyes then make it a pencil sketch!")
    assert not index.near("make it a pencil sketch")
    assert NEAR >= 0.8


def test_no_held_out_request_is_in_the_training_data():
    held = held_out_texts(REPO)
    assert len(held) >= 200  # the held-out list is there to check against
    train = training_examples(Hyper())
    assert len(train) >= 7000
    texts = [ex["text"] for ex in train]
    index = Index(texts)
    near = sum(1 for h in held if index.near(h))  # a count: the held-out texts are never printed
    assert near == 0, f"{near} held-out requests are near duplicates of training texts"
    same = len({h.lower().strip() for h in held} & {t.lower().strip() for t in texts})
    assert same == 0


def test_the_generator_is_deterministic_and_its_targets_validate():
    from atelier.agent.planners.training.generate import valid

    a, b = generate(300, seed=5), generate(300, seed=5)
    assert a == b and a != generate(300, seed=6)
    assert all(valid(ex) for ex in a)
    cats = {ex["category"] for ex in a}
    assert {"order_words", "fanout", "followups", "injection", "typos", "mixed_language", "numbers_units"} <= cats


def test_seen_lists_are_trained_on_and_the_held_out_lists_are_not():
    from atelier.agent.planners.training.generate import valid
    from atelier.agent.planners.training.lists import TRAIN_LISTS, list_examples, target_of
    from atelier.agent.planners.training.overlap import HELD_OUT

    assert "evals/agent/holdout_v7.jsonl" in HELD_OUT and "evals/agent/holdout_v7.jsonl" not in TRAIN_LISTS
    rows = list_examples(REPO)
    assert len(rows) >= 2000 and all(valid(r) for r in rows)
    assert target_of({"category": "privacy", "expected": {"answer": True}}) == {"steps": [], "reply": "privacy"}
    assert target_of({"category": "injection", "expected": {"answer": True}})["reply"] == "refuse"
    assert target_of({"category": "single", "expected": {"ask": True}})["reply"] == "ask_image"
    trained = training_examples(Hyper(list_repeat=2))
    assert len(trained) > len(training_examples(Hyper())) + 1.8 * len(rows)  # off by default, twice when asked
    texts = {ex["text"] for ex in trained}
    assert sum(r["text"] in texts for r in rows) > 0.9 * len(rows)  # the near duplicates of held-out ones drop
    still = Index(held_out_texts(REPO, ("evals/agent/holdout_v7.jsonl",)))
    assert not any(still.near(ex["text"]) for ex in trained)
