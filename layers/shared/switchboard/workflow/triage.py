"""Triage, the workflow's first state: what every contact needs before it can be answered, in one
invocation rather than four states (issue 16: a state transition and a Lambda invocation each). The
customer is told their case number (notify), identified against the directory (verify), understood
(classify) and, when the contact repeats an open case of the same intent, joined to it (repeat). Each
part is the module that did it as its own state; what it does and records is unchanged.

A part that raises fails the state, whose Retry and Catch are the workflow's (a person gets the case).
Two parts never stop a case, as their own states' Catch did not: a "received" notice that cannot go
out now is answered PENDING, for the NotifyReceived state, which retries it and records it FAILED for good;
a repeat contact whose join fails on a transient error goes its own way."""

from __future__ import annotations

from typing import Any

from ..adapters.repository.cases import CaseRepository
from ..domain.errors import NotificationDeliveryError, TransientError
from ..domain.models import (
    ClassificationResult,
    DeliveryFailureRecorded,
    NotificationOutcome,
    RepeatContactResult,
    TriageResult,
    VerificationResult,
)
from ..observability import logger
from .classify import classify_case
from .notify import Notifier, notify_case
from .repeat import RepeatContacts
from .verify import Verification


class Triage:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        notifier: Notifier | None = None,
        verification: Verification | None = None,
        repeat: RepeatContacts | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self.notifier = notifier or Notifier(self.cases)
        self.verification = verification or Verification(self.cases, self.notifier.directory, self.notifier)
        self.repeat = repeat or RepeatContacts(self.cases)

    def triage(
        self,
        case_id: str,
        verification: VerificationResult | None = None,
        received: NotificationOutcome | DeliveryFailureRecorded | None = None,
    ) -> TriageResult:
        """A new contact; or, with the first triage's `verification` and `received`, the same contact
        understood again once the customer has answered the clarifying question (told and identified once).

        The case is read once: each part gets it as the part before left it (verification answers the
        case as it recorded it), and the directory is read once for the notice and the verification."""
        case = self.cases.get(case_id)
        if verification is None or received is None:
            with self.verification.directory.one_view():
                received = self._tell_received(case)
                verification, case = self.verification.verify(case)
        classification = classify_case(case, self.cases)
        repeat = (
            RepeatContactResult(joined=False)  # asked which need first: joined (or not) once it is known
            if classification.askCustomer
            else self._join(case, verification, classification)
        )
        return TriageResult(received=received, verification=verification, classification=classification, repeat=repeat)

    def _tell_received(self, case: dict[str, Any]) -> NotificationOutcome:
        """The case number first, before anything else is sent; PENDING when NotifyReceived must send it."""
        case_id = case["caseId"]
        try:
            return notify_case(case_id, "received", self.notifier, case=case)
        except (NotificationDeliveryError, TransientError) as exc:
            logger.warning(
                "received notice left to NotifyReceived", extra={"caseId": case_id, "error": type(exc).__name__}
            )
            return NotificationOutcome(type="received", status="PENDING")

    def _join(
        self, case: dict[str, Any], verification: VerificationResult, classification: ClassificationResult
    ) -> RepeatContactResult:
        try:
            return self.repeat.join(case, verification, classification)
        except TransientError as exc:  # a second task is the lesser harm than no case at all
            logger.warning(
                "repeat contact goes its own way", extra={"caseId": case["caseId"], "error": type(exc).__name__}
            )
            return RepeatContactResult(joined=False)
