"""The one result shape every tool returns (design.md, "The tool contract")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .errors import ErrorCode


class ErrorInfo(BaseModel):
    code: ErrorCode
    message: str


class ToolResult(BaseModel):
    tool: str
    ok: bool
    backend: str | None = None
    backends: dict[str, str] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    artifacts: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    error: ErrorInfo | None = None
    run_id: str | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else (self.error.code.exit_code if self.error else 1)
