"""The installed venv: every package of the card imports together, in a fresh interpreter, offline."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

CARD = ["langgraph", "langchain_community", "chromadb", "llama_cpp", "open_clip", "diffusers", "transformers",
        "sentence_transformers", "insightface", "cv2", "mediapipe", "streamlit"]


def test_every_card_package_imports_together_in_a_fresh_process():
    code = ("import importlib\n"
            f"for name in {CARD!r}:\n"
            "    importlib.import_module(name)\n"
            "from transformers import PreTrainedModel\n"
            "import torchvision, open_clip, mediapipe\n"
            "assert hasattr(mediapipe, 'solutions')\n"
            "print('ALL-IMPORTED')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd="/")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ALL-IMPORTED" in proc.stdout


def test_package_list_covers_every_package_folder():
    text = (REPO / "pyproject.toml").read_text()
    listed = set(re.findall(r'"(atelier\.[a-z_.]+)"', text.split("packages = [", 1)[1].split("]", 1)[0]))
    found = set()
    for top in ("agent", "tools", "knowledge", "ui"):
        for init in (REPO / top).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO)
            found.add("atelier." + ".".join(rel.parts))
    assert found == listed


def test_listing_tools_imports_no_heavy_package():
    """`atelier tools` must stay fast: listing may not pull in torch, cv2, diffusers or the LLM."""
    code = ("import sys\n"
            "from atelier.agent.cli import app\n"
            "from typer.testing import CliRunner\n"
            "res = CliRunner().invoke(app, ['tools', '--json'])\n"
            "assert res.exit_code == 0 and 'sketchify' in res.stdout, res.output\n"
            "heavy = {'torch', 'cv2', 'diffusers', 'llama_cpp', 'chromadb', 'mediapipe', 'open_clip'}\n"
            "print(sorted(heavy & set(sys.modules)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
