"""Case events out to EventBridge (analytics, departments that want feedback). No PII in them."""

from __future__ import annotations

import json
from typing import Any

from ..config import settings
from ..observability import logger
from . import aws

SOURCE = "switchboard.cases"


def case_event_detail(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "channel": case.get("channel"),
        "status": case.get("status"),
        "intent": case.get("intent"),
        "queue": case.get("queue"),
        "priority": case.get("priority"),
        "language": case.get("language"),
        "verificationLevel": (case.get("verification") or {}).get("level"),
    }


def publish(detail_type: str, case: dict[str, Any], client: Any | None = None, **extra: Any) -> None:
    """Best effort: analytics must never fail a customer's case, but a failure is logged."""
    bus = settings().event_bus_name
    if not bus:
        return
    try:
        answer = (client or aws.events()).put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps({**case_event_detail(case), **extra}, ensure_ascii=False),
                    "EventBusName": bus,
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            logger.warning("case event not accepted", extra={"detailType": detail_type, "caseId": case["caseId"]})
    except Exception:  # noqa: BLE001 - see docstring
        logger.exception("case event publish failed", extra={"detailType": detail_type, "caseId": case["caseId"]})
