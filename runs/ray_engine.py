"""Batches on Ray: the items of ``atelier batch … --engine ray`` fanned out over a Ray cluster (a local one by
default, ``--address auto`` for a running cluster, ``ray://host:10001`` for Ray Client).

Each Ray task runs a chunk of items through ``batch.run_items`` — the same in-process path as the local engine
(models load once per worker process) — and hands back their JSONL lines; the driver writes them in input
order, so the JSONL, the records and resuming are the local engine's. A task whose worker dies is retried by
Ray; its lines only exist once the whole chunk is back, so a line is never lost or written twice.

Tasks ask Ray for what the item's backends declare (``Backend.resources``: ``{"GPU": 1}`` for the diffusion
backends), so GPU work only lands on GPU workers. Workers read inputs and write item files at the paths the
driver names: on more than one machine, ``ATELIER_HOME`` and the inputs must be on a shared filesystem.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from atelier.core.config import Settings
from atelier.core.errors import ErrorCode, ToolError
from atelier.core.registry import ToolSpec, get_tool

MAX_CHUNK = 256  # items per task: large enough to hide Ray's per-task cost, small enough to balance workers
TASK_RETRIES = 3  # a task whose worker process died is run again this many times


def item_resources(spec: ToolSpec, args: dict[str, Any], settings: Settings) -> dict[str, float]:
    """What one item may need: for each role, the declared resources of the backend this call would pick here
    (the named one, or what ``auto`` picks); when it can't be picked here, the most that role's backends ask,
    so the item goes where the heavy model could run."""
    from atelier.core.backends import choose

    requested = str(args.get("backend", "auto"))
    need: dict[str, float] = {}
    for role in dict.fromkeys(b.role for b in spec.backends):
        in_role = [b for b in spec.backends if b.role == role]
        name = requested if requested in {b.name for b in in_role} else "auto"
        try:
            wanted = choose(spec.backends, role, name, settings, tool=spec.name).resources
        except ToolError:
            wanted = {}
            for backend in in_role if name == "auto" else [b for b in in_role if b.name == name]:
                for key, amount in backend.resources.items():
                    wanted[key] = max(wanted.get(key, 0.0), amount)
        for key, amount in wanted.items():
            need[key] = max(need.get(key, 0.0), amount)
    return need


def task_options(need: dict[str, float]) -> dict[str, Any]:
    """Ray ``.options`` for a task needing ``need`` (CPU defaults to one)."""
    custom = {k: v for k, v in need.items() if k not in ("CPU", "GPU")}
    options: dict[str, Any] = {"num_cpus": need.get("CPU", 1.0), "num_gpus": need.get("GPU", 0.0),
                               "max_retries": TASK_RETRIES, "retry_exceptions": False}
    if custom:
        options["resources"] = custom
    return options


def chunked(items: list[Any], workers: int, chunk_size: int | None = None) -> list[list[Any]]:
    """Items in order, cut into chunks: about four per worker (so a slow chunk doesn't hold the rest), at most
    ``MAX_CHUNK`` each."""
    if not items:
        return []
    size = chunk_size or max(1, min(MAX_CHUNK, math.ceil(len(items) / max(1, workers * 4))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _worker_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("ATELIER_") or k in ("HF_HUB_OFFLINE",)}


def connect(address: str | None) -> tuple[Any, bool]:
    """Ray, initialised: the running session if there is one, else ``address`` (``auto``, ``ray://…``), else a
    new local cluster. Returns (ray, whether we started it)."""
    try:
        import ray
    except ImportError:
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, "the Ray engine needs the ray package (pip install ray)") \
            from None
    if ray.is_initialized():
        return ray, False
    import logging

    kwargs: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING,
                              "runtime_env": {"env_vars": _worker_env()}}
    if address:
        kwargs["address"] = address
    else:
        kwargs["include_dashboard"] = False
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"cannot reach a Ray cluster at {address or 'local'}: "
                        f"{exc}") from None
    return ray, True


def _run_chunk(chunk: list[tuple[int, str]], tool: str, args: dict[str, Any], run_dir: str, run_id: str,
               settings: Settings, image_role: str, out_dir: str | None) -> list[dict[str, Any]]:
    """On a worker: the chunk's items through the in-process path, their lines in order."""
    from atelier.runs.batch import run_items

    items = [(index, Path(path)) for index, path in chunk]
    return list(run_items(items, tool, args, Path(run_dir), run_id, settings, image_role,
                          Path(out_dir) if out_dir else None))


def failed_line(index: int, path: Path, tool: str, run_id: str, message: str) -> dict[str, Any]:
    """The line of an item that never came back from its worker (shaped like ``batch.run_item``'s)."""
    from atelier.core.result import ErrorInfo, ToolResult

    result = ToolResult(tool=tool, ok=False, error=ErrorInfo(code=ErrorCode.INTERNAL, message=message[:2000]),
                        run_id=run_id)
    return {"input": str(path), "item_id": f"{run_id}/{index:06d}", "item": index, **result.model_dump(mode="json")}


@functools.cache
def _remote_chunk():
    import ray

    return ray.remote(_run_chunk)


def ray_items(items: list[tuple[int, Path]], tool: str, args: dict[str, Any], run_dir: Path, run_id: str,
              settings: Settings, image_role: str = "image", out_dir: Path | None = None,
              address: str | None = None, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
    """The lines of ``items`` (``(index, path)``), computed on Ray, yielded in input order as chunks finish."""
    if not items:
        return
    ray, started = connect(address)
    try:
        need = item_resources(get_tool(tool), args, settings)
        cluster = ray.cluster_resources()
        short = {k: v for k, v in need.items() if cluster.get(k, 0.0) < v}
        if short:
            raise ToolError(ErrorCode.BACKEND_UNAVAILABLE,
                            f"{tool} needs {short} per item and no Ray worker has that (cluster: "
                            f"{ {k: cluster.get(k, 0.0) for k in short} })")
        workers = max(1, int(cluster.get("CPU", 1.0) // max(need.get("CPU", 1.0), 1e-9)))
        if need.get("GPU"):
            workers = max(1, min(workers, int(cluster.get("GPU", 0.0) // need["GPU"])))
        task = _remote_chunk().options(**task_options(need))
        job = (tool, args, str(run_dir), run_id, settings, image_role, str(out_dir) if out_dir else None)
        chunks = chunked(items, workers, chunk_size)
        pending = [task.remote([(i, str(p)) for i, p in chunk], *job) for chunk in chunks]
        for chunk, ref in zip(chunks, pending, strict=True):
            try:
                lines = ray.get(ref)
            except ray.exceptions.RayError as exc:  # retries spent: the items fail, --retry-failed runs them again
                lines = [failed_line(index, path, tool, run_id, f"the Ray worker running it failed: {exc}")
                         for index, path in chunk]
            yield from lines
    finally:
        if started:
            ray.shutdown()
