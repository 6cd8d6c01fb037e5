"""The Streamlit page through AppTest: a real run of the page script against the real agent and tools.

AppTest's chat input sends text only, so these tests hand the attachment in through the page's
``attachments_next`` session key; the browser test uploads a real file through the chat box."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, SAMPLES
from streamlit.testing.v1 import AppTest

APP = str(REPO / "ui" / "app.py")


@pytest.fixture
def app(atelier_home):
    from atelier.ui.state import agent

    agent.clear()  # a fresh Session for this test's ATELIER_HOME
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def send(at: AppTest, text: str, *images: Path) -> AppTest:
    at.session_state["attachments_next"] = [str(p) for p in images]
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return at


def test_a_photo_and_a_request_give_the_sketch_and_name_the_backend(app):
    send(app, "make it a pencil sketch", SAMPLES / "coffee.png")
    text = " ".join(m.value for m in app.markdown)
    assert "sketchify" in text and "classical" in text
    assert len(app.get("image")) >= 3  # the attachment, then before and after
    assert any(b.label.startswith("Download image") for b in app.get("download_button"))
    assert app.session_state["thread"]


def test_a_corrupt_upload_is_a_message_not_an_exception(app, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    send(app, "make it a pencil sketch", bad)
    errors = [e.value for e in app.error]
    assert errors and "INVALID_IMAGE" in errors[0]


def last_result(at: AppTest) -> dict:
    return at.session_state["messages"][-1]["reply"]["results"][-1]["result"]


def test_a_sprite_rerun_is_a_new_branch_with_its_own_card_and_feedback(app):
    send(app, "fix the pixels", SAMPLES / "sprite_upscaled.png")
    first = last_result(app)["run_id"]
    assert app.number_input(key=f"ctl-cell_size-{first}").value == 12.0
    app.button(key=f"adj-double-{first}").click().run()
    assert not app.exception
    doubled = last_result(app)
    assert doubled["outputs"]["cell_size"] == 24.0 and doubled["outputs"]["width"] < 31
    assert app.number_input(key=f"ctl-cell_size-{doubled['run_id']}").value == 24.0
    app.number_input(key=f"ctl-cell_size-{doubled['run_id']}").set_value(6.0).run()
    six = last_result(app)
    assert six["outputs"]["cell_size"] == 6.0
    text = " ".join(m.value for m in app.markdown)
    assert "6 px cells" in text and "24 px cells" in text  # each run keeps its own card
    downloads = [b for b in app.get("download_button") if b.label == "Download image"]
    assert len(downloads) >= 3  # the downloads of every run, not the first one three times
    from atelier.ui.state import agent

    tree = agent().nodes(app.session_state["thread"])
    assert [n["parent"] for n in tree[1:]] == [tree[0]["parent"]] * 2  # re-runs are siblings of the first
    app.button(key=f"fb-incorrect-{six['run_id']}").click().run()
    from atelier.tools.sprite.feedback import read_feedback

    rows = read_feedback(agent().settings.home / "sprite_feedback.csv")
    assert rows[-1]["verdict"] == "incorrect" and float(rows[-1]["cell_size"]) == 6.0


def test_undo_and_continue_from_an_earlier_result(app):
    send(app, "make it a pencil sketch", SAMPLES / "coffee.png")
    sketch = last_result(app)["run_id"]
    send(app, "now fix the pixels with cell size 4")
    app.button(key="undo").click().run()
    from atelier.ui.state import agent

    assert agent().current(app.session_state["thread"]) == sketch
    assert "Back to: Pencil sketch" in " ".join(m.value for m in app.markdown)
    send(app, "now fix the pixels with cell size 8")
    assert last_result(app)["outputs"]["cell_size"] == 8.0
    app.button(key=f"goto-{sketch}").click().run()
    assert agent().current(app.session_state["thread"]) == sketch


def test_a_reopened_conversation_shows_the_uploads_and_every_result(app):
    send(app, "make it a pencil sketch", SAMPLES / "chelsea.png")
    thread = app.session_state["thread"]
    again = AppTest.from_file(APP, default_timeout=120)
    again.query_params["thread"] = thread  # a reload or a shared link
    again.run()
    assert not again.exception
    assert again.session_state["thread"] == thread
    users = [m for m in again.session_state["messages"] if m["role"] == "user"]
    assert users[0]["text"] == "make it a pencil sketch" and Path(users[0]["images"][0]).is_file()
    assert "Pencil sketch" in " ".join(m.value for m in again.markdown)


def test_cards_show_words_not_internal_paths_or_metric_keys(app):
    send(app, "make it a pencil sketch", SAMPLES / "coffee.png")
    shown = " ".join([m.value for m in app.markdown] + [c.value for c in app.caption])
    assert not any(f"/{folder}/" in shown for folder in ("uploads", "attachments", "runs", "inputs"))
    assert "background_purity" not in shown and "tonal_range" not in shown


def test_asking_for_a_reference_is_a_question_not_an_error(app, plugins, tmp_path):
    plugins(tmp_path / "plugin", "needs_ref_tool", (REPO / "tests" / "agent" / "needs_ref_tool.py").read_text(),
            {"open_eyes": "needs_ref_tool:SPEC"})
    send(app, "open her eyes", SAMPLES / "astronaut.png")
    assert not app.error
    assert any("same person" in i.value for i in app.info)
    send(app, "here you go", SAMPLES / "coffee.png")
    assert last_result(app)["ok"] and last_result(app)["backend"] == "reference"


def test_gallery_searches_filters_shows_settings_and_deletes(app):
    send(app, "make it a pencil sketch", SAMPLES / "chelsea.png")
    send(app, "fix the pixels", SAMPLES / "sprite_upscaled.png")
    gallery = AppTest.from_file(str(REPO / "ui" / "pages" / "gallery.py"), default_timeout=60)
    gallery.run()
    assert not gallery.exception
    assert len(gallery.get("download_button")) == 2
    gallery.text_input[0].set_value("chelsea").run()  # an input's file name
    assert [c.value.split(" · ")[0] for c in gallery.caption] == ["sketchify"]
    assert '"tool": "sketchify"' in gallery.code[0].value  # the PNG's own atelier:* settings
    gallery.text_input[0].set_value("").run()
    gallery.selectbox[0].set_value("reconstruct_sprite").run()
    assert [c.value.split(" · ")[0] for c in gallery.caption] == ["reconstruct sprite"]
    gallery.button(key=next(b.key for b in gallery.button if b.key.startswith("del-"))).click().run()
    gallery.selectbox[0].set_value("all").run()
    assert [c.value.split(" · ")[0] for c in gallery.caption] == ["sketchify"]  # the sprite run is gone
    from atelier.ui.state import agent

    assert [r.tool for r in agent().runs.list()] == ["sketchify"]


def test_review_mode_steps_through_a_folder_and_writes_one_feedback_row_per_decision(app, tmp_path):
    import cv2
    import numpy as np

    from atelier.tools.sprite.feedback import read_feedback
    from atelier.ui.state import agent

    rng = np.random.default_rng(5)
    for i, cell in enumerate((4, 6, 8)):
        art = rng.integers(0, 4, (12, 12))[..., None].repeat(3, -1).astype(np.uint8) * 80
        cv2.imwrite(str(tmp_path / f"s{i}.png"), cv2.resize(art, None, fx=cell, fy=cell,
                                                            interpolation=cv2.INTER_NEAREST))
    review = AppTest.from_file(str(REPO / "ui" / "pages" / "review.py"), default_timeout=60)
    review.run()
    review.text_input[0].set_value(str(tmp_path)).run()
    review.button[next(i for i, b in enumerate(review.button) if b.label == "Load")].click().run()
    assert "s0.png — 1 of 3" in review.get("progress")[0].proto.text
    assert "4 px cells" in " ".join(m.value for m in review.markdown)
    label = {b.label: b for b in review.button}
    label["✓ Accept"].click().run()  # accept the first, move on
    assert "s1.png — 2 of 3" in review.get("progress")[0].proto.text
    {b.label: b for b in review.button}["✗ Reject"].click().run()
    {b.label: b for b in review.button}["◀ Previous"].click().run()
    assert "s1.png — 2 of 3 · 2 decided" in review.get("progress")[0].proto.text
    rows = read_feedback(agent().settings.home / "sprite_feedback.csv")
    assert [r["verdict"] for r in rows] == ["correct", "incorrect"] and float(rows[0]["cell_size"]) == 4.0
    assert "Export 1 accepted" in review.get("download_button")[0].proto.label
