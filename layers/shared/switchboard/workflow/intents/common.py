"""What the intent handlers share: the escalation they hand back, a transaction as evidence, the
customer's time zone and local times, and which payment a question means."""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...domain.clock import iso, now, parse_iso
from ...domain.models import ResolutionResult, Route
from ...domain.periods import SHANGHAI
from ...domain.routing import queue_sla_seconds
from ..services import CaseServices

TXN_ID = re.compile(r"\b(T[A-Z0-9]{5,})\b", re.IGNORECASE)
_AMOUNT = re.compile(r"(?<![\w.])(\d+(?:\.\d{1,2})?)(?![\w.])")
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def escalate(
    route: Route,
    summary: str,
    reason: str,
    queue: str | None = None,
    evidence: list | None = None,
    priority: str | None = None,
) -> ResolutionResult:
    target = queue or route.queue
    return ResolutionResult(
        outcome="ESCALATE",
        summary=summary,
        queue=target,
        priority=priority or route.priority,
        reason=reason,
        evidence=evidence or [],
        slaSeconds=route.slaSeconds if target == route.queue else queue_sla_seconds(target),
        supervisorSlaSeconds=route.supervisorSlaSeconds,
        notification="escalated",
    )


def evidence(txn: dict[str, Any]) -> dict[str, Any]:
    return {k: txn.get(k) for k in ("transactionId", "merchant", "amount", "currency", "status", "createdAt")}


def local_time(value: str, zone: tzinfo) -> str:
    """An ISO-8601 UTC time as the customer reads it: their zone, to the minute."""
    return parse_iso(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def payment_fields(txn: dict[str, Any], zone: tzinfo) -> dict[str, str]:
    return {
        "txn": txn["transactionId"],
        "merchant": txn["merchant"],
        "amount": f"{txn['amount']:.2f}",
        "currency": txn["currency"],
        "when": local_time(txn["createdAt"], zone),
    }


def _merchant_named(merchant: str, text: str) -> bool:
    name, said = merchant.casefold(), text.casefold()
    if name in said:
        return True
    words = [w for w in re.split(r"[\s\-_/]+", name) if len(w) >= 4 or (w and not w.isascii() and len(w) >= 2)]
    return bool(words) and words[0] in said


def payment_asked_about(payments: list[dict[str, Any]], text: str, zone: tzinfo) -> dict[str, Any] | None:
    """Which payment a question means: a transaction id named; else the merchant and/or amount named
    (both beat one); else a date named; else the most recent failed, pending or reversed one.
    `payments` are newest first."""
    from ...domain.periods import named_period

    named = {m.upper() for m in TXN_ID.findall(text)}
    by_id = [t for t in payments if t["transactionId"].upper() in named]
    if by_id:
        return by_id[0]
    amounts = {round(float(a), 2) for a in _AMOUNT.findall(text)}

    def score(t: dict[str, Any]) -> int:
        return 2 * _merchant_named(t["merchant"], text) + (round(float(t["amount"]), 2) in amounts)

    best = max((score(t) for t in payments), default=0)
    if best:
        return next(t for t in payments if score(t) == best)
    troubled = [t for t in payments if t["status"] in ("FAILED", "PENDING", "REVERSED")]
    period = named_period(text, now(), zone)
    if period:
        start, end = (iso(moment) for moment in period)
        dated = [t for t in troubled or payments if start <= t["createdAt"] < end]
        if dated:
            return dated[0]
    return troubled[0] if troubled else None


def customer_zone(services: CaseServices, customer_id: str) -> tzinfo:
    """The customer's time zone on file (`timeZone`), else the service's home zone."""
    name = (services.directory.by_id(customer_id) or {}).get("timeZone") or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return SHANGHAI
