"""transaction_history: the transactions of the period asked about, and a statement by email when asked."""

from __future__ import annotations

from typing import Any

from ...domain.clock import iso, now
from ...domain.models import ResolutionResult, Route
from ...text.resolutions import sentence
from ...text.templates import status_text
from ..classify import case_text
from ..services import CaseServices
from .common import customer_zone, local_time


def resolve(case: dict[str, Any], route: Route, language: str, services: CaseServices) -> ResolutionResult:
    from ...domain.periods import parse_period, wants_statement

    text = case_text(case)
    zone = customer_zone(services, case["customerId"])
    period = parse_period(text, now(), zone)
    transactions = services.ledger.for_customer(
        case["customerId"],
        start=iso(period.start) if period.start else None,
        end=iso(period.end) if period.end else None,
        limit=period.limit,
    )
    label = period.label.get(language) or period.label.get("en", "")
    if not transactions:
        summary = sentence("none", language)
    else:
        lines = [
            sentence(
                "txn_line",
                language,
                when=local_time(t["createdAt"], zone),
                merchant=t["merchant"],
                amount=f"{t['amount']:.2f}",
                currency=t["currency"],
                status=status_text(t["status"], language),
            )
            for t in transactions[:10]
        ]
        summary = sentence("txn_head", language, label=label, count=len(transactions)) + "\n" + "\n".join(lines)
    if wants_statement(text) and transactions:
        statement_lines = "\n".join(
            f"{local_time(t['createdAt'], zone)} {t['transactionId']} {t['merchant']} {t['amount']:.2f} "
            f"{t['currency']} {status_text(t['status'], language)}"
            for t in transactions
        )
        services.notifier.send(case["caseId"], "statement", period=label, lines=statement_lines)
        summary += "\n" + sentence("statement", language)
    return ResolutionResult(outcome="RESOLVED", summary=summary)
