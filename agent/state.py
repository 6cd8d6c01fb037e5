"""Everything the graph carries. Plain JSON-able dicts, because LangGraph snapshots the state every step:
attachments are ``{path, sha256}``, never pixels or base64."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class Attachment(TypedDict, total=False):
    path: str
    sha256: str
    warnings: list[str]
    name: str  # the file name the user gave it


class StepResult(TypedDict, total=False):
    id: str
    tool: str
    ok: bool
    skipped: bool
    reason: str
    inputs: dict[str, str]
    paths: dict[str, str | None]  # the inputs resolved to files when the step ran
    result: dict[str, Any]


class AgentState(TypedDict, total=False):
    request: str
    request_id: str
    planner: str
    defaults: dict[str, dict[str, Any]]  # per-tool argument defaults from the UI; plan arguments win
    attachments: list[Attachment]
    plan: dict[str, Any] | None
    results: list[StepResult]
    cursor: int
    answer: str
    last_image: str | None  # the previous turn's main output: what "$last.image" names
    awaiting: dict[str, Any] | None  # {step, role, question}: the run is paused until the user attaches it
    history: Annotated[list[dict[str, Any]], operator.add]
    # the edit history as a tree: every image a step made is a node {id, image, tool, label, parent, params,
    # inputs}; ``current`` is the node the next request works on (what "$last.image" names), so going back to
    # an earlier node and carrying on from there starts a branch
    nodes: Annotated[list[dict[str, Any]], operator.add]
    new_attachments: list[str]  # the images this turn's message brought (what the chat shows under it)
    current: str | None
