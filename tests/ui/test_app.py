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


def test_the_sprite_panel_reruns_with_the_new_cell_size(app):
    send(app, "fix the pixels", SAMPLES / "sprite_upscaled.png")
    run_id = app.session_state["messages"][-1]["reply"]["results"][0]["result"]["run_id"]
    key = f"sprite-{run_id}"
    assert app.session_state[key]["outputs"]["cell_size"] == 12.0
    app.button(key=f"double-{key.removeprefix('sprite-')}").click().run()
    assert not app.exception
    redone = app.session_state[key]
    assert redone["outputs"]["cell_size"] == 24.0 and redone["outputs"]["width"] < 31
    app.number_input(key=f"cell-{key.removeprefix('sprite-')}").set_value(6.0).run()
    assert app.session_state[key]["outputs"]["cell_size"] == 6.0
    app.button(key=f"incorrect-{key.removeprefix('sprite-')}").click().run()
    from atelier.tools.sprite.feedback import read_feedback
    from atelier.ui.state import agent

    rows = read_feedback(agent().settings.home / "sprite_feedback.csv")
    assert rows[-1]["verdict"] == "incorrect" and float(rows[-1]["cell_size"]) == 6.0


def test_gallery_lists_runs_and_searches(app):
    send(app, "make it a pencil sketch", SAMPLES / "chelsea.png")
    gallery = AppTest.from_file(str(REPO / "ui" / "pages" / "gallery.py"), default_timeout=60)
    gallery.run()
    assert not gallery.exception
    assert any("sketchify" in c.value for c in gallery.caption)
    gallery.text_input[0].set_value("sprite").run()
    assert any("Nothing matches" in i.value for i in gallery.info)
