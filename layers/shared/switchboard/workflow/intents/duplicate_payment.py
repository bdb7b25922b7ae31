"""duplicate_payment: find the two equal payments and hand a payments agent the refund to approve."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...config import settings
from ...domain.clock import iso, now, parse_iso
from ...domain.models import ResolutionResult, Route
from ..classify import case_text
from ..services import CaseServices
from .common import TXN_ID, escalate, evidence

DUPLICATE_WINDOW = timedelta(minutes=30)


def resolve(case: dict[str, Any], route: Route, language: str, services: CaseServices) -> ResolutionResult:
    recent = [
        t
        for t in services.ledger.for_customer(case["customerId"], start=iso(now() - timedelta(days=60)))
        if t["status"] == "SUCCESS" and t.get("type", "PAYMENT") == "PAYMENT"
    ]
    named = {m.upper() for m in TXN_ID.findall(case_text(case))}
    pair = None
    for i, later in enumerate(recent):
        for earlier in recent[i + 1 :]:
            same = later["merchant"] == earlier["merchant"] and later["amount"] == earlier["amount"]
            close = parse_iso(later["createdAt"]) - parse_iso(earlier["createdAt"]) <= DUPLICATE_WINDOW
            if same and (close or {later["transactionId"].upper(), earlier["transactionId"].upper()} <= named):
                pair = (earlier, later)
                break
        if pair:
            break
    hours = settings().refund_review_hours
    if not pair:
        return escalate(
            route,
            "duplicate payment claimed; no duplicate found automatically",
            "no two equal payments to one merchant within 30 minutes",
        )
    earlier, later = pair
    return escalate(
        route,
        f"refund request: {later['transactionId']} duplicates {earlier['transactionId']} "
        f"({later['merchant']}, {later['amount']:.2f} {later['currency']}); review within {hours} h",
        "refund needs a payments agent's approval",
        evidence=[
            {**evidence(earlier), "role": "original"},
            {**evidence(later), "role": "duplicate", "suggestedAction": "APPROVE_REFUND"},
        ],
    )
