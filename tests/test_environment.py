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
    for top in ("core", "runs", "agent", "tools", "knowledge", "ui", "prompts", "samples"):
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


def test_the_wheel_carries_prompts_samples_styles_and_the_tool_entry_points(tmp_path):
    """An installed wheel must find everything a checkout does: package data, not paths next to the repo."""
    import zipfile

    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                           "-w", str(tmp_path), "-q"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    wheel = next(tmp_path.glob("atelier-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("atelier/prompts/capabilities.txt", "atelier/prompts/examples.txt",
                   "atelier/prompts/unsupported.txt",
                   "atelier/prompts/planner_llm.txt", "atelier/samples/astronaut.png", "atelier/samples/SOURCES.md",
                   "atelier/knowledge/styles/styles.toml", "atelier/tools/punk/weights/punk_mlp.npz"):
        assert needed in names, needed
    assert any(n.startswith("atelier/knowledge/styles/references/") and n.endswith(".png") for n in names)
    assert not any(n.startswith(("tests/", "atelier/tests/")) for n in names)
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "[atelier.tools]" in entry_points and "sketchify = atelier.tools.sketchify.tool:SPEC" in entry_points
