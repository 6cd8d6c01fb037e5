"""Both eye tools take a clip, so eye requests about a video go to them; other video edits are still refused."""

from __future__ import annotations

import pytest

from atelier.agent.planners import PlanRequest, get_planner


@pytest.mark.parametrize(("text", "tools"), [
    ("open her eyes in this video", ["open_eyes"]),
    ("fix the blinking in my wedding footage", ["open_eyes"]),
    ("who blinks in this clip?", ["detect_closed_eyes"]),
    ("is anyone's eyes shut in the recording?", ["detect_closed_eyes"]),
    ("make a video of this", []),
    ("animate this photo", []),
])
def test_eye_requests_about_a_video_reach_the_eye_tools(text, tools):
    plan = get_planner("semantic").plan(PlanRequest(text, 1))
    assert [s.tool for s in plan.steps] == tools
    if not tools:
        assert plan.answer and "no Atelier tool does it" in plan.answer
