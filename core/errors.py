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
