"""payment_failed: what happened to the payment asked about (failed, pending, reversed, succeeded)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...config import settings
from ...domain.clock import iso, now, parse_iso
from ...domain.models import ResolutionResult, Route
from ...text.resolutions import sentence
from ..classify import case_text
from ..services import CaseServices
from .common import customer_zone, escalate, evidence, payment_asked_about, payment_fields


def resolve(case: dict[str, Any], route: Route, language: str, services: CaseServices) -> ResolutionResult:
    if not case.get("customerId"):
        return escalate(route, "payment problem: customer not on file", "cannot look the payment up")
    zone = customer_zone(services, case["customerId"])
    recent = [
        t
        for t in services.ledger.for_customer(case["customerId"], start=iso(now() - timedelta(days=14)))
        if t.get("type", "PAYMENT") == "PAYMENT"
    ]
    txn = payment_asked_about(recent, case_text(case), zone)
    if txn is None:
        return escalate(route, "payment problem: no matching payment found", "no failed or pending payment in 14 days")
    window = settings().payment_reversal_window_hours
    status = txn["status"]
    payment = sentence("payment", language, **payment_fields(txn, zone))
    said = {"payment": payment, "Payment": payment[:1].upper() + payment[1:]}
    if status == "FAILED":
        return ResolutionResult(outcome="RESOLVED", summary=sentence("pay_no_money", language, **said))
    if status == "REVERSED":
        return ResolutionResult(outcome="RESOLVED", summary=sentence("pay_reversed", language, **said))
    if status == "PENDING":
        age = now() - parse_iso(txn["createdAt"])
        if age > timedelta(hours=window):
            return escalate(
                route,
                f"payment {txn['transactionId']}: money taken, not at the merchant for {int(age.total_seconds() // 3600)} h",
                f"pending longer than the {window} h reversal window",
                evidence=[evidence(txn)],
            )
        return ResolutionResult(outcome="RESOLVED", summary=sentence("pay_pending", language, hours=window, **said))
    return ResolutionResult(outcome="RESOLVED", summary=sentence("pay_ok", language, **said))
