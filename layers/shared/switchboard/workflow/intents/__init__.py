"""One small handler per automatically resolvable intent, behind a registry. Resolve
(workflow/resolve.py) decides whether a case may be answered automatically at all (confidence, one
need, the route, verification); then HANDLERS[intent] answers it or hands back an escalation."""

from __future__ import annotations

from typing import Any, Protocol

from ...domain.models import ResolutionResult, Route
from ..services import CaseServices
from . import account_locked, duplicate_payment, password_reset, payment_failed, product_info, transaction_history


class IntentHandler(Protocol):
    def __call__(
        self, case: dict[str, Any], route: Route, language: str, services: CaseServices
    ) -> ResolutionResult: ...


HANDLERS: dict[str, IntentHandler] = {
    "transaction_history": transaction_history.resolve,
    "account_locked": account_locked.resolve,
    "password_reset": password_reset.resolve,
    "payment_failed": payment_failed.resolve,
    "duplicate_payment": duplicate_payment.resolve,
    "product_info": product_info.resolve,
}
