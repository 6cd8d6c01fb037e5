"""The layering rule, checked on source (AST): ``ui → agent → {runs, knowledge, tools} → core``.

A module may import Atelier packages of its own layer or below. The middle three are ordered too
(``tools`` may read the knowledge store and run records, ``knowledge`` the run records, ``runs`` neither),
so no import goes round in a circle; ``core`` imports nothing of ours but itself.
Within ``tools/``, a tool folder may use a shared library folder's modules (one without a tool, e.g.
``faces``) but only the package itself of another tool (its public functions), never its internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

RANK = {"core": 0, "runs": 1, "knowledge": 2, "tools": 3, "agent": 4, "ui": 5}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every ``import atelier...`` / ``from atelier... import`` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("atelier.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("atelier."):
            found.append((node.lineno, node.module))
    return found


def violations(root: Path, tool_folders: set[str]) -> list[str]:
    """Every import under ``root`` that breaks the rule, as ``file:line: what``."""
    bad = []
    for layer in RANK:
        for path in sorted((root / layer).rglob("*.py")) if (root / layer).is_dir() else []:
            here = path.relative_to(root).parts
            for line, module in imports(path):
                parts = module.split(".")[1:]
                target = parts[0]
                if target not in RANK:
                    continue
                where = f"{path.relative_to(root)}:{line}: imports {module}"
                if RANK[target] > RANK[layer]:
                    bad.append(f"{where} (a higher layer)")
                elif layer == "tools" and target == "tools" and len(parts) > 2 and len(here) > 2:
                    mine, theirs = here[1], parts[1]
                    if theirs != mine and theirs in tool_folders:
                        bad.append(f"{where} (another tool's internals; call its package's public function)")
    return bad
