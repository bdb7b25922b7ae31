"""product_info: the knowledge base's answer (fees, promotions, service hours), else the general queue."""

from __future__ import annotations

from typing import Any

from ...domain.models import ResolutionResult, Route
from ..classify import case_text
from ..services import CaseServices
from .common import escalate


def resolve(case: dict[str, Any], route: Route, language: str, services: CaseServices) -> ResolutionResult:
    from ...text.knowledge import answer

    found = answer(case_text(case), language)
    if not found:
        return escalate(
            route, "product question without a knowledge-base answer", "no article matches", queue="general"
        )
    return ResolutionResult(outcome="RESOLVED", summary=found.text)
