"""A real browser: Streamlit on 127.0.0.1, Debian's chromium driven by Playwright. Upload a photo through
the chat box, ask for a pencil sketch, wait for the result, keep a screenshot."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian chromium is not installed (setup.sh installs it when run as root)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(home: Path, pythonpath: str = ""):
    """Streamlit serving the chat on a free 127.0.0.1 port; yields its URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "ATELIER_HOME": str(home)}
    if pythonpath:
        env["PYTHONPATH"] = f"{pythonpath}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(REPO / "ui" / "app.py"), "--server.headless=true",
         "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def server(atelier_home):
    yield from start_streamlit(atelier_home)


ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = REPO / "evals" / "reports" / "browser"


def open_page(url: str, ready: str = '[data-testid="stChatInput"]'):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        page.goto(url)
        page.wait_for_selector(ready, timeout=60_000)
        yield page
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()


@pytest.fixture
def page(server):
    yield from open_page(server)


def send(page, text: str, *files: Path) -> None:
    """Type a request (attaching files through the chat box) and wait until the page has the new reply."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = page.locator('[data-testid="stChatMessage"]').count()
    box = page.locator('[data-testid="stChatInput"]')
    if files:
        box.locator('input[type="file"]').set_input_files([str(f) for f in files])
        for f in files:
            box.get_by_text(f.name).wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # the upload finishes after its chip appears; sending earlier is ignored
    box.locator("textarea").fill(text)
    for _ in range(5):  # a send while an upload is still going is dropped: try again until it shows
        page.locator('[data-testid="stChatInputSubmitButton"]').click()
        try:
            count = "document.querySelectorAll('[data-testid=\"stChatMessage\"]').length"
            page.wait_for_function(f"{count} >= {before + 2}", timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000)
    page.wait_for_timeout(800)


def shot(page, name: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def strip(page) -> str:
    """The history strip's line: the current branch of results."""
    return page.get_by_text("History:", exact=False).first.inner_text(timeout=30_000)


def last_message(page):
    return page.locator('[data-testid="stChatMessage"]').last


def test_upload_a_photo_and_get_a_pencil_sketch(page, tmp_path):
    send(page, "make it a pencil sketch", SAMPLES / "coffee.png")
    page.get_by_text("backend classical", exact=False).first.wait_for(timeout=120_000)
    page.locator('[data-testid="stDownloadButton"]').first.wait_for(timeout=30_000)
    images = page.locator('[data-testid="stImage"] img, [data-testid="stImageContainer"] img')
    assert images.count() >= 3  # the upload, before, after
    shot(page, "sketch", tmp_path)


def test_a_punk_shows_its_caption_and_past_sketches_show_as_thumbnails(page, tmp_path):
    from PIL import Image
    from punk_render import render

    from atelier.tools.punk.traits import PunkLabel

    Image.fromarray(render(PunkLabel("zombie", None, ("Cap", "Cigarette")))).save(tmp_path / "punk.png")
    send(page, "describe this punk", tmp_path / "punk.png")
    last_message(page).get_by_text("punk with", exact=False).first.wait_for(timeout=60_000)
    table = last_message(page).locator("table")
    table.first.wait_for(timeout=30_000)
    shot(page, "punk_card", tmp_path)
    assert "headwear" in table.first.inner_text() and "%" in table.first.inner_text()  # attributes, confidences
    send(page, "make it a pencil sketch", SAMPLES / "chelsea.png")
    send(page, "show my sketches")
    reply = last_message(page)
    reply.get_by_text("past run", exact=False).first.wait_for(timeout=60_000)
    assert reply.locator('[data-testid="stImage"] img, [data-testid="stImageContainer"] img').count() >= 1
    assert reply.get_by_role("button", name="Open").count() >= 1
    shot(page, "past_runs", tmp_path)


def test_open_eyes_asks_for_a_reference_then_carries_on_when_it_is_attached(page, tmp_path):
    send(page, "open her eyes", SAMPLES / "astronaut_blink.png")
    reply = last_message(page)
    reply.locator('[data-testid="stAlertContentInfo"], [data-testid="stAlert"]').first.wait_for(timeout=60_000)
    assert "same person" in reply.inner_text() and reply.locator('[data-testid="stAlertContentError"]').count() == 0
    shot(page, "eyes_question", tmp_path)
    send(page, "here is one with her eyes open", SAMPLES / "astronaut.png")
    reply = last_message(page)
    reply.get_by_text("Opened the eyes of 1 face", exact=False).first.wait_for(timeout=120_000)
    assert reply.get_by_text("compare before | after", exact=False).count() >= 1
    shot(page, "eyes_opened", tmp_path)


