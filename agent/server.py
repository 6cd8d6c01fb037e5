"""``atelier serve``: Atelier over HTTP (FastAPI + uvicorn) in one process, so specs, backends and the planner's
models are loaded once and stay warm.

Routes: ``GET /health``, ``GET /tools``, ``POST /tools/{name}`` (one route per installed tool, so the OpenAPI
document at ``/openapi.json`` lists every tool with its argument schema), ``POST /plan``, ``POST /ask``,
``GET /runs``, ``GET|DELETE /runs/{id}``, ``GET /runs/{id}/artifacts/{name}``, ``GET /attachments/{sha256}``,
``POST /jobs`` (a batch), ``GET /jobs/{id}`` and ``GET /jobs/{id}/events`` (server-sent progress, in order).

Uploads are written to a private temporary folder only for the length of the call: the tool reads them from
there and the run keeps the same metadata-free copy of the decoded pixels as a CLI call does; the raw bytes are
deleted when the call returns. Failures are recorded as runs and answered with the CLI's codes: 400
``INVALID_IMAGE``, 413 ``IMAGE_TOO_LARGE``, 422 for other caller-fixable codes, 500 ``INTERNAL``; every error
body is ``{"code", "message"}`` (a tool failure adds the full ``result``). Each result names the machine that
ran it (``host``).

It binds 127.0.0.1 unless told otherwise; any other address needs ``ATELIER_TOKEN``, which clients then send as
``Authorization: Bearer <token>`` (when a token is set it is checked on loopback too).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from atelier.core.config import Settings, load_settings
from atelier.core.errors import ErrorCode
from atelier.core.registry import ToolSpec, all_tools
from atelier.core.result import ErrorInfo, ToolResult
from atelier.core.runner import RunOutcome
from atelier.runs.invoke import CallContext, build_record, call_tool
from atelier.runs.store import RunStore, valid_run_id

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
HOST = socket.gethostname()
STATUS = {ErrorCode.INVALID_IMAGE: 400, ErrorCode.IMAGE_TOO_LARGE: 413, ErrorCode.INTERNAL: 500}
SCRATCH_TTL_S = 15 * 60  # outputs of unrecorded calls wait this long to be downloaded
SHA = re.compile(r"[0-9a-f]{64}")
THREAD = re.compile(r"[A-Za-z0-9][\w.-]{0,79}")  # a conversation id: what `ask` makes (t-…) or a client's own


def status_for(code: str) -> int:
    """HTTP status for an error code: the CLI's 'bad input' codes are 4xx, our own bugs 500."""
    try:
        return STATUS.get(ErrorCode(code), 422)
    except ValueError:
        return 422


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, str(code), message, extra


def _safe_name(name: str | None, fallback: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name or "").name).strip("._")[:80]
    return stem or fallback


# ---------------------------------------------------------------- jobs: a queue with ordered progress events

@dataclass
class Job:
    """A queued piece of work (a batch, or an ``ask`` run in the background) and its events, in order."""

    id: str
    kind: str
    created: float = field(default_factory=time.time)
    state: str = "queued"  # queued | running | done | failed
    events: list[dict[str, Any]] = field(default_factory=list)
    result: Any = None
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def emit(self, event: str, **data: Any) -> None:
        with self._cond:
            self.events.append({"seq": len(self.events), "event": event, "job_id": self.id, **data})
            self._cond.notify_all()

    def finish(self, state: str, result: Any) -> None:
        with self._cond:
            self.state, self.result = state, result
            self.events.append({"seq": len(self.events), "event": state, "job_id": self.id, "result": result})
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def wait(self, after: int, timeout: float) -> tuple[list[dict[str, Any]], bool]:
        """Events from index ``after`` on (waiting up to ``timeout`` for one), and whether the job is over."""
        with self._cond:
            if len(self.events) <= after and not self.finished:
                self._cond.wait(timeout)
            return list(self.events[after:]), self.finished

    def summary(self) -> dict[str, Any]:
        return {"job_id": self.id, "kind": self.kind, "state": self.state, "created": self.created,
                "events": len(self.events), "result": self.result}


# ---------------------------------------------------------------- the warm state of one server process

