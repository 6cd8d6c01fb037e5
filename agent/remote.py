"""Use an Atelier server (``ATELIER_SERVER=http://host:port``, plus ``ATELIER_TOKEN``) instead of running tools
here: the CLI's ``tool``, ``plan`` and ``ask`` print the same JSON as locally (artifacts as URLs, or downloaded
with ``--out``), plus ``host``, the machine that ran it. ``RemoteSession`` has ``Session.ask``'s signature and
returns a ``Reply`` whose files are downloaded copies, so a chat can drive a GPU box unchanged."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from atelier.core.config import Settings, load_settings
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.result import ErrorInfo, ToolResult

TIMEOUT = httpx.Timeout(900.0, connect=10.0)


class RemoteError(Exception):
    """The server could not be used (unreachable, refused the token, answered nonsense)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"[{code}] {message}")
        self.code, self.message = code, message


class Client:
    """A thin httpx client for one server; every call sends the token when one is set."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        if not self.settings.server:
            raise RemoteError(ErrorCode.BAD_ARGUMENT.value, "ATELIER_SERVER is not set")
        self.base = self.settings.server.rstrip("/")
        headers = {"Authorization": f"Bearer {self.settings.token}"} if self.settings.token else {}
        self.http = httpx.Client(base_url=self.base, headers=headers, timeout=TIMEOUT)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        try:
            response = self.http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise RemoteError(ErrorCode.BACKEND_UNAVAILABLE.value,
                              f"cannot reach the Atelier server at {self.base}: {exc}") from None
        if response.status_code == 401:
            raise RemoteError(ErrorCode.BAD_ARGUMENT.value,
                              f"{self.base} refused the request: set ATELIER_TOKEN to the server's token")
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            return response.json()
        except ValueError:
            raise RemoteError(ErrorCode.INTERNAL.value,
                              f"{self.base} answered {response.status_code} without JSON") from None

    @staticmethod
    def _files(images: dict[str, str | Path | None], stack: ExitStack) -> list[tuple[str, tuple[str, Any]]]:
        files = []
        for role, path in images.items():
            if path:
                files.append((role, (Path(path).name, stack.enter_context(open(path, "rb")))))  # noqa: SIM115
        return files

    def tool(self, name: str, images: dict[str, str | Path | None], args: dict[str, Any], record: bool = True,
             timeout: float | None = None) -> dict[str, Any]:
        """The tool's result JSON (with ``host``); a local file that cannot be sent fails as it would here."""
        for path in (p for p in images.values() if p):
            problem = _unreadable(Path(path))
            if problem:
                return ToolResult(tool=name, ok=False, error=ErrorInfo(
                    code=ErrorCode.INVALID_IMAGE, message=f"{path}: {problem}")).model_dump(mode="json")
        data = {"args": json.dumps(args), "record": "true" if record else "false"}
        if timeout is not None:
            data["timeout"] = str(timeout)
        with ExitStack() as stack:
            response = self.request("POST", f"/tools/{name}", data=data, files=self._files(images, stack) or None)
        body = self._json(response)
        if response.is_success:
            return body
        if isinstance(body.get("result"), dict):
            return body["result"]
        return {**ToolResult(tool=name, ok=False, error=ErrorInfo(
            code=_code(body.get("code")), message=str(body.get("message")))).model_dump(mode="json"),
            "host": response.headers.get("x-atelier-host")}

    def plan(self, text: str, images: list[str | Path], planner: str | None = None, has_last_image: bool = False,
             thread_id: str | None = None) -> dict[str, Any]:
        body = {"request": text, "n_attachments": len(images), "planner": planner, "has_last_image": has_last_image,
                "thread_id": thread_id}
        response = self.request("POST", "/plan", json={k: v for k, v in body.items() if v is not None})
        return self._checked(response)

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        body = self._json(response)
        if not response.is_success:
            raise RemoteError(str(body.get("code", "INTERNAL")), str(body.get("message", body)))
        return body

    def ask(self, text: str, images: list[str | Path], thread_id: str | None = None, planner: str | None = None,
            on_event: Callable[[dict[str, Any]], None] | None = None,
            defaults: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """One turn on the server, run as a job so progress arrives as events (passed to ``on_event``)."""
        data = {"request": text, "background": "true"}
        for key, value in (("thread_id", thread_id), ("planner", planner)):
            if value:
                data[key] = value
        if defaults:
            data["defaults"] = json.dumps(defaults)
        with ExitStack() as stack:
            files = [("images", (Path(p).name, stack.enter_context(open(p, "rb")))) for p in images]
            job = self._checked(self.request("POST", "/ask", data=data, files=files or None))
        for event in self.events(job["job_id"]):
            if event["event"] == "progress" and on_event:
                on_event({"event" if k == "stage" else k: v for k, v in event.items()
                          if k not in ("seq", "job_id", "event")})
            elif event["event"] == "done":
                return event["result"]
            elif event["event"] == "failed":
                result = event.get("result") or {}
                raise RemoteError(str(result.get("code", "INTERNAL")), str(result.get("message", result)))
        raise RemoteError(ErrorCode.INTERNAL.value, f"job {job['job_id']} ended without a result")

    def threads(self) -> list[dict[str, Any]]:
        return list(self._checked(self.request("GET", "/threads")))

    def thread(self, method: str, thread_id: str, action: str = "", body: dict[str, Any] | None = None) -> Any:
        """One conversation route: ``GET``/``PATCH``/``DELETE /threads/{id}`` or ``POST /threads/{id}/{action}``."""
        url = f"/threads/{quote(thread_id, safe='')}" + (f"/{action}" if action else "")
        return self._checked(self.request(method, url, **({"json": body} if body is not None else {})))

    def events(self, job_id: str) -> Iterator[dict[str, Any]]:
        """A job's server-sent events, in order, until it is done."""
        try:
            with self.http.stream("GET", f"/jobs/{job_id}/events") as response:
                if response.status_code != 200:
                    response.read()
                    raise RemoteError(str(self._json(response).get("code")), f"no events for job {job_id}")
                yield from parse_sse(response.iter_lines())
        except httpx.HTTPError as exc:
            raise RemoteError(ErrorCode.BACKEND_UNAVAILABLE.value, f"lost the server at {self.base}: {exc}") from None

    def download(self, url: str, dest: Path) -> Path:
        response = self.request("GET", url)
        if response.status_code != 200:
            raise RemoteError(ErrorCode.INTERNAL.value, f"could not download {url} ({response.status_code})")
        from atelier.core.images import write_bytes_atomic

        return write_bytes_atomic(response.content, dest)


def parse_sse(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """``data:`` payloads (JSON) of a ``text/event-stream``, one dict per event; comments are skipped."""
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield json.loads("\n".join(data))
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield json.loads("\n".join(data))


def _code(raw: Any) -> ErrorCode:
    try:
        return ErrorCode(raw)
    except ValueError:
        return ErrorCode.INTERNAL


def _unreadable(path: Path) -> str | None:
    if not path.exists():
        return "no such file"
    if path.is_dir():
        return "is a directory, not an image file"
    return None


def _is_url(value: Any, base: str) -> bool:
    return isinstance(value, str) and value.startswith(base + "/")


SERVED = re.compile(r"(?:runs/[\w-]{1,80}/artifacts|attachments|scratch/[0-9a-f]{16})/[\w.-]{1,200}")


def localize(value: Any, client: Client, folder: Path) -> Any:
    """Every file URL of the server in ``value`` (a run's artifact, a stored attachment, a scratch output)
    replaced by a downloaded copy under ``folder``, kept by path; any other string, a request's own words
    that happen to start with the server's address included, stays as it is, and nothing is written outside
    ``folder``."""
    if _is_url(value, client.base):
        rel = urlsplit(value).path.strip("/")
        dest = folder / rel.replace("artifacts/", "")
        if not SERVED.fullmatch(rel) or ".." in rel.split("/") or not dest.resolve().is_relative_to(folder.resolve()):
            return value
        if not dest.suffix:
            dest = dest.with_suffix(".png")  # stored attachments are PNGs named by their sha256
        return str(dest if dest.exists() else client.download(value, dest))
    if isinstance(value, dict):
        return {k: localize(v, client, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, client, folder) for v in value]
    return value


class RemoteSession:
    """``Session``'s ``ask`` against a server: files of the reply are downloaded under
    ``ATELIER_HOME/remote/<server>/``, so whoever shows them (the chat) reads local paths as usual."""

    def __init__(self, settings: Settings | None = None, download: bool = True):
        self.settings = settings or load_settings()
        self.client = Client(self.settings)
        netloc = urlsplit(self.client.base).netloc.replace(":", "_") or "server"
        self.folder = self.settings.home / "remote" / netloc
        self.download = download

    def ask(self, text: str, attachments: list[str | Path] | None = None, thread_id: str | None = None,
            planner: str | None = None, on_event: Callable[[dict[str, Any]], None] | None = None,
            defaults: dict[str, dict[str, Any]] | None = None, names: list[str] | None = None):
        from atelier.agent.session import Reply

        data = self.client.ask(text, list(attachments or []), thread_id, planner, on_event, defaults)
        if self.download:
            data = localize(data, self.client, self.folder)
        reply = Reply(data["thread_id"], data["request_id"], data["answer"], data.get("plan") or {},
                      data.get("results", []), data.get("attachments", []))
        reply.host = data.get("host")  # the machine that ran the turn
        reply.notes = list(data.get("notes", []))
        reply.awaiting = data.get("awaiting")
        reply.new_attachments = list(data.get("new_attachments", []))
        return reply

    # The conversation list, the history tree and re-runs live with the threads on the server; their images
    # come back as URLs and are shown from downloaded copies, like a turn's.
    def _thread(self, thread_id: str) -> dict[str, Any]:
        try:
            return self._local(self.client.thread("GET", thread_id))
        except RemoteError as exc:
            if exc.code == "NOT_FOUND":
                return {}
            raise

    def _local(self, data: Any) -> Any:
        return localize(data, self.client, self.folder) if self.download else data

    def threads(self) -> list[tuple[str, str]]:
        return [(t["thread_id"], t["title"]) for t in self.client.threads()]

    def history(self, thread_id: str) -> list[dict[str, Any]]:
        return list(self._thread(thread_id).get("history", []))

    def nodes(self, thread_id: str) -> list[dict[str, Any]]:
        return list(self._thread(thread_id).get("nodes", []))

    def path(self, thread_id: str) -> list[dict[str, Any]]:
        return list(self._thread(thread_id).get("path", []))

    def current(self, thread_id: str) -> str | None:
        return self._thread(thread_id).get("current")

    def awaiting(self, thread_id: str) -> dict[str, Any] | None:
        return self._thread(thread_id).get("awaiting")

    def _node(self, view: dict[str, Any], node_id: str | None) -> dict[str, Any] | None:
        return next((n for n in view.get("nodes", []) if n["id"] == node_id), None)

    def goto(self, thread_id: str, node_id: str | None, note: str = "") -> dict[str, Any] | None:
        view = self._local(self.client.thread("POST", thread_id, "goto", {"node_id": node_id, "note": note}))
        return self._node(view, node_id)

    def undo(self, thread_id: str) -> dict[str, Any] | None:
        view = self._local(self.client.thread("POST", thread_id, "undo"))
        return self._node(view, view.get("current"))

    def adopt(self, thread_id: str, node_id: str, image: str) -> dict[str, Any]:
        view = self._local(self.client.thread("POST", thread_id, "adopt",
                                              {"node_id": node_id, "image": self.remote_url(image)}))
        return self._node(view, view.get("current")) or {}

    def rerun(self, thread_id: str, node_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        return self._local(self.client.thread("POST", thread_id, "rerun", {"node_id": node_id, "changes": changes}))

    def rename(self, thread_id: str, title: str) -> None:
        self.client.thread("PATCH", thread_id, body={"title": title})

    def delete_thread(self, thread_id: str) -> int:
        return int(self.client.thread("DELETE", thread_id)["runs"])

    def remote_url(self, path: str | Path) -> str:
        """The server URL a downloaded run file came from (``localize`` in reverse); other values unchanged."""
        try:
            rel = Path(path).resolve().relative_to(self.folder.resolve())
        except ValueError:
            return str(path)
        if len(rel.parts) == 3 and rel.parts[0] == "runs":
            return f"{self.client.base}/runs/{rel.parts[1]}/artifacts/{rel.parts[2]}"
        return str(path)

    @property
    def runs(self):
        from atelier.runs.store import RunStore

        return RunStore(self.settings.home)


# ---------------------------------------------------------------- the CLI's remote branches

def _fail(exc: RemoteError) -> int:
    sys.stderr.write(f"[{exc.code}] {exc.message}\n")
    return 1 if exc.code == ErrorCode.INTERNAL.value else 2


def tool_command(name: str, images: dict[str, str | None], args: dict[str, Any], out: str | None, as_json: bool,
                 record: bool, timeout: float | None) -> int:
    """``atelier tool`` on the server; with ``--out`` the artifacts are downloaded there (paths, as locally)."""
    try:
        client = Client()
        data = client.tool(name, images, args, record, timeout)
        if out is not None and data.get("artifacts"):  # named and never overwriting, as a local --out
            import tempfile

            from atelier.runs.invoke import export, input_stem

            with tempfile.TemporaryDirectory(prefix="atelier-remote-") as tmp:
                fetched = {k: str(client.download(url, Path(tmp) / Path(urlsplit(url).path).name))
                           for k, url in data["artifacts"].items()}
                data["artifacts"] = export(fetched, Path(out), input_stem(images), name)
    except RemoteError as exc:
        return _fail(exc)
    except ToolError as exc:  # --out cannot be written
        data = {**data, "ok": False, "artifacts": {}, "error": {"code": exc.code.value, "message": exc.message}}
    result = ToolResult.model_validate(data)
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        from atelier.agent.cli import _print_result

        _print_result(result, images)
        print(f"  ran on {data.get('host')} ({client.base})")
    return result.exit_code


def plan_command(text: str, images: list[Path], planner: str | None, has_last_image: bool, as_json: bool) -> int:
    try:
        data = Client().plan(text, images, planner, has_last_image)
    except RemoteError as exc:
        return _fail(exc)
    sys.stderr.write(f"planned on {data.pop('host', '?')} in {data.pop('seconds', 0) * 1000:.0f} ms\n")
    if as_json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"planner: {data['planner']}")
    for step in data["steps"]:
        print(f"  {step['id']}: {step['tool']} {step['args'] or ''} {step['inputs']}")
    for key in ("ask", "answer"):
        if data.get(key):
            print(f"{key}: {data[key]}")
    return 0


def ask_command(text: str, images: list[Path], thread: str | None, planner: str | None, as_json: bool,
                on_event: Callable[[dict[str, Any]], None]) -> int:
    try:
        missing = [str(p) for p in images if _unreadable(Path(p))]
        if missing:
            raise RemoteError(ErrorCode.BAD_ARGUMENT.value, f"cannot attach {', '.join(missing)}: no such file")
        data = Client().ask(text, images, thread, planner, on_event)
    except RemoteError as exc:
        return _fail(exc)
    sys.stderr.write("\n")
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    else:
        print(data["answer"])
        sys.stderr.write(f"thread {data['thread_id']} on {data.get('host')} (continue with --thread "
                         f"{data['thread_id']})\n")
    failed = [r for r in data.get("results", []) if not r.get("ok") and not r.get("skipped")]
    return 1 if failed and failed[-1]["result"]["error"]["code"] == "INTERNAL" else 2 if failed else 0
