"""Planner rules that the style tool's spec contributes (tools/style/planning.py)."""

from __future__ import annotations

import pytest

from atelier.agent.planners.semantic import rule_tool


@pytest.mark.parametrize(("request_text", "tool"), [
    ("make 16-colour pixel art of it", "stylize"), ("turn this photo into pixel art", "stylize"),
    ("this pixel art was upscaled, clean it up", "reconstruct_sprite"),
    ("the AI made pixel art is messy, fix the grid", "reconstruct_sprite"),
])
def test_pixel_art_as_a_style_is_stylize_and_a_sprite_repair_is_not(request_text, tool):
    assert rule_tool(request_text, request_text) == tool
