"""The house's layering holds on the real source, and the checker catches a planted bad import."""

from __future__ import annotations

import re

from conftest import REPO
from layers import imports, violations

FIXTURE = REPO / "tests" / "fixtures" / "bad_layers"


def tool_folders() -> set[str]:
    """Tool folders are those the package's entry points name (``atelier.tools.<folder>.…:SPEC``)."""
    text = (REPO / "pyproject.toml").read_text()
    return set(re.findall(r'= "atelier\.tools\.([a-z_]+)\.', text.split('[project.entry-points."atelier.tools"]')[1]
                          .split("\n[")[0]))


def test_the_checker_catches_each_planted_bad_import():
    found = violations(FIXTURE, {"a", "b"})
    assert len(found) == 3, found
    assert any("core/config.py:2: imports atelier.agent.session (a higher layer)" in f for f in found)
    assert any("tools/a/tool.py:3: imports atelier.tools.b.internals (another tool's internals" in f for f in found)
    assert any("tools/a/tool.py:4: imports atelier.ui.state (a higher layer)" in f for f in found)


def test_dependencies_point_one_way_in_the_project():
    assert violations(REPO, tool_folders()) == []


def test_tool_tests_do_not_import_the_agent_or_the_ui():
    bad = [f"{p.relative_to(REPO)}:{line}: {m}" for p in sorted((REPO / "tests" / "tools").glob("*.py"))
           for line, m in imports(p) if m.startswith(("atelier.agent", "atelier.ui"))]
    assert bad == []


def test_no_tool_name_outside_its_folder():
    """Tool names appear in specs only: no string literal in core, runs, knowledge, agent, ui or prompts names a
    tool, and nothing outside tools/ imports a tool's modules (tests, evals and examples aside)."""
    import ast

    names = {m for m in re.findall(r'^([a-z_]+) = "atelier\.tools\.', (REPO / "pyproject.toml").read_text(), re.M)}
    assert {"sketchify", "open_eyes", "describe_punk"} <= names
    bad = []
    for layer in ("core", "runs", "knowledge", "agent", "ui"):
        for path in sorted((REPO / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(
                n, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef) and n.body and isinstance(
                n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                    hit = names & set(re.findall(r"[a-z_]+", node.value))
                    if hit:
                        bad.append(f"{path.relative_to(REPO)}:{node.lineno}: {sorted(hit)}")
            bad += [f"{path.relative_to(REPO)}:{line}: imports {m}" for line, m in imports(path)
                    if m.startswith("atelier.tools.")]
    for path in sorted((REPO / "prompts").glob("*.txt")):
        hit = names & set(re.findall(r"[a-z_]+", path.read_text()))
        if hit:
            bad.append(f"{path.relative_to(REPO)}: {sorted(hit)}")
    assert bad == []
