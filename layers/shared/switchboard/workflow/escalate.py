"""Human tasks: opening them with the workflow's task token, and what happens when an SLA passes,
an identity check fails or a step fails for good. Every path ends with a named human queue."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from ..adapters import aws
from ..adapters.events import publish, publish_task
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.tasks import AWAITING, CLAIMED, COMPLETED, OPEN, TaskRepository
from ..config import settings
from ..domain.clock import iso, now, parse_iso
from ..domain.errors import ConcurrentUpdate, TaskConflict, TaskNotFound, failure_message
from ..domain.masking import mask_contact, redact_text
from ..domain.models import ClockCheck, ClockPlan, ResolutionResult, SlaBreach, TaskOpened
from ..domain.routing import one_step_up, policy, queue_sla_seconds, raise_priority, route_for
from ..observability import MetricUnit, logger, metrics
from . import clocks as task_clocks
from .notify import Notifier


def clock_outcomes(task: dict[str, Any]) -> list[dict[str, Any]]:
    """A finished task's clocks as the reports count them: each one met in time or breached, as of its end
    (completion, or expiry); `flagged` when ClockDue flagged it breached while the task was open."""
    end = task.get("completedAt") or task.get("expiredAt")
    flagged = {c["name"] for c in task.get("clocks") or [] if c.get("breached")}
    return [
        {"name": c.name, "dueAt": c.dueAt, "breached": c.breached, "paused": c.paused, "flagged": c.name in flagged}
        for c in task_clocks.views(task, parse_iso(end) if end else None)
    ]


def task_id_for(case_id: str, task_token: str) -> str:
    """Deterministic per wait: a retried Escalate invocation with the same token finds its task."""
    digest = base64.b32encode(hashlib.sha256(task_token.encode()).digest()).decode()
    return f"{case_id}-T{digest[:8]}"  # letters and digits: never a long digit run that redaction would mask


class Escalations:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        tasks: TaskRepository | None = None,
        notifier: Notifier | None = None,
        sns: Any | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self.tasks = tasks or TaskRepository()
        self.notifier = notifier or Notifier(self.cases)
        self._sns = sns

    def _waiting_task(self, case: dict[str, Any]) -> dict[str, Any] | None:
        """The case's open task when it waits on the customer (or already waits on the new token)."""
        if not case.get("openTaskId"):
            return None
        try:
            return self.tasks.get(case["openTaskId"])
        except TaskNotFound:
            return None

    def plan_clocks(self, case_id: str, request: ResolutionResult) -> ClockPlan:
        """PlanClocks, before every human-task wait: a new task's clocks on its queue's business time,
        or the waiting task's clocks resumed after the customer's answer; the wait lasts until the
        earliest deadline that ends it. Reads only: the task takes them when it opens (open_task)."""
        case = self.cases.get(case_id)
        waiting = self._waiting_task(case)
        if waiting and waiting["status"] == AWAITING:
            clocks = task_clocks.resume(waiting.get("clocks") or [], waiting["queue"])
            if not clocks:  # a task opened before clocks existed: its SLA from now
                clocks = task_clocks.plan(case, request)
            claimed = bool(waiting.get("claimedAt"))
            return ClockPlan(waitSeconds=task_clocks.wait_seconds(clocks, claimed=claimed), clocks=clocks, resumed=True)
        clocks = task_clocks.plan(case, request)
        return ClockPlan(waitSeconds=task_clocks.wait_seconds(clocks), clocks=clocks)

    def open_task(
        self,
        case_id: str,
        task_token: str,
        request: ResolutionResult,
        tier: str,
        clocks: list[dict[str, Any]] | None = None,
        rewait: bool = False,
    ) -> TaskOpened:
        case = self.cases.get(case_id)
        waiting = self._waiting_task(case)
        if rewait and waiting and waiting.get("taskToken") != task_token and waiting["status"] == COMPLETED:
            # completed as its wait timed out: the desk gives it back to its agent in a moment (and
            # completes it again on this token), or records the case's release; a retry settles it
            raise ConcurrentUpdate(f"task {waiting['taskId']} was completed on the wait that ended")
        open_again = waiting is not None and waiting["status"] in ((AWAITING, OPEN, CLAIMED) if rewait else (AWAITING,))
        if waiting and (open_again or waiting.get("taskToken") == task_token):
            # back from the customer, or waiting again after ClockDue: the same task on the new token
            return self._rearm(case, waiting, task_token, clocks or [])
        queue = request.queue or "general"
        sla_seconds = request.slaSeconds or queue_sla_seconds(queue)
        # the wait's own deadline: PlanClocks' when it planned this wait, else the SLA (SupervisorTask)
        opened = now()  # one moment for the wait's deadline and the clocks shown: the resolution clock is that deadline
        sla_due_at = task_clocks.deadline(clocks or []) or iso(opened + timedelta(seconds=sla_seconds))
        clocks = clocks or self._clocks_to_show(case, request, opened)
        task = {
            "taskId": task_id_for(case_id, task_token),
            "caseId": case_id,
            "queue": queue,
            "priority": request.priority or case.get("priority") or "normal",
            "slaDueAt": sla_due_at,
            "clocks": clocks or [],
            "summary": redact_text(request.summary),
            "reason": request.reason,
            "evidence": request.evidence,
            "tier": tier,
            "intent": case.get("intent"),
            "language": case.get("language"),
            "customer": mask_contact(case.get("contact") or {}),  # the task row's customer, masked
            "createdAt": iso(),
            "taskToken": task_token,
        }
        if case.get("lastRepeat"):  # repeat contacts joined before the task was opened
            task["repeatContact"] = case["lastRepeat"]
        if not self.tasks.create(task):  # a retried invocation made it: its token is this wait's
            task = self.tasks.get(str(task["taskId"]))
        if case.get("openTaskId") != task["taskId"]:  # not yet on the case (first try, or it failed there)
            case = self.cases.update(
                case_id,
                fields={
                    "status": "ESCALATED",
                    "queue": queue,
                    "priority": task["priority"],
                    "openTaskId": task["taskId"],
                },
                append={"tasks": [task["taskId"]]},
                timeline=[
                    timeline_entry(
                        "escalate",
                        f"human task {task['taskId']} in {queue} ({task['priority']}), due {task['slaDueAt']}: {request.reason}",
                    )
                ],
            )
            publish("CaseEscalated", case, key=f"{task['taskId']}#CaseEscalated", queue=queue, tier=tier)
        regulatory = next((c for c in clocks or [] if c["name"] == "regulatory"), None)
        if regulatory and not case.get("regulatory"):  # the regulator's deadline follows the case
            self.cases.update(case_id, fields={"regulatory": regulatory})
        # after the case says ESCALATED (whoever sees the task sees its case escalated); a retry repeats the key
        due = [{"name": c["name"], "dueAt": c["dueAt"]} for c in clocks or []]
        publish_task("TaskOpened", task, key=f"{task['taskId']}#TaskOpened", at=task["createdAt"], clocks=due)
        return TaskOpened(taskId=task["taskId"], queue=queue, slaDueAt=task["slaDueAt"])

    @staticmethod
    def _clocks_to_show(case: dict[str, Any], request: ResolutionResult, at: datetime) -> list[dict[str, Any]]:
        """A task whose wait PlanClocks did not plan (the supervisors' task) still shows its clocks;
        they are for the view only, so they never stop the task from opening."""
        try:
            return task_clocks.plan(case, request, at)
        except Exception:  # noqa: BLE001 - a view's extra must not keep a case from a person
            logger.exception("clocks not planned", extra={"caseId": case["caseId"]})
            return []

    def _rearm(
        self, case: dict[str, Any], task: dict[str, Any], task_token: str, clocks: list[dict[str, Any]]
    ) -> TaskOpened:
        """Back from waiting on the customer: the same task, with the same agent (or its queue when the
        answer never came), waits on the new token with its clocks resumed. Or its wait timed out for a
        clock that does not end it (ClockDue): it waits again, where it was."""
        case_id, task_id = case["caseId"], task["taskId"]
        if task.get("taskToken") != task_token:  # not a retry of this wait: re-arm it
            back = task["status"] == AWAITING
            clocks = clocks or task.get("clocks") or []
            due = task_clocks.deadline(clocks) or task["slaDueAt"]
            task = self.tasks.rearm(task, task_token, clocks, due)
            if back:  # the customer answered: the clocks run again
                key = f"{task_id}#ClocksResumed#{task_id_for(case_id, task_token)}"
                publish_task("ClocksResumed", task, key=key)
            holder = f"agent {task['claimedBy']}" if task.get("claimedBy") else f"the {task['queue']} queue"
            regulatory = next((c for c in clocks if c["name"] == "regulatory"), None)
            if back:
                self.cases.update(
                    case_id,
                    fields={"status": "ESCALATED", **({"regulatory": regulatory} if regulatory else {})},
                    remove=["awaitToken"],
                    timeline=[
                        timeline_entry("escalate", f"task {task_id} back with {holder}, clocks resumed, due {due}")
                    ],
                )
            else:
                self.cases.update(
                    case_id, timeline=[timeline_entry("sla", f"task {task_id} waits again with {holder}, due {due}")]
                )
        return TaskOpened(taskId=task_id, queue=task["queue"], slaDueAt=task["slaDueAt"])

    def clock_due(self, case_id: str) -> ClockCheck:
        """ClockDue: the human-task wait timed out. It ends for good only when a deadline that ends it
        has come (resolution, regulatory: SlaExpired takes over). A first response that came due with
        nobody on the task is flagged (breached, one priority up, on the timeline and the bus) and the
        task waits again, as it does when a supervisor extended the deadline since the wait began."""
        case = self.cases.get(case_id)
        task = self._waiting_task(case)
        if task is None or task["status"] not in (OPEN, CLAIMED, COMPLETED):
            return ClockCheck(expired=True, reason="no open task waits")
        clocks, at = task.get("clocks") or [], now()
        if task["status"] == COMPLETED:  # completed as the wait timed out: the desk completes it again on the next
            return ClockCheck(
                expired=False,
                waitSeconds=task_clocks.wait_seconds(clocks, at, claimed=True),
                clocks=clocks,
                reason="completed as the wait ended",
            )
        due = task_clocks.deadline(clocks) or task["slaDueAt"]
        if parse_iso(due) <= at:
            return ClockCheck(expired=True, clocks=clocks, reason=f"due {due}")
        flagged = task_clocks.first_response_breached(clocks, at) if not task.get("claimedAt") else None
        reason = f"deadline {due} not reached"
        if flagged is not None:
            try:
                was, priority = task["priority"], one_step_up(task["priority"])
                task = self.tasks.flag_unanswered(task, flagged, priority)
                clocks = flagged
                first = next(c for c in clocks if c["name"] == "firstResponse")
                reason = f"first response due {first['dueAt']} passed with nobody on the task"
                raised = f"raised to {priority}" if priority != was else f"already {priority}"
                self.cases.record(
                    case_id, "sla", f"{reason}: task {task['taskId']} {raised}, shown breached", priority=priority
                )
                key = f"{task['taskId']}#ClockBreached#firstResponse"
                publish_task("ClockBreached", task, key=key, clock="firstResponse")
                metrics.add_metric(name="FirstResponseBreached", unit=MetricUnit.Count, value=1)
            except TaskConflict:  # claimed just now: the first response was met after all
                task = self.tasks.get(task["taskId"])
        wait = task_clocks.wait_seconds(clocks, at, claimed=bool(task.get("claimedAt")))
        return ClockCheck(expired=False, waitSeconds=wait, clocks=clocks, reason=reason)

    def sla_expired(
        self,
        case_id: str,
        previous: ResolutionResult,
        start_failure: dict[str, Any] | None = None,
        clock_failure: dict[str, Any] | None = None,
    ) -> ResolutionResult:
        """The agent SLA passed, or the agents' task could not be opened (`start_failure`, after the
        state's retries): supervisors take it, one priority step up."""
        case = self.cases.get(case_id)
        if clock_failure is not None:  # the wait ended and its clocks could not be read: as if it expired
            error = str(clock_failure.get("Error", "Unknown"))
            self.cases.record(case_id, "failure", f"step ClockDue failed: {error}; the wait ended, supervisors take it")
        if start_failure is not None:
            error = str(start_failure.get("Error", "Unknown"))
            reason = f"the task in {previous.queue} could not be opened ({error})"
            cause = redact_text(failure_message(start_failure))[:300]
            self.cases.record(case_id, "failure", f"step HumanTask failed: {error}: {cause}; handed to supervisors")
        else:
            if case.get("openTaskId"):
                self._expire(case["openTaskId"], "agent SLA expired")
            reason = f"SLA expired in {previous.queue}"
        supervisors = policy()["supervisors"]
        priority = raise_priority(one_step_up(previous.priority or "normal"), "high")
        self.cases.record(case_id, "sla", f"{reason}: handed to supervisors ({priority})")
        metrics.add_metric(name="SlaExpired", unit=MetricUnit.Count, value=1)
        return ResolutionResult(
            outcome="ESCALATE",
            summary=previous.summary,
            queue=supervisors["queue"],
            priority=priority,
            reason=reason,
            evidence=previous.evidence,
            slaSeconds=previous.supervisorSlaSeconds or queue_sla_seconds("supervisors"),
            supervisorSlaSeconds=previous.supervisorSlaSeconds,
            tier="supervisor",
            notification="agent_resolution",
        )

    def sla_breached(self, case_id: str) -> SlaBreach:
        """Supervisors missed it too: mark the case, raise the ops alarm, tell the customer."""
        case = self.cases.get(case_id)
        if case.get("openTaskId"):
            self._expire(case["openTaskId"], "supervisor SLA expired")
        self.cases.record(case_id, "sla", "supervisor SLA expired: SLA breached, ops alerted", slaBreached=True)
        metrics.add_metric(name="SlaBreached", unit=MetricUnit.Count, value=1)
        alarm_topic = settings().ops_alarm_topic_arn
        if alarm_topic:
            (self._sns or aws.sns()).publish(
                TopicArn=alarm_topic,
                Subject="Switchboard SLA breached",
                Message=f"Case {case_id} ({case.get('intent')}, {case.get('priority')}) breached its agent and supervisor SLAs.",
            )
        logger.error("SLA breached", extra={"caseId": case_id})
        try:
            self.notifier.send(case_id, "failure_fallback")
        except Exception:  # noqa: BLE001 - the alarm is raised already; a failed notice must not hide it
            logger.exception("fallback notice failed", extra={"caseId": case_id})
        return SlaBreach(slaBreached=True)

    def _expire(self, task_id: str, reason: str) -> None:
        """The wait's deadline passed: the task expires, and its clocks that came due unmet are breached."""
        expired = self.tasks.expire(task_id, reason)
        if expired is None:  # completed meanwhile (or a retry expired it already: its event went out then)
            return
        task = {**self.tasks.get(task_id), **expired}
        publish_task("TaskExpired", task, key=f"{task_id}#TaskExpired", reason=reason, clocks=clock_outcomes(task))

    def step_up_failed(self, case_id: str, error: str, cause: str = "") -> ResolutionResult:
        """`cause` is the failure's readable message: VerificationFailed says why (wrong codes, code limit)."""
        reason = {
            "VerificationFailed": cause or "three wrong one-time codes",
            "States.Timeout": "no one-time code entered in time",
            "CustomerNotFound": "no contact on file to send a code to",
            "NotificationDeliveryError": "the one-time code could not be delivered",
        }.get(error, f"identity check failed ({error})")
        known = bool(self.cases.get(case_id).get("customerId"))
        if not known:  # parked like a customer so the caller could not tell; a person says what happens now
            reason = "no customer on file matches this contact: customer not authenticated for a sensitive request"
        case = self.cases.update(
            case_id,
            fields={"status": "ESCALATED", "verificationFailure": reason},
            remove=["otp", "pendingTaskToken"],
            timeline=[{"at": iso(), "stage": "verify", "detail": f"identity not proven: {reason}", "actor": "system"}],
        )
        route = route_for(case.get("intent") or "other", case.get("priority"))
        needs, evidence = case.get("intent"), []
        if case.get("secondaryIntent"):  # two needs: the person who takes it sees both, as Resolve would show
            needs = f"{case.get('intent')} + {case['secondaryIntent']}"
            evidence = [{"primaryIntent": case.get("intent"), "secondaryIntent": case["secondaryIntent"]}]
        return ResolutionResult(
            outcome="ESCALATE",
            summary=f"{needs}: identity not proven ({reason})",
            evidence=evidence,
            queue=route.queue,
            priority=raise_priority(route.priority, "high"),
            reason=reason,
            slaSeconds=route.slaSeconds,
            supervisorSlaSeconds=route.supervisorSlaSeconds,
            notification="agent_resolution",
        )

    def record_failure(
        self, case_id: str, failure: dict[str, Any], step: str, classified_queue: str | None
    ) -> ResolutionResult:
        """A step failed for good: the case is FAILED and goes to a person, on the queue its
        classification chose (general when it failed before that)."""
        error = str(failure.get("Error", "Unknown"))
        cause = redact_text(failure_message(failure))[:300]
        case = self.cases.update(
            case_id,
            fields={"status": "FAILED"},
            timeline=[timeline_entry("failure", f"step {step} failed: {error}: {cause}")],
        )
        queue = classified_queue or "general"
        return ResolutionResult(
            outcome="ESCALATE",
            summary=f"automatic handling failed ({error}); please handle this case by hand",
            queue=queue,
            priority=raise_priority(case.get("priority") or "normal", "high"),
            reason=f"workflow step failed: {error}",
            slaSeconds=queue_sla_seconds(queue),
            supervisorSlaSeconds=queue_sla_seconds("supervisors"),
            notification="agent_resolution",
        )
