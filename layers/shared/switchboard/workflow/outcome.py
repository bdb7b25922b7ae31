"""Telling the customer the outcome in the step that decided it. Resolve (an answer, or which team has
the case) and ApplyDecision (the agent's answer) send the outcome's notice and close an answered case
in their own invocation, rather than through the Notify and Close states, which cost a state
transition and a Lambda invocation each (issue 16). When a delivery or a write fails here, the result
says how far it got (`notified`, `closed`) and the workflow's Notify and Close states do the rest with
their retries and catches: a notice that fails for good is recorded FAILED and the case still closes.
Exactly once holds across both: the notice's marker on the case (workflow/notify.py)."""

from __future__ import annotations

from typing import Any

from ..adapters.repository.cases import CaseRepository
from ..domain.errors import NotificationDeliveryError, TransientError
from ..domain.models import ResolutionResult
from ..observability import logger
from .close import close_case
from .notify import Notifier, notify_case


def tell_outcome(
    case_id: str,
    result: ResolutionResult,
    notifier: Notifier,
    cases: CaseRepository,
    case: dict[str, Any] | None = None,
) -> ResolutionResult:
    """`result` with `notified` / `closed` set as far as they got; an AWAIT_CUSTOMER result is left as it is.
    `case`: the case as the deciding step recorded it (else the notice reads it)."""
    if result.outcome == "AWAIT_CUSTOMER":
        return result
    escalated = result.outcome == "ESCALATE"
    try:
        notify_case(case_id, "escalated" if escalated else result.notification, notifier, case=case)
    except (NotificationDeliveryError, TransientError) as exc:
        logger.warning(
            "outcome notice left to the Notify state", extra={"caseId": case_id, "error": type(exc).__name__}
        )
        return result
    if escalated:
        return result.model_copy(update={"notified": True})
    try:
        close_case(case_id, cases)
    except TransientError as exc:
        logger.warning("closing left to the Close state", extra={"caseId": case_id, "error": type(exc).__name__})
        return result.model_copy(update={"notified": True})
    return result.model_copy(update={"notified": True, "closed": True})
