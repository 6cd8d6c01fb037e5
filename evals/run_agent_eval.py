"""Scripted agent eval: every planner on the same requests, scored as the graph would run the plans (after
validation).

    .venv/bin/python evals/run_agent_eval.py [--requests evals/agent/holdout_v2.jsonl] [--planners semantic,llm,hybrid]

Two request formats:
- ``.txt`` (``requests.txt``, ``holdout.txt``): ``text | attachments | expected tools | args | category``;
  a request is exact when the tool sequence matches (``ask``/``answer`` as pseudo-tools).
- ``.jsonl`` (``holdout_v2.jsonl``): ``{"id", "category", "text", "attachments", "thread"?, "expected"}`` with
  ``expected`` = ``{"steps": [{"tool", "args", "inputs"}]}`` | ``{"ask": true}`` | ``{"answer": true}`` |
  ``{"revert": "$last" | "turn:K"}``; ``thread`` = the earlier turns ``[{"text", "attachments", "steps"}]``.
  A request is exact when tools, order, every expected argument and every input reference match (extra
  arguments are allowed; inputs must be equal); a revert is exact when it goes back to the same turn
  (``$last`` = the turn before the last one).

Scores per planner and per category: exact plan; node-F1 (multiset F1 of tool names, ``ask``/``answer``/
``revert`` as pseudo-tools) and edge-F1 (F1 of the data edges ``producer -> consumer`` that ``$stepK`` inputs
make), TaskBench's measures; argument accuracy (requests with expected arguments: all right); ask accuracy
(requests that should ask back: asked); no-tool accuracy (answers); p50 and p95 plan latency once loaded.
The report names the commit of the request file.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TASKBENCH = ("TaskBench multimedia domain (published): node-F1 GPT-4 90.9, CodeLlama-13B 62.8, Llama-2-7B 26.5; "
             "edge-F1 GPT-4 69.9")
STOP = {"my", "the", "a", "an", "of", "from", "all", "me", "show", "find", "past", "previous", "old", "earlier",
        "i", "made", "did", "with", "please", "that", "those", "list", "get", "any", "some"}


@dataclass
class Case:
    text: str
    attachments: int
    category: str
    expected_tools: list[str]
    args: dict[str, Any] = field(default_factory=dict)  # txt format: expected args anywhere in the plan
    steps: list[dict[str, Any]] | None = None  # jsonl format: the expected steps
    revert: str | None = None
    thread: list[dict[str, Any]] = field(default_factory=list)
    id: str = ""


def load_requests(path: Path) -> list[Case]:
    if path.suffix == ".jsonl":
        return load_jsonl(path)
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, n, tools, args, category = (p.strip() for p in line.split("|"))
        cases.append(Case(text, int(n), category, [t.strip() for t in tools.split(",")],
                          json.loads(args) if args else {}))
    return cases


def load_jsonl(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        exp = row["expected"]
        steps = exp.get("steps") or []
        if steps:
            tools = [s["tool"] for s in steps]
        elif exp.get("revert"):
            tools = ["revert"]
        else:
            tools = ["ask"] if exp.get("ask") else ["answer"]
        cases.append(Case(row["text"], int(row.get("attachments", 0)), row["category"], tools,
                          steps=steps if steps else None, revert=exp.get("revert"), thread=row.get("thread") or [],
                          id=row.get("id", "")))
    return cases


def generated_cases(n: int, seed: int) -> list[Case]:
    """A development list from the training-data generator with another seed (never the held-out list)."""
    from atelier.agent.planners.training.generate import generate

    cases = []
    for ex in generate(n, seed, with_handwritten=False):
        t = ex["target"]
        tools = [s["tool"] for s in t["steps"]] or (["revert"] if t.get("revert") else
                                                    ["ask"] if t.get("reply") == "ask_image" else ["answer"])
        cases.append(Case(ex["text"], ex["attachments"], ex["category"], tools, steps=t["steps"] or None,
                          revert=t.get("revert"), thread=ex["thread"]))
    return cases


def predicted_tools(plan) -> list[str]:
    if plan.steps:
        return plan.tools
    if plan.revert:
        return ["revert"]
    return ["ask"] if plan.ask else ["answer"]


def f1(pred: list, gold: list) -> float:
    if not pred and not gold:
        return 1.0
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    p, r = common / len(pred), common / len(gold)
    return 2 * p * r / (p + r)


def edges(steps: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for s in steps:
        for value in (s.get("inputs") or {}).values():
            m = re.fullmatch(r"\$step(\d+)\.\w+", value)
            if m and 1 <= int(m[1]) <= len(steps):
                out.append((steps[int(m[1]) - 1]["tool"], s["tool"]))
    return out


def same_value(got: Any, want: Any, key: str) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, int | float):
        return isinstance(got, int | float) and abs(float(got) - float(want)) <= 0.011
    if isinstance(want, str) and isinstance(got, str):
        a, b = " ".join(got.lower().split()), " ".join(want.lower().split())
        if a == b:
            return True
        if key == "query":
            return set(re.findall(r"[a-z0-9]+", a)) - STOP == set(re.findall(r"[a-z0-9]+", b)) - STOP
    return got == want


def steps_match(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> tuple[bool, bool]:
    """(exact: tools, order, expected args and inputs; args: every expected argument right)."""
    args_right = True
    exact = len(pred) == len(gold)
    for i, g in enumerate(gold):
        p = pred[i] if i < len(pred) and pred[i]["tool"] == g["tool"] else next(
            (s for s in pred if s["tool"] == g["tool"]), None)
        if p is None:
            return False, not any(g.get("args") for g in gold)
        ok_args = all(k in p["args"] and same_value(p["args"][k], v, k) for k, v in (g.get("args") or {}).items())
        args_right &= ok_args
        if i >= len(pred) or pred[i]["tool"] != g["tool"] or not ok_args or \
                (pred[i].get("inputs") or {}) != (g.get("inputs") or {}):
            exact = False
    return exact, args_right


def revert_target(value: str | None, n_turns: int) -> int | None:
    if value == "$last":
        return n_turns - 1
    if value and value.startswith("turn:") and value[5:].isdigit():
        return int(value[5:])
    return None


def args_ok_txt(plan, expected: dict[str, Any]) -> bool:
    for key, want in expected.items():
        got = [s.args[key] for s in plan.steps if key in s.args]
        if not got or not same_value(got[0], want, key):
            return False
    return True


def has_image(thread: list[dict[str, Any]]) -> bool:
    from atelier.agent.catalogue import catalogue, chains_image

    return any(s["tool"] in catalogue() and chains_image(catalogue()[s["tool"]])
               for t in thread for s in t.get("steps") or [])


def score(case: Case, plan) -> dict[str, Any]:
    pred = predicted_tools(plan)
    pred_steps = [{"tool": s.tool, "args": s.args, "inputs": s.inputs} for s in plan.steps]
    row: dict[str, Any] = {"id": case.id, "text": case.text[:300], "category": case.category,
                           "expected": case.expected_tools, "predicted": pred, "node_f1": f1(pred, case.expected_tools),
                           "planner": plan.planner, "args_ok": None}
    if case.steps is not None:
        exact, args_right = steps_match(pred_steps, case.steps)
        row["edge_f1"] = f1(edges(pred_steps), edges(case.steps)) if edges(case.steps) or edges(pred_steps) \
            else None
        if any(s.get("args") for s in case.steps):
            row["args_ok"] = args_right
        row["plan"] = pred_steps
        row["want"] = case.steps
    elif case.revert is not None:
        n = len(case.thread)
        exact = plan.revert is not None and not plan.steps and \
            revert_target(plan.revert, n) == revert_target(case.revert, n)
        row["plan"] = {"revert": plan.revert}
    else:
        exact = pred == case.expected_tools
        if case.args:
            row["args_ok"] = args_ok_txt(plan, case.args)
            exact = exact and (row["args_ok"] or not plan.steps)
        if not plan.steps:
            row["plan"] = {"ask": plan.ask, "answer": (plan.answer or "")[:120]}
        else:
            row["plan"] = pred_steps
    row["exact"] = bool(exact)
    return row


def evaluate(planner_name: str, cases: list[Case], stop_at: float | None = None) -> dict[str, Any]:
    """Plan every case (until ``stop_at``, a ``time.time()``: the scores are then over the cases planned)."""
    from atelier.agent.plan import validate
    from atelier.agent.planners import PlanRequest, get_planner

    planner = get_planner(planner_name)
    planner.plan(PlanRequest("make it a pencil sketch", 1))  # load models before timing
    rows = []
    for case in cases:
        if stop_at is not None and time.time() > stop_at and rows:
            break
        last = has_image(case.thread)
        request = PlanRequest(case.text, case.attachments, last, tuple(case.thread))
        t0 = time.perf_counter()
        plan = validate(planner.plan(request), case.attachments, last)
        ms = (time.perf_counter() - t0) * 1000
        rows.append({**score(case, plan), "ms": ms})
    return summarise(planner_name, rows)


def summarise(planner_name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    with_args = [r for r in rows if r["args_ok"] is not None]
    asks = [r for r in rows if r["expected"] == ["ask"]]
    answers = [r for r in rows if r["expected"] == ["answer"]]
    with_edges = [r["edge_f1"] for r in rows if r.get("edge_f1") is not None]
    ms = sorted(r["ms"] for r in rows)

    def pct(items, key="exact"):
        return 100 * sum(bool(r[key]) for r in items) / max(1, len(items))

    return {
        "planner": planner_name, "requests": len(rows), "exact_%": pct(rows),
        "node_f1": 100 * statistics.mean(r["node_f1"] for r in rows),
        "edge_f1": 100 * statistics.mean(with_edges) if with_edges else None,
        "args_%": pct(with_args, "args_ok"),
        "ask_%": 100 * sum(r["predicted"] == ["ask"] for r in asks) / max(1, len(asks)),
        "no_tool_%": 100 * sum(r["predicted"] == ["answer"] for r in answers) / max(1, len(answers)),
        "p50_ms": statistics.median(ms), "p95_ms": ms[int(0.95 * (len(ms) - 1))],
        "by_category": {c: pct([r for r in rows if r["category"] == c]) for c in sorted({r["category"] for r in rows})},
        "planners_used": dict(Counter(r["planner"] for r in rows)),
        "rows": rows,
    }


def commit_of(path: Path) -> str:
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%h %cs", "--", str(path)], cwd=REPO, capture_output=True,
                             text=True, check=False).stdout.strip()
    except OSError:
        out = ""
    return out or "uncommitted"


def report(results: list[dict[str, Any]], path: Path, cases: list[Case]) -> str:
    rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    lines = [f"Agent eval — {date.today().isoformat()}, {len(cases)} requests (`{rel}`, commit {commit_of(path)}), "
             "2-core CPU", "",
             "| planner | exact plan | node-F1 | edge-F1 | arguments | ask | no tool | p50 plan | p95 plan |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        edge = f"{r['edge_f1']:.1f}" if r["edge_f1"] is not None else "–"
        lines.append(f"| {r['planner']} | {r['exact_%']:.1f} % | {r['node_f1']:.1f} | {edge} | {r['args_%']:.1f} % | "
                     f"{r['ask_%']:.1f} % | {r['no_tool_%']:.1f} % | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms |")
    cats = sorted({c.category for c in cases})
    counts = Counter(c.category for c in cases)
    lines += ["", "Exact plan by category (requests in brackets):", "",
              "| planner | " + " | ".join(f"{c} ({counts[c]})" for c in cats) + " |", "|---|" + "---|" * len(cats)]
    for r in results:
        lines.append(f"| {r['planner']} | " + " | ".join(f"{r['by_category'][c]:.0f}" if c in r["by_category"]
                                                         else "–" for c in cats) + " |")
    for r in results:
        if r["requests"] < len(cases):
            lines.append(f"\n{r['planner']}: **partial** — {r['requests']} of {len(cases)} requests planned before "
                         "the deadline; its scores are over those only.")
    for r in results:
        if set(r["planners_used"]) - {r["planner"]}:
            lines.append(f"\n{r['planner']}: plans made by " + ", ".join(f"{k} {v}" for k, v in
                                                                         sorted(r["planners_used"].items())))
    lines += ["", f"For context: {TASKBENCH}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=Path, default=REPO / "evals" / "agent" / "requests.txt")
    parser.add_argument("--planners", default="semantic,hybrid,llm")
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports")
    parser.add_argument("--name", help="report file stem (default: from the request file)")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--generated", type=int, default=0,
                        help="instead: N requests from the training-data generator (a development list)")
    parser.add_argument("--seed", type=int, default=1000, help="the generator seed for --generated")
    parser.add_argument("--deadline", help="stop planning at this UTC time (HH:MM) and report what was planned")
    opts = parser.parse_args()
    path = opts.requests.resolve()
    cases = generated_cases(opts.generated, opts.seed) if opts.generated else load_requests(path)
    if opts.generated:
        path = REPO / "agent" / "planners" / "training" / "generate.py"
    stop_at = None
    if opts.deadline:
        from datetime import UTC, datetime

        hour, minute = (int(x) for x in opts.deadline.split(":"))
        stop_at = datetime.now(UTC).replace(hour=hour, minute=minute, second=0).timestamp()
    results = [evaluate(name, cases, stop_at) for name in opts.planners.split(",")]
    md = report(results, path, cases)
    stem = opts.name or ("agent_generated_dev" if opts.generated else
                         {"requests": "agent_eval", "holdout": "agent_holdout"}.get(path.stem, f"agent_{path.stem}"))
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / f"{stem}.md").write_text(md)
    meta = {"requests": str(path.relative_to(REPO) if path.is_relative_to(REPO) else path),
            "commit": commit_of(path), "date": date.today().isoformat()}
    (opts.out / f"{stem}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(md)
    if opts.show_misses:
        for r in results:
            for row in r["rows"]:
                if not row["exact"]:
                    print(f"[{r['planner']}] {row['category']}: {row['text']!r} -> {json.dumps(row.get('plan'))} "
                          f"(want {json.dumps(row.get('want', row['expected']))})")


if __name__ == "__main__":
    main()