class Atelier:
    """What one server process keeps: settings, the run store, the tools' specs, planners, the agent session
    (built once, on first use or by ``warm``), the jobs and their workers."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = RunStore(settings.home)
        self.specs: dict[str, ToolSpec] = {spec.name: spec for spec in all_tools()}
        self.jobs: dict[str, Job] = {}
        self.workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="atelier-job")
        self.warm = False
        self._session = None
        self._planners: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._thread_locks: dict[str, tuple[threading.Lock, int]] = {}  # id -> (lock, holders and waiters)
        self.scratch = settings.home / "scratch"

    @property
    def session(self):
        with self._lock:
            if self._session is None:
                from atelier.agent.session import Session

                self._session = Session(self.settings)
            return self._session

    def planner(self, name: str | None):
        from atelier.agent.planners import get_planner

        key = name or ""
        with self._lock:
            if key not in self._planners:
                self._planners[key] = get_planner(name)
            return self._planners[key]

    @contextmanager
    def thread_lock(self, thread_id: str) -> Iterator[None]:
        """Turns of one conversation run one at a time; different conversations run side by side. A lock lives
        only while someone holds or waits for it, so made-up ids cannot grow the table."""
        with self._lock:
            lock, users = self._thread_locks.get(thread_id, (threading.Lock(), 0))
            self._thread_locks[thread_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._thread_locks[thread_id]
                if users == 1:
                    del self._thread_locks[thread_id]
                else:
                    self._thread_locks[thread_id] = (lock, users - 1)

    def warm_up(self) -> None:
        """Load what the first requests would otherwise wait for: backend probes, the planner and its models,
        the agent graph."""
        from atelier.agent.planners import PlanRequest

        for spec in self.specs.values():
            spec.backend_statuses(self.settings)
        planner = self.planner(None)
        for text, n in (("hello", 0), ("make it a pencil sketch", 1), ("find a neon rainy city look", 0)):
            planner.plan(PlanRequest(text, n, False))
        _ = self.session
        self.warm = True

    def submit(self, kind: str, work: Callable[[Job], Any]) -> Job:
        job = Job(f"j-{secrets.token_hex(6)}", kind)
        self.jobs[job.id] = job

        def run() -> None:
            job.state = "running"
            job.emit("started", kind=kind)
            try:
                job.finish("done", work(job))
            except Exception as exc:  # a job's failure is its result, never a dead worker
                job.finish("failed", {"code": ErrorCode.INTERNAL.value, "message": f"{type(exc).__name__}: {exc}"})

        self.workers.submit(run)
        return job

    def record_failure(self, tool: str, code: ErrorCode, message: str, context: CallContext) -> ToolResult:
        """A failure that happened before the tool could run (an upload over the byte limit) kept as a run."""
        result = ToolResult(tool=tool, ok=False, error=ErrorInfo(code=code, message=message))
        run_id, _ = self.store.new_run(tool)
        result.run_id = run_id
        self.store.save(build_record(RunOutcome(result=result), run_id, {}, self.store, context, {}))
        return result

    def sweep_scratch(self) -> None:
        if not self.scratch.exists():
            return
        cutoff = time.time() - SCRATCH_TTL_S
        for folder in self.scratch.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue


# ---------------------------------------------------------------- uploads

async def read_form(request: Request, limit: int) -> Any:
    """The multipart form, refused with 413 before it is read when the body is obviously over the limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 1024 * 1024:
        raise ApiError(413, ErrorCode.IMAGE_TOO_LARGE,
                       f"the upload ({int(declared) / 2**20:.1f} MiB) is over the {limit / 2**20:.0f} MiB limit")
    try:
        return await request.form(max_files=64, max_fields=64)
    except Exception as exc:  # malformed multipart
        raise ApiError(400, ErrorCode.BAD_ARGUMENT, f"the request body is not a valid multipart form: {exc}") from None


def save_upload(upload: UploadFile, folder: Path, limit: int, fallback: str) -> Path:
    """Copy one uploaded file into ``folder`` (a private temporary folder that the caller deletes), refusing it
    past the byte limit."""
    name = _safe_name(upload.filename, fallback)
    path = folder / name
    n = 1
    while path.exists():
        path, n = folder / f"{n}-{name}", n + 1
    size = 0
    upload.file.seek(0)
    with path.open("wb") as fh:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise ApiError(413, ErrorCode.IMAGE_TOO_LARGE,
                               f"{name}: over the {limit / 2**20:.0f} MiB limit")
            fh.write(chunk)
    return path


def form_files(form: Any, key: str) -> list[UploadFile]:
    return [v for v in form.getlist(key) if isinstance(v, UploadFile)]


