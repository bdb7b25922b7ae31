"""The conversation on a case: an agent's question goes to the customer on their channel while the
workflow waits (AwaitCustomer), the customer's answer (chat, web/email, SMS) joins the case and
resumes the wait exactly once, and a question left unanswered closes the case or returns the task to
its queue, as the policy says."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..adapters import aws
from ..adapters.events import publish, publish_task
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.sessions import SmsReplies
from ..adapters.repository.tasks import TaskRepository
from ..config import settings
from ..domain.clock import iso
from ..domain.errors import CaseAlreadyClosed, ConcurrentUpdate, CustomerUnreachable
from ..domain.masking import mask_phone
from ..domain.models import CustomerAsked, MessageAccepted, ResolutionResult, TaskDecision
from ..observability import logger
from ..text.durations import duration_text
from . import clocks as task_clocks
from .notify import destination
from .services import CaseServices

MAX_ATTEMPTS = 3


def message_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class Conversation(CaseServices):
    def __init__(
        self,
        cases: CaseRepository | None = None,
        tasks: TaskRepository | None = None,
        replies: SmsReplies | None = None,
        sfn: Any | None = None,
        **services: Any,
    ) -> None:
        super().__init__(cases, **services)
        self.tasks = tasks or TaskRepository()
        self.replies = replies or SmsReplies()
        self._sfn = sfn

    @property
    def sfn(self) -> Any:
        return self._sfn or aws.stepfunctions()

    # ---- the agent asks (AwaitCustomer) ----------------------------------------------------------

    def ask(self, case_id: str, task_token: str, decision: TaskDecision) -> CustomerAsked:
        """Park the wait's token on the case, pause the task's clocks and send the agent's words once.
        The token is stored before anything is sent: an answer can never arrive before it."""
        if decision.message is None:
            raise ValueError("decision.message: an ASK_CUSTOMER decision carries the agent's message")
        case = self.cases.get(case_id)
        task = self.tasks.get(decision.taskId)
        if not any(c.get("paused") for c in task.get("clocks") or []):
            self.tasks.set_clocks(task["taskId"], task_clocks.pause(task.get("clocks") or [], task["queue"]))
        publish_task("ClocksPaused", task, key=f"{task['taskId']}#ClocksPaused#{decision.message.id}")
        target = destination(case, self._customer(case), "agent_message")
        if target is None:
            raise CustomerUnreachable(f"case {case_id}: no contact on file to send the agent's message to")
        self._park(case, task_token, "ESCALATED", f"waiting for the customer's answer by {target[0]}; clocks paused")
        if target[0] == "sms":
            self.replies.expect(target[1], case_id, settings().customer_reply_timeout_seconds)
        marker = f"sent_agent_message_{decision.message.id}"
        sent = self.notifier.send(
            case_id,
            "agent_message",
            marker=marker,
            text=decision.message.text,
            reply_link=settings().customer_reply_url.replace("{caseId}", case_id) or f"/cases/{case_id}/messages",
        )
        if sent["status"] not in ("SENT", "ALREADY_SENT") or self.cases.get(case_id).get(marker) == "SKIPPED":
            raise CustomerUnreachable(f"case {case_id}: the agent's message was not sent ({sent['status']})")
        return CustomerAsked(awaiting=True, channel=target[0])

    # ---- Classify was unsure (AskWhichNeed) -------------------------------------------------------

    def ask_which_need(self, case_id: str, task_token: str, choices: list[str]) -> CustomerAsked:
        """Park the wait's token, then send the one clarifying question: the likely needs as numbered
        choices, in the customer's language, on their channel. An anonymous web form's customer (no
        contact on file) reads it on their case view and answers with POST /cases/{caseId}/messages."""
        from ..text.templates import choices_text

        case = self.cases.get(case_id)
        target = destination(case, self._customer(case), "clarify_question")
        if target is None and case["channel"] != "web":
            raise CustomerUnreachable(f"case {case_id}: nowhere to ask which need the customer has")
        where = f"by {target[0]}" if target else "on the case view"
        self._park(case, task_token, "VERIFYING", f"asked which need ({', '.join(choices)}), {where}")
        language = case.get("language") or "en"
        if target is not None and target[0] == "sms":
            self.replies.expect(target[1], case_id, settings().customer_reply_timeout_seconds)
        if target is not None:
            sent = self.notifier.send(
                case_id,
                "clarify_question",
                choices=choices_text(choices, language),
                reply_link=settings().customer_reply_url.replace("{caseId}", case_id) or f"/cases/{case_id}/messages",
            )
            if sent["status"] not in ("SENT", "ALREADY_SENT"):
                raise CustomerUnreachable(f"case {case_id}: the clarifying question was not sent ({sent['status']})")
        return CustomerAsked(awaiting=True, channel=target[0] if target else "case")

    def _customer(self, case: dict[str, Any]) -> dict[str, Any] | None:
        customer = self.directory.by_id(case["customerId"]) if case.get("customerId") else None
        if customer is None and case["channel"] == "web":
            customer = (self.directory.match(case) or (None, None))[1]
        return customer

    def _park(self, case: dict[str, Any], task_token: str, resume_status: str, detail: str) -> None:
        """The case waits on the customer with this token, before anything is sent: an answer can never
        arrive before it. `resume_status` is the case's status once the answer resumes the workflow."""
        if case.get("awaitToken") == task_token:
            return  # a retry of this step: parked already
        self.cases.update(
            case["caseId"],
            fields={
                "status": "AWAITING_CUSTOMER",
                "awaitToken": task_token,
                "awaitingSince": iso(),
                "resumeStatus": resume_status,
            },
            timeline=[timeline_entry("conversation", detail)],
        )

    # ---- the customer answers ---------------------------------------------------------------------

    def answer(self, case_id: str, text: str, key: str, via: str) -> MessageAccepted:
        """The customer's message joins the case; when the case waits on them it resumes the workflow.
        `key` identifies the message: a retry (same key) adds nothing and resumes nothing again."""
        for _ in range(MAX_ATTEMPTS):
            case = self.cases.get(case_id)
            if case["status"] == "CLOSED":
                raise CaseAlreadyClosed(case_id)
            if key in (case.get("messageKeys") or []):  # a retry: only the resume may be missing
                return self._resume(case, retried=True)
            awaiting = case["status"] == "AWAITING_CUSTOMER" and bool(case.get("awaitToken"))
            message = {"at": iso(), "from": "customer", "text": text, "via": via}
            asker = "the clarifying question" if case.get("resumeStatus") == "VERIFYING" else "the agent"
            detail = f"customer answered {asker}" if awaiting else f"customer added a {via} message"
            # a waiting case must still wait on this token; any other only must not have closed meanwhile
            state = "#status = :seen AND awaitToken = :token" if awaiting else "#status <> :closed"
            values = {":seen": case["status"], ":token": case.get("awaitToken")} if awaiting else {":closed": "CLOSED"}
            try:
                updated = self.cases.update(
                    case_id,
                    fields={"status": case.get("resumeStatus") or "ESCALATED"} if awaiting else None,
                    append={"messages": [message], "messageKeys": [key]},
                    timeline=[timeline_entry("message", detail, "customer")],
                    condition=f"{state} AND (attribute_not_exists(#keys) OR NOT contains(#keys, :key))",
                    condition_values={**values, ":key": key},
                    condition_names={"#status": "status", "#keys": "messageKeys"},
                )
            except self.cases.client.exceptions.ConditionalCheckFailedException:
                continue  # the case moved (an answer, a timeout) or the same message raced in: look again
            if case.get("openTaskId"):
                entry = {"at": message["at"], "by": "customer", "channel": via, "text": text}
                self.tasks.add_to_conversation(case["openTaskId"], entry)
            if awaiting:
                publish(
                    "CustomerReplied",
                    updated,
                    key=f"{case_id}#CustomerReplied#{hashlib.sha256(key.encode()).hexdigest()[:16]}",
                    at=message["at"],
                    via=via,
                    answering="clarify" if case.get("resumeStatus") == "VERIFYING" else "agent",
                )
            return self._resume(updated, retried=False) if awaiting else self._accepted(updated, False)
        raise ConcurrentUpdate(f"case {case_id} kept changing under the customer's message")

    def _resume(self, case: dict[str, Any], retried: bool) -> MessageAccepted:
        """Answer the wait; a token the workflow already used (or gave up on) is nothing to resume."""
        token = case.get("awaitToken")
        if not token or (retried and case["status"] == "AWAITING_CUSTOMER"):
            return self._accepted(case, False)
        sfn = self.sfn
        try:
            sfn.send_task_success(taskToken=token, output=json.dumps({"answeredAt": iso()}))
        except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
            return self._accepted(case, False)
        try:  # the token is spent: a retry of this answer finds nothing left to resume
            self.cases.update(
                case["caseId"],
                remove=["awaitToken"],
                condition="awaitToken = :token",
                condition_values={":token": token},
            )
        except self.cases.client.exceptions.ConditionalCheckFailedException:
            pass  # the workflow took the task back already (it removes the token too)
        return self._accepted(case, True)

    @staticmethod
    def _accepted(case: dict[str, Any], resumed: bool) -> MessageAccepted:
        return MessageAccepted(caseId=case["caseId"], status=case["status"], resumed=resumed)

    def answer_sms(self, phone: str, body: str, message_id: str) -> MessageAccepted | None:
        """An inbound SMS: it answers only the case whose agent's question went to this number by SMS
        and still waits; anything else is dropped with a log line and nothing written."""
        case_id = self.replies.case_for(phone)
        case = self.cases.find(case_id) if case_id else None
        if not case or case["status"] != "AWAITING_CUSTOMER":
            logger.info(
                "inbound SMS answers no case waiting on the customer: dropped", extra={"from": mask_phone(phone)}
            )
            return None
        return self.answer(case["caseId"], body, key=f"sms:{message_id}", via="sms")

    # ---- no answer in time ------------------------------------------------------------------------

    def silent(self, case_id: str, policy: str, previous: ResolutionResult) -> ResolutionResult:
        """The customer did not answer within the policy's time: CLOSE (with a notice), or
        RETURN_TO_QUEUE (the task, unclaimed, goes back to its queue with its clocks running)."""
        case = self.cases.get(case_id)
        waited = duration_text(settings().customer_reply_timeout_seconds, "en")
        task_id = case.get("openTaskId")
        if policy == "CLOSE":
            if task_id:
                self.tasks.expire(task_id, "the customer did not answer")
            summary = f"Closed: no answer to our question within {waited}."
            self.cases.record(
                case_id,
                "conversation",
                f"no answer from the customer within {waited}: case closed (policy CLOSE)",
                status="RESOLVED",
                resolution=summary,
                openTaskId=None,
            )
            return ResolutionResult(outcome="RESOLVED", summary=summary, notification="no_reply_closed")
        if task_id:
            self.tasks.release_claim(task_id)
        self.cases.record(
            case_id,
            "conversation",
            f"no answer from the customer within {waited}: task back to the {previous.queue or 'general'} queue",
        )
        return previous.model_copy(update={"outcome": "ESCALATE"})
