"""The one way Atelier writes output files: into a run folder or a user's ``--out`` folder.

Every file is written atomically (a temp file in the same folder, then a rename or a hard link), with the mode
the process umask allows (not ``mkstemp``'s 0600). A call's files are written all or nothing: when one fails,
the ones already written are removed. An ``OSError`` becomes a ``ToolError`` the caller records:
``DISK_FULL`` when the disk (or quota) is full, else ``OUTPUT_UNWRITABLE`` (a file where a folder should be,
a read-only folder, ``/dev/null``, a missing permission). In a user's folder nothing is ever overwritten:
names are built from the input's stem and the tool (``astronaut-sketchify.png``) and get ``-1``, ``-2`` …
when taken.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from .errors import ErrorCode, ToolError

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process umask (read by setting it and putting it straight back)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def output_error(exc: OSError, where: Path | str) -> ToolError:
    """What an ``OSError`` while writing under ``where`` means to the user."""
    reason = exc.strerror or str(exc)
    if exc.errno in _FULL:
        return ToolError(ErrorCode.DISK_FULL, f"no space left while writing to {where} ({reason})")
    return ToolError(ErrorCode.OUTPUT_UNWRITABLE, f"cannot write to {where}: {reason}")


def check_output_folder(folder: str | os.PathLike[str]) -> Path:
    """Refuse an output folder that cannot work before anything runs: an empty name, a file (``/dev/null``
    included), a path through a file, a folder we may not write to."""
    if str(folder).strip() == "":
        raise ToolError(ErrorCode.BAD_ARGUMENT, "--out is empty: name a folder (use --out . for this one)")
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise ToolError(ErrorCode.OUTPUT_UNWRITABLE, f"--out {path} is not a folder")
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise ToolError(ErrorCode.OUTPUT_UNWRITABLE, f"--out {path}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ToolError(ErrorCode.OUTPUT_UNWRITABLE, f"--out {path}: {probe} is not writable")
    return path


def _temp_file(data: bytes, folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(data: bytes, target: str | os.PathLike[str], overwrite: bool = True) -> Path:
    """Write ``data`` so that ``target`` is either absent or complete. With ``overwrite=False`` an existing
    ``target`` raises ``FileExistsError`` (the file is linked into place, never renamed over)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_file(data, target.parent, target.name)
    try:
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise
            except OSError as exc:  # a file system without hard links: create-exclusive, then copy
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                with open(target, "xb") as fh:
                    fh.write(data)
                os.chmod(target, 0o666 & ~current_umask())
    finally:
        tmp.unlink(missing_ok=True)
    return target


def output_names(names: list[str], stem: str | None, tool: str, main: str = "image") -> dict[str, str]:
    """File names in a user's folder: ``{stem}-{tool}.png`` for the main image, ``{stem}-{tool}-{name}.ext``
    for the others (``name`` is ``variation_1.png``, ``grid.json`` …)."""
    base = f"{stem}-{tool}" if stem else tool
    out = {}
    for name in names:
        p = Path(name)
        out[name] = f"{base}{p.suffix}" if p.stem == main else f"{base}-{p.stem}{p.suffix}"
    return out


def _numbered(name: str, n: int) -> str:
    p = Path(name)
    return name if n == 0 else f"{p.stem}-{n}{p.suffix}"


def write_outputs(files: Mapping[str, bytes], folder: str | os.PathLike[str], *,
                  names: Mapping[str, str] | None = None, unique: bool = False) -> dict[str, Path]:
    """Write a call's files (``name -> bytes``) into ``folder``, all or nothing; returns ``name -> path``.

    ``names`` renames them on the way (see ``output_names``). With ``unique=True`` nothing existing is
    overwritten: the whole set gets the first free ``-1``, ``-2`` … suffix. Raises ``ToolError``
    (``OUTPUT_UNWRITABLE`` or ``DISK_FULL``) after removing whatever it wrote."""
    folder = Path(folder)
    names = dict(names or {})
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        n = 0
        while True:
            chosen = {key: folder / _numbered(names.get(key, key), n) for key in files}
            if unique and any(p.exists() or p.is_symlink() for p in chosen.values()):
                n += 1
                continue
            try:
                for key, data in files.items():
                    written.append(write_atomic(data, chosen[key], overwrite=not unique))
            except FileExistsError:  # another writer took a name meanwhile: next number, from scratch
                for path in written:
                    path.unlink(missing_ok=True)
                written.clear()
                n += 1
                continue
            return chosen
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise output_error(exc, folder) from None
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
