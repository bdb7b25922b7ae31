"""The agents' side: list, claim and complete human tasks of their own queues; and carrying out
the decision once the workflow resumes."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from . import aws
from .clock import iso, now, parse_iso
from .errors import Forbidden, TaskConflict, TransientError
from .identity import Principal
from .masking import HIDDEN, mask_account
from .models import ResolutionResult, TaskCompletion, TaskDecision, TaskPage, TaskView
from .repository.cases import CaseRepository, timeline_entry
from .repository.tasks import TaskRepository
from .routing import queue_sla_seconds
from .services import CaseServices
from .templates import action_text

TASK_VIEW_FIELDS = set(TaskView.model_fields)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def _page_token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def _page_after(token: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))["after"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("nextToken: not a token this API gave") from exc
    if not isinstance(after, str):
        raise ValueError("nextToken: not a token this API gave")
    return after


def _agent_id(agent: Principal) -> str:
    """Who acts on a task: an agent principal without an id (claims with no username) may not."""
    if not agent.is_agent or not agent.subject:
        raise Forbidden("an agent identity is required")
    return agent.subject


def task_view(task: dict[str, Any]) -> TaskView:
    return TaskView(**{k: v for k, v in task.items() if k in TASK_VIEW_FIELDS})


class AgentDesk:
    def __init__(
        self, tasks: TaskRepository | None = None, cases: CaseRepository | None = None, sfn: Any | None = None
    ):
        self.tasks = tasks or TaskRepository()
        self.cases = cases or CaseRepository()
        self._sfn = sfn

    @property
    def sfn(self) -> Any:
        return self._sfn or aws.stepfunctions()

    def list_tasks(
        self, agent: Principal, queue: str | None, limit: int = PAGE_SIZE, next_token: str | None = None
    ) -> TaskPage:
        """One page of open tasks of the agent's queues in queue order (priority, SLA due time);
        `nextToken` carries on after the page's last task, so every open task can be reached."""
        queues = [queue] if queue else sorted(agent.queues)
        if queue and queue not in agent.queues:
            raise Forbidden(f"not a member of queue {queue}")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit: must be from 1 to {MAX_PAGE_SIZE}")
        after = _page_after(next_token) if next_token else None
        # the first limit+1 of each queue hold the merged first limit+1: one more tells if a page follows
        found = sorted(
            (task for q in queues for task in self.tasks.open_tasks(q, limit + 1, after)), key=lambda t: t["queueOrder"]
        )
        page = found[:limit]
        token = _page_token(page[-1]["queueOrder"]) if len(found) > limit else None
        return TaskPage(tasks=[task_view(t) for t in page], nextToken=token)

    def _own_task(self, agent: Principal, task_id: str) -> dict[str, Any]:
        task = self.tasks.get(task_id)
        if task["queue"] not in agent.queues:
            raise Forbidden(f"task {task_id} belongs to queue {task['queue']}")
        return task

    def claim(self, agent: Principal, task_id: str) -> TaskView:
        agent_id = _agent_id(agent)
        task = self._own_task(agent, task_id)
        self._check_open(task)
        claimed = self.tasks.claim(task_id, agent_id)
        self.cases.record(task["caseId"], "agent", f"task {task_id} claimed", actor=f"agent:{agent_id}")
        return task_view(claimed)

    def complete(self, agent: Principal, task_id: str, completion: TaskCompletion) -> TaskView:
        agent_id = _agent_id(agent)
        task = self._own_task(agent, task_id)
        if self._interrupted_completion(task, agent_id):
            # the same agent retries a completion whose answer was lost after the task was marked done:
            # deliver the decision recorded then, so the workflow never waits on a task that looks done
            return self._deliver(task, agent_id, TaskDecision(**task["decision"]), retried=True)
        self._check_open(task)
        if completion.outcome == "REASSIGN" and not completion.queue:
            raise ValueError("queue: required when the outcome is REASSIGN")
        decision = TaskDecision(
            taskId=task_id,
            outcome=completion.outcome,
            resolution=completion.resolution,
            actions=completion.actions,
            queue=completion.queue,
            agentId=agent_id,
        )
        done = self.tasks.complete(task_id, agent_id, decision.model_dump(mode="json"))
        return self._deliver({**task, **done}, agent_id, decision, retried=False)

    def _interrupted_completion(self, task: dict[str, Any], agent_id: str) -> bool:
        """Done by this agent, but the case never recorded it: the workflow may not have heard."""
        if task["status"] != "COMPLETED" or task.get("completedBy") != agent_id or not task.get("decision"):
            return False
        return self.cases.get(task["caseId"]).get("openTaskId") == task["taskId"]

    def _deliver(self, task: dict[str, Any], agent_id: str, decision: TaskDecision, retried: bool) -> TaskView:
        task_id = task["taskId"]
        sfn = self.sfn
        try:
            sfn.send_task_success(taskToken=task["taskToken"], output=decision.model_dump_json())
        except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist) as exc:
            if retried:  # it was heard before, or the wait ended: either way nothing is left to deliver
                raise TaskConflict("task is completed") from exc
            # the decision was never applied: record the task as expired, not as done
            self._reopen(task_id, agent_id)
            self.tasks.expire(task_id, "the workflow stopped waiting (SLA expired)")
            raise TaskConflict("the workflow stopped waiting for this task (SLA expired)") from exc
        except Exception:
            if not retried:
                self._reopen(task_id, agent_id)  # keep the task workable; the agent can retry
            raise
        self.cases.record(
            task["caseId"],
            "agent",
            f"task {task_id} completed: {decision.outcome}",
            actor=f"agent:{agent_id}",
            openTaskId=None,
        )
        return task_view({**task, "status": "COMPLETED"})

    def _reopen(self, task_id: str, agent_id: str, attempts: int = 4) -> None:
        """The undo must not be lost to the same outage that failed the send (the SDK's retry quota
        may be spent by then): a completed task the workflow never heard of would sit there unseen."""
        for attempt in range(attempts):
            try:
                return self.tasks.reopen(task_id, agent_id)
            except TransientError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.1 * 2**attempt)

    @staticmethod
    def _check_open(task: dict[str, Any]) -> None:
        if task["status"] in ("COMPLETED", "EXPIRED"):
            raise TaskConflict(f"task is {task['status'].lower()}")
        if parse_iso(task["slaDueAt"]) < now():
            raise TaskConflict("the task's SLA expired; it has moved to supervisors")


