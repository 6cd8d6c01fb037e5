"""Scripted agent eval: every planner on the same requests, scored as the graph would run the plans
(after validation). Requests: ``evals/agent/requests.txt`` (text | attachments | expected tools | args |
category).

    .venv/bin/python evals/run_agent_eval.py [--planners semantic,hybrid,llm] [--out evals/reports]

Scores per planner: exact tool-sequence accuracy; tool-F1 (multiset F1 of tool names per request, with
``ask``/``answer`` as pseudo-tools, averaged); argument accuracy (requests with expected arguments: all of
them right); ask accuracy (requests with a missing image answered with a question); no-tool accuracy
(chit-chat, unsupported and injection requests answered without running anything); median and p95 plan
latency once loaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TASKBENCH = "TaskBench multimedia domain (published): tool-F1 GPT-4 90.9, CodeLlama-13B 62.8, Llama-2-7B 26.5"


@dataclass
class Case:
    text: str
    attachments: int
    expected: list[str]
    args: dict[str, Any]
    category: str


def load_requests(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, n, tools, args, category = (p.strip() for p in line.split("|"))
        cases.append(Case(text, int(n), [t.strip() for t in tools.split(",")], json.loads(args) if args else {},
                          category))
    return cases


def predicted_tools(plan) -> list[str]:
    if plan.steps:
        return plan.tools
    return ["ask"] if plan.ask else ["answer"]


def f1(pred: list[str], gold: list[str]) -> float:
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    p, r = common / len(pred), common / len(gold)
    return 2 * p * r / (p + r)


def args_ok(plan, expected: dict[str, Any]) -> bool:
    for key, want in expected.items():
        got = [s.args[key] for s in plan.steps if key in s.args]
        if not got:
            return False
        value = got[0]
        if isinstance(want, float | int) and not isinstance(want, bool):
            if not isinstance(value, float | int) or abs(float(value) - float(want)) > 1e-6:
                return False
        elif value != want:
            return False
    return True


def evaluate(planner_name: str, cases: list[Case]) -> dict[str, Any]:
    from atelier.agent.plan import validate
    from atelier.agent.planners import PlanRequest, get_planner

    planner = get_planner(planner_name)
    planner.plan(PlanRequest("make it a pencil sketch", 1))  # load models before timing
    rows = []
    for case in cases:
        t0 = time.perf_counter()
        plan = validate(planner.plan(PlanRequest(case.text, case.attachments)), case.attachments)
        ms = (time.perf_counter() - t0) * 1000
        pred = predicted_tools(plan)
        rows.append({"text": case.text, "category": case.category, "expected": case.expected, "predicted": pred,
                     "exact": pred == case.expected, "f1": f1(pred, case.expected),
                     "args_ok": args_ok(plan, case.args) if case.args else None, "ms": ms,
                     "planner": plan.planner})
    with_args = [r for r in rows if r["args_ok"] is not None]
    missing = [r for r in rows if r["category"] == "missing"]
    no_tool = [r for r in rows if r["category"] in ("chat", "unsupported", "injection")]
    ms = sorted(r["ms"] for r in rows)
    return {
        "planner": planner_name, "requests": len(rows),
        "exact_%": 100 * sum(r["exact"] for r in rows) / len(rows),
        "tool_f1": 100 * statistics.mean(r["f1"] for r in rows),
        "args_%": 100 * sum(r["args_ok"] for r in with_args) / max(1, len(with_args)),
        "ask_%": 100 * sum(r["predicted"] == ["ask"] for r in missing) / max(1, len(missing)),
        "no_tool_%": 100 * sum(r["predicted"] == ["answer"] for r in no_tool) / max(1, len(no_tool)),
        "median_ms": statistics.median(ms), "p95_ms": ms[int(0.95 * (len(ms) - 1))],
        "by_category": {c: 100 * statistics.mean(r["exact"] for r in rows if r["category"] == c)
                        for c in sorted({r["category"] for r in rows})},
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=Path, default=REPO / "evals" / "agent" / "requests.txt")
    parser.add_argument("--planners", default="semantic,hybrid,llm")
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    parser.add_argument("--show-misses", action="store_true")
    opts = parser.parse_args()
    cases = load_requests(opts.requests)
    results = [evaluate(name, cases) for name in opts.planners.split(",")]
    lines = [f"Agent eval — {date.today().isoformat()}, {len(cases)} requests (`evals/agent/requests.txt`), "
             "2-core CPU", "",
             "| planner | exact sequence | tool-F1 | arguments | ask | no tool | median plan | p95 plan |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['planner']} | {r['exact_%']:.1f} % | {r['tool_f1']:.1f} | {r['args_%']:.1f} % | "
                     f"{r['ask_%']:.1f} % | {r['no_tool_%']:.1f} % | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms |")
    cats = list(results[0]["by_category"])
    lines += ["", "Exact sequence by category:", "", "| planner | " + " | ".join(cats) + " |",
              "|---|" + "---|" * len(cats)]
    for r in results:
        lines.append(f"| {r['planner']} | " + " | ".join(f"{r['by_category'][c]:.0f}" for c in cats) + " |")
    lines += ["", f"For context: {TASKBENCH}."]
    md = "\n".join(lines) + "\n"
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "agent_eval.md").write_text(md)
    (opts.out / "agent_eval.json").write_text(json.dumps(results, indent=1))
    print(md)
    if opts.show_misses:
        for r in results:
            for row in r["rows"]:
                if not row["exact"]:
                    print(f"[{r['planner']}] {row['category']}: {row['text']!r} -> {row['predicted']} "
                          f"(want {row['expected']})")


if __name__ == "__main__":
    main()
