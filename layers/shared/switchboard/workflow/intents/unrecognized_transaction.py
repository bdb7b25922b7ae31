"""unrecognized_transaction: never answered automatically; the disputes agent gets the charge the
report names, with what they may do about it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...domain.clock import iso, now
from ..classify import case_text
from ..services import CaseServices
from .common import customer_zone, evidence, payment_asked_about


def disputed_payment(case: dict[str, Any], services: CaseServices) -> list[dict[str, Any]]:
    """The charge a fraud report names, for the disputes agent, with what they may do about it."""
    recent = services.ledger.for_customer(case["customerId"], start=iso(now() - timedelta(days=60)))
    zone = customer_zone(services, case["customerId"])
    txn = payment_asked_about([t for t in recent if t.get("type", "PAYMENT") == "PAYMENT"], case_text(case), zone)
    if txn is None:
        return []
    return [{**evidence(txn), "role": "disputed", "suggestedActions": ["BLOCK_CARD", "OPEN_CHARGEBACK"]}]
