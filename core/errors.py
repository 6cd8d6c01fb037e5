"""Errors are values at the tool boundary: a code the user (and the agent) can act on, and a message."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_IMAGE = "INVALID_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    BAD_ARGUMENT = "BAD_ARGUMENT"
    NO_FACE = "NO_FACE"
    NEEDS_REFERENCE = "NEEDS_REFERENCE"
    NOT_A_PUNK = "NOT_A_PUNK"
    NO_MATCH = "NO_MATCH"
    BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"  # the user stopped the call (the chat's Cancel button)
    OUTPUT_UNWRITABLE = "OUTPUT_UNWRITABLE"  # the output folder is a file, read-only, missing a parent, /dev/null
    DISK_FULL = "DISK_FULL"  # no space (or quota) left while writing outputs or the record
    DAMAGED_STATE = "DAMAGED_STATE"  # a corrupt atelier.sqlite / threads.sqlite / Chroma store: run `atelier repair`
    INTERNAL = "INTERNAL"

    @property
    def exit_code(self) -> int:
        """CLI exit status: 1 for our own bugs, 2 for anything the caller can fix."""
        return 1 if self is ErrorCode.INTERNAL else 2


class ToolError(Exception):
    """Raised inside tools and the loader; the runner turns it into ``result.error``."""

    def __init__(self, code: ErrorCode, message: str, outputs: dict | None = None):
        super().__init__(f"{code}: {message}")
        self.code = ErrorCode(code)
        self.message = message
        self.outputs = outputs or {}  # what a failed call can still tell (e.g. NO_MATCH's near misses)


REPAIR_ADVICE = "run `atelier repair`"


class DamagedState(Exception):
    """A file of the home (a SQLite database, the Chroma store) is corrupt or unreadable. Commands report it with
    the advice to run ``atelier repair`` instead of a traceback."""

    def __init__(self, what: str, detail: str = ""):
        self.what = what
        self.detail = detail
        super().__init__(f"{what} is damaged{f' ({detail})' if detail else ''}; {REPAIR_ADVICE}")


_DAMAGE_WORDS = ("file is not a database", "database disk image is malformed", "malformed database schema",
                 "file is encrypted or is not a database")


def looks_damaged(exc: BaseException) -> bool:
    """Whether an exception from SQLite, or from a library over it (Chroma), says a file of ours is corrupt."""
    import sqlite3

    text = str(exc).lower()
    if any(word in text for word in _DAMAGE_WORDS):
        return True
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