def form_text(form: Any, key: str, default: str | None = None) -> str | None:
    value = form.get(key)
    return value if isinstance(value, str) else default


def form_bool(form: Any, key: str, default: bool) -> bool:
    value = form_text(form, key)
    return default if value is None else value.strip().lower() not in ("0", "false", "no", "off", "")


def form_json(form: Any, key: str, default: Any) -> Any:
    raw = form_text(form, key)
    if raw is None or not raw.strip():
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"'{key}' must be JSON: {exc}") from None


# ---------------------------------------------------------------- turning server paths into URLs

class Links:
    """Server paths -> URLs: run files under ``/runs/{id}/artifacts/{file}``, stored attachments under
    ``/attachments/{sha256}``, scratch outputs under ``/scratch/...``."""

    def __init__(self, settings: Settings, base: str):
        self.runs = settings.runs_dir.resolve()
        self.attachments = (settings.home / "attachments").resolve()
        self.scratch = (settings.home / "scratch").resolve()
        self.base = base.rstrip("/")

    def url(self, value: str) -> str:
        if not value.startswith("/"):
            return self._inline(value)
        path = Path(value)
        try:
            rel = path.relative_to(self.runs)
            if len(rel.parts) == 2 and valid_run_id(rel.parts[0]):
                return f"{self.base}/runs/{rel.parts[0]}/artifacts/{rel.parts[1]}"
        except ValueError:
            pass
        try:
            path.relative_to(self.attachments)
            if SHA.fullmatch(path.stem):
                return f"{self.base}/attachments/{path.stem}"
        except ValueError:
            pass
        try:
            rel = path.relative_to(self.scratch)
            return f"{self.base}/scratch/{'/'.join(rel.parts)}"
        except ValueError:
            return self._inline(value)

    def _inline(self, text: str) -> str:
        """Run files named inside a text (an answer that lists its outputs) as URLs too."""
        if str(self.runs) not in text:
            return text
        pattern = re.escape(str(self.runs)) + r"/(\d{8}-\d{6}-[a-z0-9_]{1,40}-[0-9a-f]{6})/([\w.-]+)"
        return re.sub(pattern, lambda m: f"{self.base}/runs/{m[1]}/artifacts/{m[2]}", text)

    def rewrite(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.url(value)
        if isinstance(value, dict):
            return {k: self.rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.rewrite(v) for v in value]
        return value


def scrub(value: Any, folder: Path) -> Any:
    """``value`` with the private upload folder taken out of every string: messages name the upload itself."""
    prefix = f"{folder}/"
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, dict):
        return {k: scrub(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, folder) for v in value]
    return value


def result_json(result: ToolResult, links: Links) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    data["artifacts"] = {k: links.url(v) for k, v in data["artifacts"].items()}
    data["host"] = HOST
    return data


# ---------------------------------------------------------------- the app

def _tool_docs(spec: ToolSpec) -> tuple[str, dict[str, Any]]:
    schema = spec.args_model.model_json_schema()
    props: dict[str, Any] = {
        role.name: {"type": "string", "format": "binary",
                    "description": (role.description or role.name) + ("" if role.required else " (optional)")}
        for role in spec.images
    }
    props.update({
        "args": {"type": "string", "description": "the tool's arguments as a JSON object (schema below)",
                 "default": "{}"},
        "record": {"type": "boolean", "default": True, "description": "keep a run record (false: keep nothing)"},
        "timeout": {"type": "number", "description": "seconds before TIMEOUT"},
    })
    required = [r.name for r in spec.images if r.required]
    body = {"required": False, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": props, **({"required": required} if required else {})}}}}
    description = (f"{spec.description}\n\nArguments (`args`, JSON):\n\n```json\n{json.dumps(schema, indent=1)}\n```"
                   f"\n\nReturns the ToolResult JSON, artifacts as URLs under `/runs/{{run_id}}/artifacts/`.")
    return description, {"requestBody": body, "x-atelier-args-schema": schema}


ASK_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["request"], "properties": {
        "request": {"type": "string"}, "thread_id": {"type": "string"}, "planner": {"type": "string"},
        "defaults": {"type": "object"}, "background": {"type": "boolean"}}}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["request"], "properties": {
        "request": {"type": "string"}, "thread_id": {"type": "string"}, "planner": {"type": "string"},
        "defaults": {"type": "string", "description": "JSON: per-tool argument defaults"},
        "background": {"type": "boolean", "description": "answer 202 with a job; progress at /jobs/{id}/events"},
        "images": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}

