"""account_locked: unlock an authenticated customer's locked account."""

from __future__ import annotations

from typing import Any

from ...domain.models import ResolutionResult, Route
from ...text.resolutions import sentence
from ..services import CaseServices


def resolve(case: dict[str, Any], route: Route, language: str, services: CaseServices) -> ResolutionResult:
    customer = services.directory.by_id(case["customerId"]) or {}
    if customer.get("accountStatus") != "LOCKED":
        return ResolutionResult(outcome="RESOLVED", summary=sentence("not_locked", language))
    services.directory.set_account_status(
        case["customerId"],
        "ACTIVE",
        actor="switchboard",
        reason=f"unlocked after one-time code, case {case['caseId']}",
    )
    services.cases.record(case["caseId"], "action", "account unlocked after one-time code (who: switchboard)")
    return ResolutionResult(outcome="RESOLVED", summary=sentence("unlocked", language))
