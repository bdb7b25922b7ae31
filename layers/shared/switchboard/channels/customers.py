"""The customer-facing use cases behind the contacts API: they take the caller as a Principal, never the request."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..domain.clock import iso
from ..domain.errors import CaseNotFound, TaskNotFound
from ..domain.identity import Principal, is_customer_of, may_view
from .intake import Intake

if TYPE_CHECKING:
    from ..adapters.repository.tasks import TaskRepository
    from ..desk.follow_up import SurveyFollowUps
    from ..domain.models import CaseMessage, ContactAccepted, Feedback, MessageAccepted, VerificationCode


def _require_channel_client(who: Principal, channel: str) -> None:
    """Phone contacts over HTTP come only from an IVR integration that holds that channel's credential:
    a caller number in a body is a claim anyone can type."""
    from ..api.errors import ApiError

    if who.kind != "channel":
        raise ApiError(
            401,
            "UNAUTHORIZED",
            f"{channel} contacts need the {channel} channel's client credentials",
            [{"field": "Authorization", "issue": f"Bearer token of a {channel} channel client required"}],
            headers={"WWW-Authenticate": 'Bearer realm="switchboard"'},
        )
    if channel not in who.channels:
        raise ApiError(
            403,
            "FORBIDDEN",
            f"this client may not post {channel} contacts",
            [{"field": "Authorization", "issue": f"credential is not for the {channel} channel"}],
        )


class CustomerApi:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        tasks: TaskRepository | None = None,
        follow_ups: SurveyFollowUps | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self.intake = Intake(self.cases)
        self._tasks = tasks
        self._follow_ups = follow_ups

    # The tasks, the case view, the code check and the survey follow-ups serve the other routes: they are
    # imported on their first use (or before the SnapStart snapshot), off POST /contacts' cold start.

    @cached_property
    def tasks(self) -> TaskRepository:
        from ..adapters.repository.tasks import TaskRepository

        return self._tasks or TaskRepository()

    @cached_property
    def follow_ups(self) -> SurveyFollowUps:
        from ..desk.follow_up import SurveyFollowUps

        return self._follow_ups or SurveyFollowUps(self.cases, self.tasks)

    def warm(self) -> None:
        """Before the SnapStart snapshot (functions/contacts_api/app.py): the intake's validators and the
        other routes' modules, loaded now instead of on a restored environment's first request. No AWS call."""
        from ..domain.case_view import build_view  # noqa: F401
        from ..workflow.verify import Verification  # noqa: F401

        self.intake.warm()
        self.follow_ups  # noqa: B018 - cached properties (the task repository too): built here, once

    def open(self, contact: Any, key: str | None, who: Principal) -> ContactAccepted:
        from ..api.errors import ApiError

        app_user = who.subject if who.kind == "app_user" else None
        if contact.channel == "phone":
            _require_channel_client(who, "phone")
        if contact.channel == "app_chat" and not app_user:
            raise ApiError(
                401,
                "UNAUTHORIZED",
                "app chat contacts need a signed-in app user",
                [{"field": "X-App-User", "issue": "required for app_chat"}],
            )
        return self.intake.accept(contact, idempotency_key=key, app_user=app_user)

    def _visible_case(self, case_id: str, who: Principal) -> dict[str, Any]:
        case = self.cases.find(case_id)
        if not case or not may_view(who, case) or not self._through_a_task(who, case):
            raise CaseNotFound(case_id)  # 404 for all: never reveal that a case exists
        return case

    def _through_a_task(self, who: Principal, case: dict[str, Any]) -> bool:
        """Least privilege: an agent reads a case only through a task of one of their queues;
        supervisors read every case; customers are checked by may_view."""
        if not who.is_agent or who.is_supervisor:
            return True
        for task_id in case.get("tasks", []):
            try:
                if self.tasks.get(task_id)["queue"] in who.queues:
                    return True
            except TaskNotFound:
                continue
        return False

    def view(self, case_id: str, who: Principal) -> Any:
        from ..domain.case_view import build_view

        case = self._visible_case(case_id, who)
        view = build_view(case, self.tasks, for_agent=who.is_agent)
        merged_into = case.get("mergedInto")
        if merged_into and not who.is_agent:  # the open case this contact joined, only to who may read it
            target = self.cases.find(merged_into)
            if target and may_view(who, target):
                view = view.model_copy(update={"mergedInto": merged_into})
        return view

    def verify_code(self, case_id: str, body: VerificationCode, who: Principal) -> dict[str, Any]:
        from ..workflow.verify import Verification

        case = self._visible_case(case_id, who)
        if not is_customer_of(who, case):
            raise CaseNotFound(case_id)  # only the case's own customer may answer its code
        return Verification(cases=self.cases).check_code(case_id, body.code)

    def message(self, case_id: str, body: CaseMessage, key: str | None, who: Principal) -> MessageAccepted:
        """The customer's own message (an answer to an agent); only the case's customer may post it."""
        from ..workflow.conversation import Conversation, message_key

        case = self._visible_case(case_id, who)
        if not is_customer_of(who, case):
            raise CaseNotFound(case_id)
        via = "chat" if case["channel"] == "app_chat" else "web"
        # without a key, the same text in the same wait is the same message (a retried request)
        dedupe = f"key:{key}" if key else message_key(body.text, str(case.get("awaitingSince") or ""))
        return Conversation(cases=self.cases).answer(case_id, body.text, key=f"{via}:{dedupe}", via=via)

    def feedback(self, case_id: str, body: Feedback, who: Principal) -> dict[str, Any]:
        from ..api.errors import ApiError

        case = self._visible_case(case_id, who)
        if not is_customer_of(who, case):
            raise CaseNotFound(case_id)
        if case["status"] != "CLOSED":
            raise ApiError(409, "CASE_OPEN", "feedback opens once the case is closed")
        entry = {"score": body.score, "comment": body.comment, "at": iso()}
        if not self.cases.claim_once(case_id, "feedback", entry):
            # a retry after a failure part-way still gets its follow-up (one per survey: its id is fixed)
            self.follow_ups.open_for(case_id)
            raise ApiError(409, "FEEDBACK_EXISTS", "feedback was already given for this case")
        self.cases.update(case_id, timeline=[timeline_entry("feedback", f"customer rated {body.score}/5", "customer")])
        self.follow_ups.open_for(case_id)
        from ..adapters.events import publish

        publish("CaseFeedback", self.cases.get(case_id), score=body.score)
        return {"caseId": case_id, "feedback": {"score": body.score, "comment": body.comment}}