JOB_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["tool", "input"], "properties": {
        "tool": {"type": "string"}, "input": {"type": "string", "description": "a folder or glob on the server"},
        "args": {"type": "object"}, "jsonl": {"type": "string"},
        "engine": {"type": "string", "enum": ["local", "ray"]}, "address": {"type": "string"}}}}}}}


def create_app(settings: Settings | None = None, warm: bool = False) -> FastAPI:
    """The FastAPI app over one warm ``Atelier``; ``warm`` loads the planner's models in the background."""
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

    settings = settings or load_settings()
    state = Atelier(settings)
    bearer = HTTPBearer(auto_error=False, description="ATELIER_TOKEN, required when the server has one")

    def check_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if settings.token is None:
            return
        given = credentials.credentials if credentials else ""
        if not secrets.compare_digest(given.encode(), settings.token.encode()):
            raise ApiError(401, "UNAUTHORIZED", "this server needs `Authorization: Bearer <ATELIER_TOKEN>`")

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm:
            threading.Thread(target=state.warm_up, name="atelier-warm", daemon=True).start()
        yield
        state.workers.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="Atelier", version="0.1.0", description=__doc__.split("\n\n")[0], lifespan=lifespan)
    app.state.atelier = state
    auth = [Depends(check_token)]

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"code": exc.code, "message": exc.message, **exc.extra}, exc.status,
                            headers={"X-Atelier-Host": HOST})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"code": ErrorCode.BAD_ARGUMENT.value, "message": "; ".join(parts)}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        return JSONResponse({"code": code, "message": str(exc.detail)}, exc.status_code)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"code": ErrorCode.INTERNAL.value, "message": f"{type(exc).__name__}: {exc}"}, 500)

    @app.get("/health", summary="Liveness, the machine's name and whether the models are loaded")
    def health() -> dict[str, Any]:
        return {"ok": True, "host": HOST, "warm": state.warm, "tools": list(state.specs),
                "auth": settings.token is not None}

    @app.get("/tools", dependencies=auth, summary="Every tool: images, argument JSON schema, backends available")
    def tools() -> list[dict[str, Any]]:
        rows = []
        for spec in state.specs.values():
            rows.append({
                "name": spec.name, "summary": spec.summary, "description": spec.description,
                "version": spec.version, "produces_image": spec.produces_image,
                "images": [{"name": r.name, "required": r.required, "mode": r.mode, "description": r.description}
                           for r in spec.images],
                "args_schema": spec.args_model.model_json_schema(),
                "backends": [s.as_dict() for s in spec.backend_statuses(settings)],
                "resources": spec.resources, "endpoint": f"/tools/{spec.name}",
            })
        return rows

    async def run_tool_request(name: str, request: Request) -> JSONResponse:
        limit = settings.limits.max_bytes
        state.sweep_scratch()
        context = CallContext()  # a direct call, as from the CLI
        try:
            form = await read_form(request, limit)
        except ApiError as exc:
            if exc.code == ErrorCode.IMAGE_TOO_LARGE:  # a failure is a run, also before the tool starts
                result = await run_in_threadpool(state.record_failure, name, ErrorCode.IMAGE_TOO_LARGE,
                                                 exc.message, context)
                exc.extra["result"] = result_json(result, Links(settings, str(request.base_url)))
            raise
        try:
            args = form_json(form, "args", {})
            if not isinstance(args, dict):
                raise ApiError(422, ErrorCode.BAD_ARGUMENT, "'args' must be a JSON object")
            record = form_bool(form, "record", True)
            raw_timeout = form_text(form, "timeout")
            try:
                timeout = float(raw_timeout) if raw_timeout not in (None, "") else None
            except ValueError:
                raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"'timeout' must be seconds, got {raw_timeout!r}") from None
            spec = state.specs.get(name)
            roles = [r.name for r in spec.images] if spec else ["image", "ref"]
            uploads = {role: files[0] for role in roles if (files := form_files(form, role))}

            def work() -> ToolResult:
                with tempfile.TemporaryDirectory(prefix="atelier-upload-") as tmp:
                    try:
                        paths = {role: str(save_upload(up, Path(tmp), limit, role)) for role, up in uploads.items()}
                    except ApiError as exc:
                        return state.record_failure(name, ErrorCode.IMAGE_TOO_LARGE, exc.message, context)
                    out_dir = None
                    if not record:
                        out_dir = state.scratch / secrets.token_hex(8)
                    names = {role: up.filename or role for role, up in uploads.items()}  # kept in the record
                    result = call_tool(name, paths, args, settings=settings, out_dir=out_dir, record=record,
                                       context=CallContext(names=names or None), timeout_s=timeout)
                    return ToolResult.model_validate(scrub(result.model_dump(mode="json"), Path(tmp)))

            result = await run_in_threadpool(work)
        finally:
            await form.close()
        body = result_json(result, Links(settings, str(request.base_url)))
        if result.ok:
            return JSONResponse(body, headers={"X-Atelier-Host": HOST})
        raise ApiError(status_for(result.error.code), result.error.code, result.error.message,
                       run_id=result.run_id, result=body)

    for spec in state.specs.values():
        description, extra = _tool_docs(spec)

        async def endpoint(request: Request, _name: str = spec.name) -> JSONResponse:
            return await run_tool_request(_name, request)

        app.add_api_route(f"/tools/{spec.name}", endpoint, methods=["POST"], dependencies=auth,
                          summary=f"{spec.name}: {spec.summary}", description=description, openapi_extra=extra,
                          tags=["tools"], operation_id=f"tool_{spec.name}")

    @app.post("/tools/{name}", dependencies=auth, include_in_schema=False)
    async def unknown_tool(name: str, request: Request) -> JSONResponse:
        return await run_tool_request(name, request)

    async def read_request(request: Request) -> tuple[dict[str, Any], list[UploadFile], Any]:
        """``{request, thread_id?, planner?, defaults?, background?}`` as JSON, or the same as form fields plus
        ``images`` files."""
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"the body is not JSON: {exc}") from None
            if not isinstance(body, dict):
                raise ApiError(422, ErrorCode.BAD_ARGUMENT, "the body must be a JSON object")
            return body, [], None
        form = await read_form(request, settings.limits.max_bytes * 8)
        body = {"request": form_text(form, "request"), "thread_id": form_text(form, "thread_id"),
                "planner": form_text(form, "planner"), "defaults": form_json(form, "defaults", None),
                "background": form_bool(form, "background", False),
                "has_last_image": form_bool(form, "has_last_image", False)}
        return body, form_files(form, "images"), form

    def check_body(body: dict[str, Any]) -> str:
        text = body.get("request")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "'request' (what you want done) is required")
        for key in ("thread_id", "planner"):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"'{key}' must be a string")
        if body.get("thread_id") and not THREAD.fullmatch(body["thread_id"]):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"{body['thread_id']!r} is not a conversation id (letters, "
                           "digits, '.', '_' and '-', at most 80)")
        return text

    @app.post("/plan", dependencies=auth, openapi_extra=ASK_BODY,
              summary="The plan for a request (images count as attachments), without running it")
    async def plan(request: Request) -> JSONResponse:
        body, images, form = await read_request(request)
        try:
            text = check_body(body)
            n = len(images) or int(body.get("n_attachments") or 0)
        finally:
            if form is not None:
                await form.close()

        def work() -> dict[str, Any]:
            from atelier.agent.plan import validate
            from atelier.agent.planners import PlanRequest

            try:
                planner = state.planner(body.get("planner"))
            except (ValueError, FileNotFoundError) as exc:
                raise ApiError(422, ErrorCode.BAD_ARGUMENT, str(exc)) from None
            last = bool(body.get("has_last_image"))
            if body.get("thread_id"):
                snapshot = state.session.graph.get_state({"configurable": {"thread_id": body["thread_id"]}})
                last = last or bool((snapshot.values or {}).get("last_image"))
            t0 = time.perf_counter()
            planned = validate(planner.plan(PlanRequest(text, n, last)), n, last)
            return {**planned.model_dump(mode="json"), "host": HOST,
                    "seconds": round(time.perf_counter() - t0, 6)}

        return JSONResponse(await run_in_threadpool(work), headers={"X-Atelier-Host": HOST})

    @app.post("/ask", dependencies=auth, openapi_extra=ASK_BODY,
              summary="Plan, run and answer one turn; `background` gives a job with progress events")
    async def ask(request: Request) -> JSONResponse:
        body, images, form = await read_request(request)
        links = Links(settings, str(request.base_url))
        tmp = Path(tempfile.mkdtemp(prefix="atelier-upload-"))
        try:
            text = check_body(body)
            paths = [save_upload(up, tmp, settings.limits.max_bytes, f"image{i}") for i, up in enumerate(images)]
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            if form is not None:
                await form.close()
        thread_id = body.get("thread_id") or f"t-{secrets.token_hex(4)}"
        defaults = body.get("defaults") if isinstance(body.get("defaults"), dict) else None

        def turn(on_event: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
            try:
                with state.thread_lock(thread_id):
                    reply = state.session.ask(text, paths, thread_id, body.get("planner"), on_event, defaults)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)  # attachments are kept as metadata-free copies only
            data = links.rewrite(scrub(reply.as_dict(), tmp))
            for step in data.get("results", []):
                if isinstance(step.get("result"), dict):
                    step["result"]["host"] = HOST
            return {**data, "host": HOST}

        if body.get("background"):
            def progress(job: Job) -> Callable[[dict[str, Any]], None]:  # the graph's own "event" is the stage
                return lambda event: job.emit("progress", **{"stage" if k == "event" else k: v
                                                              for k, v in event.items()})

            job = state.submit("ask", lambda job: turn(progress(job)))
            return JSONResponse({"job_id": job.id, "thread_id": thread_id, "events": f"/jobs/{job.id}/events",
                                 "host": HOST}, 202)
        try:
            data = await run_in_threadpool(turn, None)
        except (ValueError, FileNotFoundError) as exc:
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, str(exc)) from None
        return JSONResponse(data, headers={"X-Atelier-Host": HOST})

    # ------------------------------------------------ conversations: the chat's sidebar, history and re-runs

    def checked_thread(thread_id: str, must_exist: bool = True) -> str:
        if not THREAD.fullmatch(thread_id):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"{thread_id!r} is not a conversation id")
        if must_exist and not state.session.exists(thread_id):
            raise ApiError(404, "NOT_FOUND", f"no conversation {thread_id}")
        return thread_id

    async def json_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"the body is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "the body must be a JSON object")
        return body

    def in_thread(thread_id: str, request: Request, action: Callable[[Any], Any], view: bool = True) -> Any:
        """``action(session)`` under the conversation's lock, answered with the conversation as it now stands
        (or, ``view=False``, with what the action returned). The session's ValueError (no such result,
        nothing to undo) is a 422, and every server path in the answer becomes a URL."""
        try:
            with state.thread_lock(thread_id):
                data = action(state.session)
                if view:
                    data = thread_view(state.session, thread_id)
        except ValueError as exc:
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, str(exc)) from None
        return Links(settings, str(request.base_url)).rewrite(data)

    def thread_view(session: Any, thread_id: str) -> dict[str, Any]:
        return {"thread_id": thread_id, "title": dict(session.threads()).get(thread_id),
                "history": session.history(thread_id), "nodes": session.nodes(thread_id),
                "path": session.path(thread_id), "current": session.current(thread_id),
                "awaiting": session.awaiting(thread_id), "host": HOST}

    def served_file(value: Any) -> str:
        """A run file named by its URL (or its server path): a variation the user adopts by clicking it."""
        match = re.search(r"/runs/([^/]+)/artifacts/([^/?#]+)$", str(value or ""))
        path = (settings.runs_dir / match[1] / match[2]).resolve() if match and valid_run_id(match[1]) else None
        if path is None or path.parent != (settings.runs_dir / match[1]).resolve() or not path.is_file():
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"{value!r} is not an image of a run on this server")
        return str(path)

    @app.get("/threads", dependencies=auth, summary="Stored conversations, most recent first")
    def threads() -> list[dict[str, Any]]:
        return [{"thread_id": t, "title": title} for t, title in state.session.threads()]

    @app.get("/threads/{thread_id}", dependencies=auth,
             summary="A conversation: its turns, the tree of results, the current branch and any pending question")
    def thread(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id = checked_thread(thread_id)
        # no conversation lock: while a turn runs, the chat reads its last checkpoint instead of waiting for it
        return Links(settings, str(request.base_url)).rewrite(thread_view(state.session, thread_id))

    @app.patch("/threads/{thread_id}", dependencies=auth, summary="Rename a conversation: `{title}`")
    async def rename_thread(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id, body = checked_thread(thread_id), await json_body(request)
        title = body.get("title")
        if not isinstance(title, str):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "renaming needs a 'title' string")
        return await run_in_threadpool(in_thread, thread_id, request, lambda s: s.rename(thread_id, title))

    @app.delete("/threads/{thread_id}", dependencies=auth,
                summary="Forget a conversation and every run it made")
    def delete_thread(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id = checked_thread(thread_id, must_exist=False)  # forgetting twice is no error
        return in_thread(thread_id, request, lambda s: {"deleted": thread_id, "runs": s.delete_thread(thread_id)},
                         view=False)

    @app.post("/threads/{thread_id}/goto", dependencies=auth,
              summary="Make an earlier result current (`{node_id}`; null: back to the start); no tool runs")
    async def goto(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id, body = checked_thread(thread_id), await json_body(request)
        node = body.get("node_id")
        if node is not None and not isinstance(node, str):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "'node_id' must be a string or null")
        return await run_in_threadpool(in_thread, thread_id, request,
                                       lambda s: s.goto(thread_id, node, str(body.get("note") or "")))

    @app.post("/threads/{thread_id}/undo", dependencies=auth, summary="Step back to the result before the current")
    def undo(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id = checked_thread(thread_id)
        return in_thread(thread_id, request, lambda s: s.undo(thread_id))

    @app.post("/threads/{thread_id}/adopt", dependencies=auth,
              summary="Choose one of a result's variations: `{node_id, image}` (the image's artifact URL)")
    async def adopt(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id, body = checked_thread(thread_id), await json_body(request)
        node, image = body.get("node_id"), served_file(body.get("image"))
        if not isinstance(node, str):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "adopting needs the result's 'node_id'")
        return await run_in_threadpool(in_thread, thread_id, request, lambda s: s.adopt(thread_id, node, image))

    @app.post("/threads/{thread_id}/rerun", dependencies=auth,
              summary="Run a result's step again with changed arguments: `{node_id, changes}`; returns the reply")
    async def rerun(thread_id: str, request: Request) -> dict[str, Any]:
        thread_id, body = checked_thread(thread_id), await json_body(request)
        node, changes = body.get("node_id"), body.get("changes")
        if not isinstance(node, str) or not isinstance(changes, dict):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "a re-run needs 'node_id' and a 'changes' object")
        data = await run_in_threadpool(in_thread, thread_id, request, lambda s: s.rerun(thread_id, node, changes),
                                       False)
        return {**data, "host": HOST}

    @app.get("/runs", dependencies=auth, summary="Past runs, most recent first")
    def runs(limit: int = 20, tool: str | None = None) -> list[dict[str, Any]]:
        return [r.__dict__ for r in state.store.list(max(1, min(limit, 1000)), tool)]

    def get_record(run_id: str) -> dict[str, Any]:
        record = state.store.get(run_id) if valid_run_id(run_id) else None
        if record is None:
            raise ApiError(404, "NOT_FOUND", f"no run {run_id}")
        return record

    @app.get("/runs/{run_id}", dependencies=auth, summary="The full record of one run (artifacts as URLs in `urls`)")
    def run(run_id: str, request: Request) -> dict[str, Any]:
        record = get_record(run_id)
        links = Links(settings, str(request.base_url))
        return {**record, "urls": {k: links.url(v) for k, v in (record.get("artifacts") or {}).items()}}

    @app.delete("/runs/{run_id}", dependencies=auth, summary="Remove a run's record, files and stored inputs")
    def delete_run(run_id: str) -> dict[str, Any]:
        get_record(run_id)
        state.store.delete(run_id)
        return {"deleted": run_id}

    @app.get("/runs/{run_id}/artifacts/{name}", dependencies=auth, summary="One output file of a run",
             response_class=FileResponse)
    def artifact(run_id: str, name: str) -> FileResponse:
        record = get_record(run_id)
        run_dir = (settings.runs_dir / run_id).resolve()
        artifacts = record.get("artifacts") or {}
        candidates = [artifacts[name]] if name in artifacts else [p for p in artifacts.values()
                                                                   if Path(p).name == name]
        for candidate in candidates:
            path = Path(candidate).resolve()
            if path.parent == run_dir and path.is_file():
                return FileResponse(path)
        raise ApiError(404, "NOT_FOUND", f"run {run_id} has no artifact {name!r}")

    @app.get("/attachments/{sha256}", dependencies=auth, summary="A stored (metadata-free) chat attachment",
             response_class=FileResponse)
    def attachment(sha256: str) -> FileResponse:
        path = settings.home / "attachments" / sha256[:2] / f"{sha256}.png"
        if not SHA.fullmatch(sha256) or not path.is_file():
            raise ApiError(404, "NOT_FOUND", f"no attachment {sha256}")
        return FileResponse(path)

    @app.get("/scratch/{folder}/{name}", dependencies=auth, include_in_schema=False)
    def scratch(folder: str, name: str) -> FileResponse:
        path = state.scratch / folder / name
        if not re.fullmatch(r"[0-9a-f]{16}", folder) or Path(name).name != name or not path.is_file():
            raise ApiError(404, "NOT_FOUND", "no such unrecorded output (they are kept 15 minutes)")
        return FileResponse(path)

    @app.post("/jobs", dependencies=auth, openapi_extra=JOB_BODY, status_code=202,
              summary="Enqueue a batch over a folder or glob on the server; progress at /jobs/{id}/events")
    async def submit_job(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"the body is not JSON: {exc}") from None
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("tool", "input")):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "a job needs 'tool' and 'input' (a folder or glob)")
        from atelier.runs.batch import expand_inputs, run_batch

        if body["tool"] not in state.specs:
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"unknown tool {body['tool']!r}")
        args = body.get("args") or {}
        if not isinstance(args, dict):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, "'args' must be a JSON object")
        inputs = expand_inputs(body["input"])
        if not inputs:
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"no files match {body['input']}")
        engine = body.get("engine") or "local"
        if engine not in ("local", "ray"):
            raise ApiError(422, ErrorCode.BAD_ARGUMENT, f"unknown engine {engine!r}; choose local or ray")

        def work(job: Job) -> dict[str, Any]:
            jsonl = Path(body.get("jsonl") or settings.home / "jobs" / f"{job.id}.jsonl")

            def progress(done: int, total: int) -> None:
                job.emit("progress", done=done, total=total, percent=round(100.0 * done / max(total, 1), 2))

            extra: dict[str, Any] = {"engine": engine, "address": body.get("address")} if engine != "local" else {}
            summary = run_batch(body["tool"], inputs, args, jsonl, settings, show_progress=False, progress=progress,
                                **extra)
            return dict(summary.__dict__)

        job = state.submit("batch", work)
        return JSONResponse({"job_id": job.id, "events": f"/jobs/{job.id}/events", "total": len(inputs),
                             "host": HOST}, 202)

    @app.get("/jobs", dependencies=auth, summary="Jobs of this server process")
    def jobs() -> list[dict[str, Any]]:
        return [j.summary() for j in state.jobs.values()]

    def get_job(job_id: str) -> Job:
        if job_id not in state.jobs:
            raise ApiError(404, "NOT_FOUND", f"no job {job_id}")
        return state.jobs[job_id]

    @app.get("/jobs/{job_id}", dependencies=auth, summary="A job's state, its result when done")
    def job(job_id: str) -> dict[str, Any]:
        return get_job(job_id).summary()

    @app.get("/jobs/{job_id}/events", dependencies=auth,
             summary="Server-sent events: started, progress…, then done or failed (with the result)")
    async def job_events(job_id: str, request: Request) -> StreamingResponse:
        job = get_job(job_id)
        last = request.headers.get("last-event-id", "")
        start = int(last) + 1 if last.isdigit() else 0

        async def stream():
            i = start
            while True:
                events, finished = await asyncio.to_thread(job.wait, i, 10.0)
                for event in events:
                    yield f"id: {event['seq']}\nevent: {event['event']}\ndata: {json.dumps(event, default=str)}\n\n"
                i += len(events)
                if finished and i >= len(job.events):
                    return
                if not events:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Atelier-Host": HOST})

    return app


def serve(host: str = "127.0.0.1", port: int = 8765, settings: Settings | None = None, warm: bool = True) -> int:
    """Run the server until interrupted; 2 when the bind address needs a token that is not set."""
    import sys

    import uvicorn

    settings = settings or load_settings()
    if host not in LOOPBACK and not settings.token:
        sys.stderr.write(f"[BAD_ARGUMENT] binding {host} makes Atelier reachable from other machines: set "
                         "ATELIER_TOKEN (clients send it as `Authorization: Bearer …`), or bind 127.0.0.1\n")
        return 2
    app = create_app(settings, warm=warm)
    sys.stderr.write(f"Atelier on http://{host}:{port} (docs at /docs) as {HOST}"
                     f"{', token required' if settings.token else ''}\n")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    return 0
