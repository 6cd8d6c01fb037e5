"""A tool is one folder: a plugin written outside Atelier (tests/plugins/atelier_invert.py) is installed through
its entry point alone, and every surface picks it up — `atelier tools`, `atelier plan`, `atelier tool`,
`atelier doctor` and the chat — with no Atelier file changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import REPO
from PIL import Image

PLUGIN = REPO / "tests" / "plugins" / "atelier_invert.py"


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run([str(Path(sys.executable).parent / "atelier"), *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_an_installed_plugin_tool_is_listed_planned_run_and_doctored(plugins, tmp_path):
    folder = plugins(tmp_path / "site", "atelier_invert", PLUGIN.read_text(), {"invert": "atelier_invert:SPEC"})
    photo = np.zeros((20, 30, 3), np.uint8)
    photo[:, :10] = (200, 40, 10)
    Image.fromarray(photo).save(tmp_path / "x.png")

    listed = cli(folder, "tools", "--json")
    assert listed.returncode == 0, listed.stderr
    invert = next(t for t in json.loads(listed.stdout) if t["name"] == "invert")
    assert invert["backends"][0]["backend"] == "numpy" and "amount" in invert["args"]

    planned = cli(folder, "plan", "invert this", "--image", str(tmp_path / "x.png"), "--json")
    assert planned.returncode == 0, planned.stderr
    steps = json.loads(planned.stdout)["steps"]
    assert [(s["tool"], s["inputs"]) for s in steps] == [("invert", {"image": "attachment:0"})]

    ran = cli(folder, "tool", "invert", "--image", str(tmp_path / "x.png"), "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    out = np.asarray(Image.open(result["artifacts"]["image"]))
    assert np.array_equal(out, 255 - photo)  # the real plugin code ran on the real pixels

    doctor = cli(folder, "doctor", "--json")
    assert {"tool": "invert", "role": "invert", "backend": "numpy", "available": True}.items() <= next(
        r for r in json.loads(doctor.stdout) if r["tool"] == "invert").items()


def test_the_chat_renders_the_plugin_card(plugins, tmp_path):
    from streamlit.testing.v1 import AppTest

    from atelier.ui.state import agent

    plugins(tmp_path / "site", "atelier_invert", PLUGIN.read_text(), {"invert": "atelier_invert:SPEC"})
    Image.fromarray(np.full((24, 24, 3), 30, np.uint8)).save(tmp_path / "dark.png")
    agent.clear()
    at = AppTest.from_file(str(REPO / "ui" / "app.py"), default_timeout=120)
    at.run()
    at.session_state["attachments_next"] = [str(tmp_path / "dark.png")]
    at.chat_input[0].set_value("invert this").run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Negative" in text and "Inverted the colours (100%)." in text
    assert any("Brightness: **30 → 225**" in c.value for c in at.caption)