class DecisionExecutor(CaseServices):
    """Carries out what an agent decided, once the workflow resumes (ApplyDecision state)."""

    def apply(self, case_id: str, decision: TaskDecision, previous: ResolutionResult) -> ResolutionResult:
        actor = f"agent:{decision.agentId}"
        if decision.outcome == "REASSIGN":
            queue = decision.queue or "general"
            self.cases.record(case_id, "agent", f"reassigned to {queue}", actor=actor, queue=queue)
            return previous.model_copy(
                update={
                    "queue": queue,
                    "reason": f"reassigned by {decision.agentId}: {decision.resolution[:200]}",
                    "slaSeconds": queue_sla_seconds(queue),
                    "tier": "agent",
                }
            )
        case = self.cases.get(case_id)
        language = case.get("language") or "en"
        outcomes = [self._act(case, action, actor) for action in decision.actions if action.type != "NONE"]
        carried_out = [told for _, told in outcomes if told]  # only what really happened is told
        summary = decision.resolution if decision.outcome == "RESOLVED" else f"REJECTED: {decision.resolution}"
        if carried_out:
            summary += "\n" + action_text("heading", language) + "\n" + "\n".join(f"- {t}" for t in carried_out)
        self.cases.record(
            case_id,
            "agent",
            f"{decision.outcome}: {'; '.join(log for log, _ in outcomes) or 'no actions'}",
            actor=actor,
            status="RESOLVED",
            resolution=summary,
        )
        return ResolutionResult(outcome="RESOLVED", summary=summary, notification="agent_resolution")

    def _act(self, case: dict[str, Any], action: Any, actor: str) -> tuple[str, str | None]:
        """(what the agent's record says, what the customer is told or None when nothing was done)."""
        customer_id = case.get("customerId")
        language = case.get("language") or "en"
        txn = self.ledger.get(customer_id, action.transactionId) if customer_id and action.transactionId else None
        if action.type == "APPROVE_REFUND":
            if not txn:
                return f"refund not recorded: transaction {action.transactionId} not found for this customer", None
            if txn.get("refundStatus") == "APPROVED":
                return f"refund for {txn['transactionId']} already recorded", None
            refund_id = f"R{txn['transactionId']}"
            self.ledger.put(
                {
                    "transactionId": refund_id,
                    "customerId": customer_id,
                    "accountId": txn.get("accountId"),
                    "merchant": txn["merchant"],
                    "amount": -txn["amount"],
                    "currency": txn["currency"],
                    "status": "REFUND_PENDING",
                    "type": "REFUND",
                    "refundOf": txn["transactionId"],
                    "createdAt": iso(),
                    "approvedBy": actor,
                    "caseId": case["caseId"],
                }
            )
            self.ledger.update(txn, refundStatus="APPROVED", refundId=refund_id)
            self.cases.update(
                case["caseId"],
                timeline=[timeline_entry("action", f"refund {refund_id} of {txn['transactionId']} approved", actor)],
            )
            return f"refund {refund_id} recorded", action_text("APPROVE_REFUND", language, **_txn_fields(txn))
        if action.type == "OPEN_CHARGEBACK":
            if not txn:
                return f"chargeback not opened: transaction {action.transactionId} not found for this customer", None
            if txn.get("chargebackStatus"):
                return f"chargeback for {txn['transactionId']} already {txn['chargebackStatus'].lower()}", None
            self.ledger.update(
                txn,
                chargebackStatus="OPEN",
                chargebackOpenedAt=iso(),
                chargebackBy=actor,
                chargebackCaseId=case["caseId"],
            )
            self.cases.update(
                case["caseId"],
                timeline=[timeline_entry("action", f"chargeback opened for {txn['transactionId']}", actor)],
            )
            return f"chargeback for {txn['transactionId']} opened", action_text(
                "OPEN_CHARGEBACK", language, **_txn_fields(txn)
            )
        if action.type == "BLOCK_CARD":
            account = (txn or {}).get("accountId") or action.accountId
            if not customer_id or not account:
                return "card not blocked: no card named (transactionId or accountId)", None
            if not self.directory.block_card(customer_id, account, actor, f"blocked by agent, case {case['caseId']}"):
                return "card not blocked: that card is not this customer's, or is blocked already", None
            card = mask_account(account) or HIDDEN
            self.cases.update(case["caseId"], timeline=[timeline_entry("action", f"card {card} blocked", actor)])
            return f"card {card} blocked", action_text("BLOCK_CARD", language, card=card.lstrip("*"))
        if action.type == "UNLOCK_ACCOUNT" and customer_id:
            self.directory.set_account_status(customer_id, "ACTIVE", actor, f"unlocked by agent, case {case['caseId']}")
            return "account unlocked", action_text("UNLOCK_ACCOUNT", language)
        if action.type == "SEND_PASSWORD_RESET" and customer_id:
            import secrets

            sent = self.notifier.send(
                case["caseId"],
                "password_reset",
                reset_link=f"https://pay.example/reset/{secrets.token_urlsafe(16)}",
                minutes="30",
            )
            if sent["status"] != "SENT":
                return f"password reset not sent ({sent['status']})", None
            return "password reset sent", action_text("SEND_PASSWORD_RESET", language)
        return f"{action.type} not applicable", None


def _txn_fields(txn: dict[str, Any]) -> dict[str, str]:
    return {
        "txn": txn["transactionId"],
        "merchant": txn["merchant"],
        "amount": f"{abs(txn['amount']):.2f}",
        "currency": txn["currency"],
    }


def close_case(case_id: str, cases: CaseRepository | None = None) -> dict[str, Any]:
    from .events import publish

    cases = cases or CaseRepository()
    case = cases.update(
        case_id,
        fields={"status": "CLOSED", "closedAt": iso()},
        remove=["openSessionKey"],
        timeline=[timeline_entry("close", "case closed")],
    )
    contact = case.get("contact") or {}
    if case.get("channel") == "app_chat" and contact.get("appUserId"):
        from .repository.sessions import ChatSessions

        ChatSessions().release(f"{contact['appUserId']}#{contact['sessionId']}", case_id)  # next message: new case
    if case.get("resolution"):
        publish("CaseResolved", case)
    publish("CaseClosed", case)
    return {"status": "CLOSED"}
