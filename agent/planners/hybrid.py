"""The hybrid planner: the semantic planner proposes; the LLM is consulted where it is unsure, and an LLM
plan that fails validation falls back to the semantic one. The plan says which of them produced it."""

from __future__ import annotations

from atelier.agent.plan import Plan, validate
from atelier.agent.planners import PlanRequest
from atelier.agent.planners.semantic import SemanticPlanner

UNSURE = 0.4  # semantic confidence below this asks the shipped LLM
UNSURE_USER_LLM = 0.9  # a user-supplied (presumably stronger) GGUF is asked more often


class HybridPlanner:
    name = "hybrid"

    def __init__(self) -> None:
        self.semantic = SemanticPlanner()
        self._llm = None
        self._llm_missing = False

    def llm(self):
        if self._llm is None and not self._llm_missing:
            from atelier.agent.planners.llm import LLMPlanner

            try:
                self._llm = LLMPlanner.from_settings()
            except FileNotFoundError:
                self._llm_missing = True
        return self._llm

    def plan(self, request: PlanRequest) -> Plan:
        proposal, confidence = self.semantic.plan_with_confidence(request)
        proposal = proposal.model_copy(update={"planner": "hybrid:semantic"})
        llm = self.llm()
        threshold = UNSURE_USER_LLM if llm is not None and llm.user_supplied else UNSURE
        if llm is None or confidence >= threshold or proposal.answer and "won't" in proposal.answer:
            return proposal
        candidate = validate(llm.plan(request), request.n_attachments, request.has_last_image)
        if candidate.steps:
            return candidate.model_copy(update={"planner": "hybrid:llm",
                                                "notes": [f"semantic confidence {confidence:.2f}"]})
        return proposal.model_copy(update={"notes": ["LLM plan did not validate; semantic plan kept"]})
