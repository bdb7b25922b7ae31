"""Close: the case is closed, an app chat session is released for the next message, events go out."""

from __future__ import annotations

from typing import Any

from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..domain.clock import iso
from ..domain.models import CaseClosed


def close_case(case_id: str, cases: CaseRepository | None = None) -> CaseClosed:
    from ..adapters.events import publish_facts

    cases = cases or CaseRepository()
    case = cases.update(
        case_id,
        fields={"status": "CLOSED", "closedAt": iso()},
        remove=["openSessionKey"],
        timeline=[timeline_entry("close", "case closed")],
    )
    contact = case.get("contact") or {}
    if case.get("channel") == "app_chat" and contact.get("appUserId"):
        from ..adapters.repository.sessions import ChatSessions

        ChatSessions().release(f"{contact['appUserId']}#{contact['sessionId']}", case_id)  # next message: new case
    facts: list[tuple[str, dict[str, Any]]] = []
    if case.get("resolution"):
        # a person took part when the case ever had a human task (the reports' containment)
        facts.append(("CaseResolved", {"handledBy": "agent" if case.get("tasks") else "automation"}))
    publish_facts(case, [*facts, ("CaseClosed", {})])
    return CaseClosed(status="CLOSED")
