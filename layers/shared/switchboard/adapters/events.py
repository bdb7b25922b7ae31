"""Case events out to EventBridge (the reports' projection, analytics, departments that want feedback).
No PII in them: ids, vocabularies, times and scores only.

Every event names the fact it records in `eventKey` (e.g. `<caseId>#CaseClosed`, `<taskId>#TaskClaimed#<at>`):
a step that Step Functions retries publishes the same fact again with the same key, and the projection
counts a key once; EventBridge's own event id changes on every PutEvents and on a replay."""

from __future__ import annotations

import json
from typing import Any

from ..config import settings
from ..domain.clock import iso
from ..observability import logger
from . import aws

SOURCE = "switchboard.cases"


def case_event_detail(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "caseId": case["caseId"],
        "channel": case.get("channel"),
        "status": case.get("status"),
        "intent": case.get("intent"),
        "secondaryIntent": case.get("secondaryIntent"),
        "queue": case.get("queue"),
        "priority": case.get("priority"),
        "language": case.get("language"),
        "verificationLevel": (case.get("verification") or {}).get("level"),
    }


def task_event_detail(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "caseId": task["caseId"],
        "taskId": task["taskId"],
        "queue": task.get("queue"),
        "priority": task.get("priority"),
        "intent": task.get("intent"),
        "language": task.get("language"),
        "tier": task.get("tier"),
        "kind": "workflow" if task.get("taskToken") else "survey_follow_up",
    }


def publish(
    detail_type: str, case: dict[str, Any], client: Any | None = None, key: str | None = None, **extra: Any
) -> None:
    """A case's event; `key` names the fact when a case has more than one of this type (default: one per case)."""
    _put([(detail_type, case_event_detail(case), key or f"{case['caseId']}#{detail_type}", extra)], client)


def publish_facts(case: dict[str, Any], facts: list[tuple[str, dict[str, Any]]], client: Any | None = None) -> None:
    """Several facts of one case, each (detail type, extra fields) and one of its type per case, in one
    PutEvents (a step that records more than one: Close's CaseResolved and CaseClosed)."""
    detail = case_event_detail(case)
    _put([(kind, detail, f"{case['caseId']}#{kind}", extra) for kind, extra in facts], client)


def publish_task(detail_type: str, task: dict[str, Any], key: str, client: Any | None = None, **extra: Any) -> None:
    """A human task's event (opened, claimed, completed, its clocks paused, resumed or breached)."""
    _put([(detail_type, task_event_detail(task), key, extra)], client)


def _put(events: list[tuple[str, dict[str, Any], str, dict[str, Any]]], client: Any | None) -> None:
    """(detail type, detail, key, extra) each, in one PutEvents (at most 10 entries). Best effort:
    analytics must never fail a customer's case, but a failure is logged."""
    bus = settings().event_bus_name
    if not bus:
        return
    kinds, case_id = [kind for kind, *_ in events], events[0][1]["caseId"]
    entries = [
        {
            "Source": SOURCE,
            "DetailType": kind,
            "Detail": json.dumps(
                {**detail, **extra, "eventKey": key, "at": extra.get("at") or iso()}, ensure_ascii=False
            ),
            "EventBusName": bus,
        }
        for kind, detail, key, extra in events
    ]
    try:
        answer = (client or aws.events()).put_events(Entries=entries)
        if answer.get("FailedEntryCount"):
            logger.warning("case event not accepted", extra={"detailTypes": kinds, "caseId": case_id})
    except Exception:  # noqa: BLE001 - see docstring
        logger.exception("case event publish failed", extra={"detailTypes": kinds, "caseId": case_id})
