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


@pytest.fixture
def server(atelier_home):
    port = free_port()
    env = {**os.environ, "ATELIER_HOME": str(atelier_home)}
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


def test_upload_a_photo_and_get_a_pencil_sketch(server, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.goto(server)
        page.wait_for_selector('[data-testid="stChatInput"]', timeout=60_000)
        page.locator('[data-testid="stChatInput"] input[type="file"]').set_input_files(str(SAMPLES / "coffee.png"))
        page.locator('[data-testid="stChatInput"]').get_by_text("coffee.png").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # the upload finishes after its chip appears; sending earlier is ignored
        page.locator('[data-testid="stChatInput"] textarea').fill("make it a pencil sketch")
        for _ in range(5):  # a send while the upload is still going is dropped: try again until it shows
            page.locator('[data-testid="stChatInputSubmitButton"]').click()
            try:
                page.locator('[data-testid="stChatMessage"]').first.wait_for(timeout=10_000)
                break
            except PlaywrightTimeout:
                continue
        page.get_by_text("backend classical", exact=False).first.wait_for(timeout=120_000)
        page.locator('[data-testid="stDownloadButton"]').first.wait_for(timeout=30_000)
        images = page.locator('[data-testid="stImage"] img, [data-testid="stImageContainer"] img')
        assert images.count() >= 3  # the upload, before, after
        page.screenshot(path=str(tmp_path / "atelier.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    assert (tmp_path / "atelier.png").stat().st_size > 10_000
