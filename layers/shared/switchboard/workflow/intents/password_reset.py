"""password_reset: a reset link to the contact details on file."""

from __future__ import annotations

from typing import Any

from ...domain.models import ResolutionResult, Route
from ...text.resolutions import sentence
from ..services import CaseServices
from .common import escalate


def resolve(case: dict[str, Any], route: Route, language: str, services: CaseServices) -> ResolutionResult:
    import secrets

    link = f"https://pay.example/reset/{secrets.token_urlsafe(16)}"
    sent = services.notifier.send(case["caseId"], "password_reset", reset_link=link, minutes="30")
    if sent["status"] in ("NO_DESTINATION", "SKIPPED"):
        return escalate(route, "password reset: no contact on file", "no phone or email on file for the reset link")
    return ResolutionResult(outcome="RESOLVED", summary=sentence("reset_sent", language))
