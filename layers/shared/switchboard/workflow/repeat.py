"""Repeat contacts (in the Triage state, after classifying): a contact from an identified customer who
already has an open case with the same intent, opened within the policy window (routing.json
repeatContacts: the window, and the intents a person investigates), joins that case instead of
opening a second task. The open case gets the message on
its conversation, a timeline entry and its `repeatContacts` counter; its task tells the agent
"repeat contact, 2nd, by phone". The new contact's own case is closed, merged into it (`mergedInto`),
before any task or "escalated" notice; its customer learns nothing of the other case from it.

Identified, not a claim (DESIGN.md's trust model): a signed-in app user or a code passed
(AUTHENTICATED), or a phone caller matched by the caller id the phone channel itself asserts. A web
form's typed email or number matches only a claim and never joins anyone's case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..adapters.events import publish
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.tasks import TaskRepository
from ..domain.clock import iso, now, parse_iso
from ..domain.models import ClassificationResult, RepeatContactResult, VerificationResult
from ..domain.routing import policy

CHANNEL_WORDS = {"phone": "by phone", "app_chat": "by app chat", "web": "by web form"}
# Open and past its own identity check: classified, with a person, or waiting on the customer's answer to a
# person (a case still waiting for its one-time code has proven nothing yet: a contact does not join it).
REPEAT_REPORT_SECONDS = 24 * 3600  # the reports' containment window (GET /reports)
JOINABLE = ("CLASSIFIED", "ESCALATED", "FAILED", "AWAITING_CUSTOMER")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def repeat_label(count: int, channel: str) -> str:
    return f"repeat contact, {ordinal(count)}, {CHANNEL_WORDS.get(channel, 'by ' + channel)}"


def window_seconds() -> int:
    return int(policy()["repeatContacts"]["windowSeconds"])


def joining_intents() -> set[str]:
    return set(policy()["repeatContacts"]["intents"])


def identified(case: dict[str, Any], verification: VerificationResult) -> bool:
    if not case.get("customerId") or verification.customerId != case["customerId"]:
        return False
    if verification.level == "AUTHENTICATED":
        return True
    return verification.level == "IDENTIFIED" and case.get("channel") == "phone" and verification.matchedBy == "phone"


class RepeatContacts:
    def __init__(self, cases: CaseRepository | None = None, tasks: TaskRepository | None = None) -> None:
        self.cases = cases or CaseRepository()
        self.tasks = tasks or TaskRepository()

    def join(
        self, case: dict[str, Any], verification: VerificationResult, classification: ClassificationResult
    ) -> RepeatContactResult:
        """`case` as just read, its verification recorded."""
        case_id = case["caseId"]
        if case.get("mergedInto"):  # a retried invocation: it joined already
            return RepeatContactResult(joined=True, count=case.get("mergedCount"))
        # a guess below the confidence threshold is not "the same intent"
        if classification.source == "threshold" or not identified(case, verification):
            return RepeatContactResult(joined=False)
        self._note_repeat(case, classification.intent)
        if classification.intent not in joining_intents():
            return RepeatContactResult(joined=False)
        open_case = self._open_case_like(case, classification.intent)
        if open_case is None:
            return RepeatContactResult(joined=False)
        customer_text = [m for m in case.get("messages", []) if m.get("from") == "customer"]
        message = {
            "at": iso(),
            "from": "customer",
            "text": customer_text[-1]["text"] if customer_text else "",
            "channel": case["channel"],
            "repeatOf": case_id,
        }
        joined = self.cases.add_repeat_contact(open_case["caseId"], case_id, message)
        if joined is None:  # it closed meanwhile: this contact goes its own way
            return RepeatContactResult(joined=False)
        count = int(joined["repeatContacts"])
        label = repeat_label(count, case["channel"])
        repeat = {"count": count, "channel": case["channel"], "label": label}
        self.cases.record(
            open_case["caseId"], "repeat", f"{label}: case {case_id} joined this case", "customer", lastRepeat=repeat
        )
        if joined.get("openTaskId"):  # the agent sees it on the task; a task opened later copies lastRepeat
            self.tasks.note(joined["openTaskId"], repeatContact=repeat)
        merged = self.cases.update(
            case_id,
            fields={"status": "CLOSED", "closedAt": iso(), "mergedInto": open_case["caseId"], "mergedCount": count},
            remove=["openSessionKey"],
            timeline=[
                timeline_entry("merge", "joined the customer's open case about the same request: no second task")
            ],
        )
        self._release_session(merged)
        publish("CaseMerged", merged, into=open_case["caseId"], repeatContacts=count)
        return RepeatContactResult(joined=True, count=count)

    def _note_repeat(self, case: dict[str, Any], intent: str) -> None:
        """The reports' containment counts a case as contained only when its customer did not come back
        about the same intent within REPEAT_REPORT_SECONDS: this contact tells which earlier case it repeats."""
        mine = case["createdAt"]
        since = iso(parse_iso(mine) - timedelta(seconds=REPEAT_REPORT_SECONDS))
        earlier = [
            other
            for other in self.cases.open_cases_of(case["customerId"], since, mine)
            if (other["createdAt"], other["caseId"]) < (mine, case["caseId"]) and other.get("intent") == intent
        ]
        if earlier:
            publish("RepeatContact", {**case, "intent": intent}, repeatOf=[o["caseId"] for o in earlier])

    def _open_case_like(self, case: dict[str, Any], intent: str) -> dict[str, Any] | None:
        """The customer's earliest open case of this intent opened within the window before this one
        (never a later one: of two contacts at once, the later joins the earlier)."""
        mine = case["createdAt"]
        since = iso(parse_iso(mine) - timedelta(seconds=window_seconds()))
        for other in self.cases.open_cases_of(case["customerId"], since, mine or iso(now())):
            earlier = (other["createdAt"], other["caseId"]) < (mine, case["caseId"])
            if not (earlier and other.get("intent") == intent and other.get("status") in JOINABLE):
                continue
            if other["status"] == "AWAITING_CUSTOMER" and not self.cases.get(other["caseId"]).get("openTaskId"):
                continue  # waiting for its code, not for an answer to an agent
            return other
        return None

    @staticmethod
    def _release_session(case: dict[str, Any]) -> None:
        contact = case.get("contact") or {}
        if case.get("channel") == "app_chat" and contact.get("appUserId"):
            from ..adapters.repository.sessions import ChatSessions

            ChatSessions().release(f"{contact['appUserId']}#{contact['sessionId']}", case["caseId"])
