"""Style library, retrieval, the persistent index and its rebuild."""

from __future__ import annotations

import json
import shutil

import numpy as np
from conftest import SAMPLES
from PIL import Image
from typer.testing import CliRunner

from atelier.agent.cli import app
from atelier.knowledge.styles import StyleLibrary, shipped_cards
from atelier.runs.invoke import call_tool

runner = CliRunner()
REQUIRED = (
    "cyberpunk", "watercolor", "oil painting", "anime", "ukiyo-e", "steampunk", "vaporwave", "synthwave",
    "film noir", "pop art", "impressionism", "art deco", "art nouveau", "blueprint", "sepia vintage",
    "pixel art", "storybook pastel", "comic book", "charcoal", "stained glass", "gothic",
    "minimalist line art", "cozy autumn", "low poly", "psychedelic", "ink wash", "cubism", "pointillism",
    "graffiti", "neon noir",
)


def test_library_has_the_required_styles_with_distinct_references():
    cards = shipped_cards()
    names = {c.name for c in cards}
    assert len(cards) >= 50 and set(REQUIRED) <= names
    hashes = {hash(np.asarray(Image.open(c.image)).tobytes()) for c in cards}
    assert len(hashes) == len(cards)  # every style has its own reference image


def retrieve(query=None, image=None, **args):
    return call_tool("retrieve_style", {"image": image} if image else {}, {"query": query, **args} if query else args)


def test_known_answer_retrieval_by_name_tag_and_description():
    assert retrieve("cyberpunk").outputs["chosen"]["name"] == "cyberpunk"
    r = retrieve("neon rainy city")
    assert r.outputs["chosen"] == {**r.outputs["chosen"], "name": "cyberpunk", "match": "tag"}
    assert retrieve("Monet garden painting").outputs["chosen"]["name"] == "impressionism"
    assert retrieve("japanese woodblock print of waves").outputs["chosen"]["name"] == "ukiyo-e"
    chosen = retrieve("watercolour").outputs["chosen"]
    assert chosen["name"] == "watercolor" and np.array_equal(
        np.asarray(Image.open(retrieve("watercolour").artifacts["image"]).convert("RGB")),
        np.asarray(Image.open(chosen["path"]).convert("RGB")))


def test_retrieval_by_image_finds_the_reference_itself():
    card = next(c for c in shipped_cards() if c.name == "blueprint")
    r = retrieve(image=card.image)
    assert r.ok and r.outputs["chosen"]["name"] == "blueprint" and r.backend == "descriptor"


def test_nothing_close_is_no_match_with_near_misses():
    r = retrieve("quarterly banana tax form")
    assert not r.ok and r.error.code == "NO_MATCH" and len(r.outputs["matches"]) == 3
    assert all(m["score"] < 0.35 for m in r.outputs["matches"])
    assert retrieve().error.code == "BAD_ARGUMENT"


def test_deleting_the_store_then_rebuilding_gives_identical_results(atelier_home):
    queries = ["neon rainy city", "soft dreamy colours", "old photo of my grandmother", "retro game"]
    before = [retrieve(q).outputs["matches"] for q in queries]
    shutil.rmtree(atelier_home / "store")
    res = runner.invoke(app, ["index", "rebuild"])
    assert res.exit_code == 0, res.output
    assert [retrieve(q).outputs["matches"] for q in queries] == before


def test_user_styles_are_added_and_a_corrupt_image_changes_nothing(atelier_home, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\\x89PNG nope")
    res = runner.invoke(app, ["styles", "add", "my zine look", "--image", str(bad)])
    assert res.exit_code == 2 and "INVALID_IMAGE" in res.output
    assert len(StyleLibrary.load(atelier_home).cards) == len(shipped_cards())
    res = runner.invoke(app, ["styles", "add", "Coffee Shop", "--image", str(SAMPLES / "coffee.png"),
                              "--description", "warm browns of an espresso bar", "--tags", "espresso, cafe"])
    assert res.exit_code == 0, res.output
    listed = json.loads(runner.invoke(app, ["styles", "list", "--json"]).stdout)
    assert {"name": "coffee shop", "source": "user"}.items() <= next(s for s in listed
                                                                      if s["name"] == "coffee shop").items()
    assert retrieve("an espresso cafe").outputs["chosen"]["name"] == "coffee shop"


def test_an_index_built_by_other_embedders_is_emptied_and_rebuilt(tmp_path):
    """An index from an older descriptor (another dimension) must not break retrieval after an upgrade."""
    from atelier.core.config import load_settings
    from atelier.knowledge.store import Store

    home = load_settings().home
    old = Store(home)
    old.upsert("styles_image", ["stale"], np.ones((1, 160), np.float32), [{"name": "stale", "path": "x"}])
    (home / "store" / "schema").write_text("store-0 descriptor-160")
    reopened = Store(home)
    assert reopened.count("styles_image") == 0
    result = retrieve(image=str(SAMPLES / "coffee.png"))
    assert result.ok, result.error
    assert reopened.count("styles_image") == len(shipped_cards())