def test_sketch_restyle_undo_branch_and_reload(page, server, tmp_path):
    send(page, "make it a pencil sketch", SAMPLES / "astronaut.png")
    send(page, "now make it watercolor")
    last_message(page).get_by_text("Restyled", exact=False).first.wait_for(timeout=120_000)
    assert "Pencil sketch → Restyled" in strip(page)
    page.get_by_role("button", name="↶ Undo").click()
    page.get_by_text("Back to: Pencil sketch", exact=False).first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    assert "Restyled" not in strip(page)
    send(page, "now make it ukiyo-e")  # a new branch from the sketch
    last_message(page).get_by_text("Restyled", exact=False).first.wait_for(timeout=120_000)
    shot(page, "branch", tmp_path)
    assert "Pencil sketch → Restyled" in strip(page) and "1 result on other branches" in strip(page)
    page.get_by_role("button", name="↪ Continue from this one").first.click()  # branch from the first result
    page.get_by_text("Back to: Pencil sketch", exact=False).last.wait_for(timeout=30_000)
    path = shot(page, "branching", tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "branching.png").write_bytes(path.read_bytes())
    assert "thread=" in page.url
    page.reload()
    page.wait_for_selector('[data-testid="stChatMessage"]', timeout=60_000)
    page.get_by_text("now make it ukiyo-e").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stChatMessage"]').count() >= 8
    shot(page, "reloaded", tmp_path)


def test_a_sprite_rerun_brings_new_downloads(page, tmp_path):
    send(page, "fix the pixels", SAMPLES / "sprite_upscaled.png")
    last_message(page).get_by_text("12 px cells", exact=False).first.wait_for(timeout=60_000)
    before = page.locator('[data-testid="stDownloadButton"]').count()
    page.get_by_role("button", name="×2 cell").last.click()
    page.get_by_text("24 px cells", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stDownloadButton"]').count() > before
    shot(page, "sprite_rerun", tmp_path)


def test_cancel_stops_a_running_step(atelier_home, tmp_path):
    from conftest import install_plugin

    site = tmp_path / "site"
    install_plugin(site, "atelier_slow", (REPO / "tests" / "plugins" / "atelier_slow.py").read_text(),
                   {"slow_copy": "atelier_slow:SPEC"})
    try:
        for url in start_streamlit(atelier_home, str(site)):
            for page in open_page(url):
                box = page.locator('[data-testid="stChatInput"]')
                box.locator('input[type="file"]').set_input_files(str(SAMPLES / "coffee.png"))
                box.get_by_text("coffee.png").wait_for(timeout=30_000)
                page.wait_for_timeout(1000)
                box.locator("textarea").fill("copy this slowly")
                page.locator('[data-testid="stChatInputSubmitButton"]').click()
                page.get_by_role("button", name="Cancel").wait_for(timeout=30_000)
                page.get_by_role("button", name="Cancel").click()
                page.get_by_text("CANCELLED", exact=False).first.wait_for(timeout=30_000)
                shot(page, "cancelled", tmp_path)
    finally:
        from atelier.core import registry

        sys.path.remove(str(site))
        registry.refresh()


def test_review_mode_with_keyboard_keys_writes_one_feedback_row_per_decision(server, atelier_home, tmp_path):
    import csv
    import zipfile

    import cv2
    import numpy as np

    rng = np.random.default_rng(9)
    files = []
    for i, cell in enumerate((5, 7, 9)):
        art = rng.integers(0, 4, (10, 10))[..., None].repeat(3, -1).astype(np.uint8) * 80
        files.append(tmp_path / f"sprite{i}.png")
        cv2.imwrite(str(files[-1]), cv2.resize(art, None, fx=cell, fy=cell, interpolation=cv2.INTER_NEAREST))
    for page in open_page(f"{server}/review", ready='[data-testid="stFileUploader"]'):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(f) for f in files])
        page.get_by_text("sprite2.png").wait_for(timeout=30_000)
        page.get_by_role("button", name="Load", exact=True).last.click()
        page.get_by_text("sprite0.png — 1 of 3", exact=False).wait_for(timeout=60_000)
        page.keyboard.press("a")  # accept
        page.get_by_text("sprite1.png — 2 of 3 · 1 decided", exact=False).wait_for(timeout=60_000)
        page.keyboard.press("x")  # reject
        page.get_by_text("sprite2.png — 3 of 3 · 2 decided", exact=False).wait_for(timeout=60_000)
        page.keyboard.press("ArrowLeft")
        page.get_by_text("sprite1.png — 2 of 3 · 2 decided", exact=False).wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="Export 1 accepted (zip)").click()
        names = zipfile.ZipFile(download.value.path()).namelist()
        assert names == ["sprite0-reconstruct_sprite.png"]
        shot(page, "review", tmp_path)
    with open(atelier_home / "sprite_feedback.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["verdict"] for r in rows] == ["correct", "incorrect"] and float(rows[0]["cell_size"]) == 5.0
