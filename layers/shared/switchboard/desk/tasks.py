"""The agents' side: list, hand out (POST /tasks/next), claim and complete human tasks of their own
queues (the decision they send is carried out by the workflow's ApplyDecision stage,
workflow/decide.py); supervisors take over and reassign. Every action is on the case timeline with
who did it; every claim counts against the agent's capacity (adapters/repository/tasks.py)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from ..adapters import aws
from ..adapters.events import publish_task
from ..adapters.repository.agents import AgentLoad, default_capacity
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.tasks import CLAIMED, OPEN, TaskRepository
from ..domain.clock import iso, now, parse_iso
from ..domain.errors import AtCapacity, ConcurrentUpdate, Forbidden, TaskConflict, TransientError
from ..domain.identity import Principal
from ..domain.masking import redact_text
from ..domain.models import (
    AgentMessage,
    TaskCompletion,
    TaskDecision,
    TaskExtension,
    TaskMessage,
    TaskPage,
    TaskReassignment,
    TaskView,
)

TASK_VIEW_FIELDS = set(TaskView.model_fields)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
NEXT_CANDIDATES = 25  # open tasks per queue the hand-out considers (queue order: the best come first)
# what a listed task shows beyond the queue index's projection
UNINDEXED = ("language", "intent", "customer", "kind", "repeatContact")


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


def _supervisor_id(who: Principal) -> str:
    agent_id = _agent_id(who)
    if not who.is_supervisor:
        raise Forbidden("only a supervisor may take over or reassign a task")
    return agent_id


def hand_out_order(task: dict[str, Any], languages: frozenset[str]) -> tuple[str, int, str]:
    """Highest priority first; within a priority a task in a language the agent speaks (when their
    profile names any) before the others; then the earliest due time (the queue order's own key)."""
    rank = task["queueOrder"].split("#", 1)[0]
    foreign = 1 if languages and task.get("language") not in languages else 0
    return rank, foreign, task["queueOrder"]


def task_view(task: dict[str, Any]) -> TaskView:
    from ..workflow.clocks import views

    fields = {k: v for k, v in task.items() if k in TASK_VIEW_FIELDS and k not in ("clocks", "conversation")}
    conversation = [{**entry, "text": redact_text(entry["text"])} for entry in task.get("conversation") or []]
    return TaskView(**fields, clocks=views(task), conversation=conversation)


def _claimed_event(task: dict[str, Any], agent_id: str) -> None:
    """An agent holds the task now (claim, hand-out, take-over, reassignment): the first one meets its
    firstResponse clock."""
    at = task.get("claimedAt") or iso()
    publish_task("TaskClaimed", task, key=f"{task['taskId']}#TaskClaimed#{at}", at=at, agentId=agent_id)


def _completed_event(task: dict[str, Any], agent_id: str, outcome: str) -> None:
    from ..workflow.escalate import clock_outcomes

    at = task.get("completedAt") or iso()
    done = {**task, "completedAt": at}
    publish_task(
        "TaskCompleted",
        done,
        key=f"{task['taskId']}#TaskCompleted",
        at=at,
        agentId=agent_id,
        outcome=outcome,
        clocks=clock_outcomes(done),
    )


class AgentDesk:
    def __init__(
        self,
        tasks: TaskRepository | None = None,
        cases: CaseRepository | None = None,
        sfn: Any | None = None,
        agents: AgentLoad | None = None,
    ):
        self.tasks = tasks or TaskRepository()
        self.cases = cases or CaseRepository()
        self._sfn = sfn
        self.agents = agents or AgentLoad()

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
        page = self._with_details(found[:limit])
        token = _page_token(page[-1]["queueOrder"]) if len(found) > limit else None
        return TaskPage(tasks=[task_view(t) for t in page], nextToken=token)

    def _with_details(self, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        details = self.tasks.details([t["taskId"] for t in tasks], UNINDEXED) if tasks else {}
        return [{**t, **details.get(t["taskId"], {})} for t in tasks]

    def _own_task(self, agent: Principal, task_id: str) -> dict[str, Any]:
        task = self.tasks.get(task_id)
        if task["queue"] not in agent.queues:
            raise Forbidden(f"task {task_id} belongs to queue {task['queue']}")
        return task

    def _capacity(self, agent: Principal, agent_id: str) -> int:
        """The agent's capacity (their token's, else the policy's default), their profile refreshed."""
        capacity = agent.capacity or default_capacity()
        self.agents.remember(agent_id, sorted(agent.queues), sorted(agent.languages), capacity)
        return capacity

    def claim(self, agent: Principal, task_id: str) -> TaskView:
        agent_id = _agent_id(agent)
        task = self._own_task(agent, task_id)
        if task["status"] == CLAIMED and task.get("claimedBy") == agent_id:
            return task_view(task)  # claiming what one holds: the same answer, counted once
        self._check_open(task)
        claimed = self.tasks.claim(task_id, agent_id, self._capacity(agent, agent_id))
        self.cases.record(task["caseId"], "agent", f"task {task_id} claimed", actor=f"agent:{agent_id}")
        _claimed_event({**task, **claimed}, agent_id)
        return task_view(claimed)

    def next_task(self, agent: Principal) -> TaskView | None:
        """Hand the agent the best open task of their queues (hand_out_order), claimed for them in the
        same transaction that counts it against their capacity: concurrent callers never get the same
        task, and none goes past capacity. None when no open task is left for them."""
        agent_id = _agent_id(agent)
        capacity = self._capacity(agent, agent_id)
        if self.agents.load(agent_id) >= capacity:
            raise AtCapacity(agent_id, capacity)
        for task in self._candidates(agent):
            try:
                claimed = self.tasks.claim(task["taskId"], agent_id, capacity)
            except (TaskConflict, ConcurrentUpdate):
                continue  # another agent was first: the next best
            language = task.get("language") or "unknown"
            self.cases.record(
                task["caseId"],
                "agent",
                f"task {task['taskId']} handed out by next ({task['queue']}, {task['priority']}, language {language})",
                actor=f"agent:{agent_id}",
            )
            _claimed_event({**task, **claimed}, agent_id)
            return task_view(claimed)
        return None

    def _candidates(self, agent: Principal) -> list[dict[str, Any]]:
        """The first open, unclaimed, not yet overdue tasks of each of the agent's queues, best first."""
        found: list[dict[str, Any]] = []
        moment = iso()
        for queue in sorted(agent.queues):
            after, kept = None, 0
            while kept < NEXT_CANDIDATES:
                page = self.tasks.open_tasks(queue, PAGE_SIZE, after)
                for task in page:
                    if task["status"] == OPEN and task["slaDueAt"] > moment and kept < NEXT_CANDIDATES:
                        found.append(task)
                        kept += 1
                if len(page) < PAGE_SIZE:
                    break
                after = page[-1]["queueOrder"]
        return sorted(self._with_details(found), key=lambda t: hand_out_order(t, agent.languages))

    def take_over(self, supervisor: Principal, task_id: str) -> TaskView:
        """A supervisor takes a task, claimed by someone or still open; the previous holder's load is
        released. Not bounded by the supervisor's capacity: taking over is their call."""
        supervisor_id = _supervisor_id(supervisor)
        task = self.tasks.get(task_id)
        if task["status"] == CLAIMED and task.get("claimedBy") == supervisor_id:
            return task_view(task)
        self._check_open(task)
        taken = self.tasks.give(task, supervisor_id)
        previous = task.get("claimedBy") if task["status"] == CLAIMED else None
        self.cases.record(
            task["caseId"],
            "agent",
            f"task {task_id} taken over by supervisor {supervisor_id}"
            + (f" from agent {previous}" if previous else " (it was open)"),
            actor=f"agent:{supervisor_id}",
        )
        _claimed_event({**task, **taken}, supervisor_id)
        return task_view(taken)

    def reassign(self, supervisor: Principal, task_id: str, body: TaskReassignment) -> TaskView:
        """A supervisor gives a task to another agent of its queue (within that agent's capacity, as
        their profile last told it) or, with no agentId, returns a claimed task to its queue."""
        supervisor_id = _supervisor_id(supervisor)
        task = self.tasks.get(task_id)
        self._check_open(task)
        previous = task.get("claimedBy") if task["status"] == CLAIMED else None
        if body.agentId is None:
            moved = self.tasks.give(task, None)
            detail = f"task {task_id} returned to queue {task['queue']} by supervisor {supervisor_id}"
        else:
            if previous == body.agentId:
                raise TaskConflict(f"task {task_id} is already held by {body.agentId}")
            profile = self.agents.get(body.agentId)
            if not profile or task["queue"] not in profile.get("queues", []):
                raise ValueError(f"agentId: {body.agentId} is not an agent of queue {task['queue']}")
            capacity = int(profile.get("capacity") or default_capacity())
            moved = self.tasks.give(task, body.agentId, capacity)
            detail = f"task {task_id} reassigned to agent {body.agentId} by supervisor {supervisor_id}"
        if previous:
            detail += f" (from agent {previous})"
        if body.reason:
            detail += f": {body.reason}"
        self.cases.record(task["caseId"], "agent", detail, actor=f"agent:{supervisor_id}")
        if body.agentId is not None:
            _claimed_event({**task, **moved}, body.agentId)
        return task_view(moved)

    def complete(self, agent: Principal, task_id: str, completion: TaskCompletion) -> TaskView:
        agent_id = _agent_id(agent)
        task = self._own_task(agent, task_id)
        if not task.get("taskToken"):  # a follow-up no workflow waits on (a low survey score)
            return self._complete_follow_up(task, agent_id, completion)
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
        held = task["status"] == CLAIMED
        done = self.tasks.complete(task_id, agent_id, decision.model_dump(mode="json"), held=held)
        return self._deliver({**task, **done}, agent_id, decision, retried=False)

    def send_message(self, agent: Principal, task_id: str, body: TaskMessage) -> TaskView:
        """The claiming agent's words to the customer: the task waits on the customer (the human-task
        wait completes with ASK_CUSTOMER; AwaitCustomer sends the message and pauses the clocks)."""
        import uuid

        agent_id = _agent_id(agent)
        task = self._own_task(agent, task_id)
        self._check_open(task)
        if task["status"] != "CLAIMED" or task.get("claimedBy") != agent_id:
            raise TaskConflict(
                "the task waits on the customer's answer already"
                if task["status"] == "AWAITING_CUSTOMER" and task.get("claimedBy") == agent_id
                else "only the agent who claimed the task may message the customer; claim it first"
            )
        text = redact_text(body.text)  # no full card/account number or code leaves in an agent's words
        message = AgentMessage(id=uuid.uuid4().hex[:12], text=text)
        decision = TaskDecision(taskId=task_id, outcome="ASK_CUSTOMER", agentId=agent_id, message=message)
        waiting = self.tasks.await_customer(task_id, agent_id)
        sfn = self.sfn
        try:
            sfn.send_task_success(taskToken=task["taskToken"], output=decision.model_dump_json())
        except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist) as exc:
            self.tasks.back_to_agent(task_id, agent_id)
            self.tasks.expire(task_id, "the workflow stopped waiting (SLA expired)")
            raise TaskConflict("the workflow stopped waiting for this task (SLA expired)") from exc
        except Exception:
            self.tasks.back_to_agent(task_id, agent_id)  # nothing was asked: the agent can try again
            raise
        at = iso()
        channel = self.cases.get(task["caseId"])["channel"]
        entry = {"at": at, "by": "agent", "agentId": agent_id, "channel": channel, "text": text}
        self.tasks.add_to_conversation(task_id, entry)
        self.cases.update(
            task["caseId"],
            append={"messages": [{"at": at, "from": "agent", "agentId": agent_id, "text": text}]},
            timeline=[timeline_entry("agent", f"asked the customer (task {task_id})", f"agent:{agent_id}")],
        )
        return task_view({**waiting, "conversation": [*(task.get("conversation") or []), entry]})

    def extend_regulatory(self, agent: Principal, task_id: str, body: TaskExtension) -> TaskView:
        """A supervisor extends a complaint's regulatory deadline once, with a reason; the customer is told."""
        from ..domain.routing import regulatory_rule
        from ..workflow import clocks as task_clocks
        from ..workflow.notify import Notifier

        agent_id = _agent_id(agent)
        if not agent.is_supervisor:
            raise Forbidden("only supervisors may extend a regulatory deadline")
        task = self._own_task(agent, task_id)
        if task["status"] in ("COMPLETED", "EXPIRED"):
            raise TaskConflict(f"task is {task['status'].lower()}")
        clocks = task.get("clocks") or []
        regulatory = next((c for c in clocks if c["name"] == "regulatory"), None)
        if regulatory is None:
            raise TaskConflict("this task has no regulatory clock")
        rule = regulatory_rule(task.get("intent")) or {"maxExtensionDays": 15}
        if body.days > int(rule["maxExtensionDays"]):
            raise ValueError(f"days: at most {rule['maxExtensionDays']} (the policy's one extension)")
        if not self.cases.claim_once(task["caseId"], "regulatoryExtendedBy", agent_id):
            raise TaskConflict("the regulatory deadline was extended once already")
        extended = task_clocks.extend(regulatory, body.days)
        updated = self.tasks.set_clocks(task_id, [extended if c is regulatory else c for c in clocks])
        reason = redact_text(body.reason)
        self.cases.record(
            task["caseId"],
            "agent",
            f"regulatory deadline extended by {body.days} days to {extended['dueAt']}: {reason}",
            actor=f"agent:{agent_id}",
            regulatory=extended,
            regulatoryExtension={"days": body.days, "reason": reason, "by": agent_id},
        )
        Notifier(self.cases).send(
            task["caseId"], "regulatory_extension", days=str(body.days), due_date=extended["dueAt"][:10]
        )
        return task_view(updated)

    def _complete_follow_up(self, task: dict[str, Any], agent_id: str, completion: TaskCompletion) -> TaskView:
        """No workflow waits on it: the outcome is recorded on the case, with who and when."""
        self._check_open(task)
        if completion.outcome == "REASSIGN":
            raise ValueError("outcome: a follow-up task is RESOLVED or REJECTED (REASSIGN moves a workflow's task)")
        decision = {"outcome": completion.outcome, "resolution": completion.resolution, "agentId": agent_id}
        held = task["status"] == CLAIMED
        done = self.tasks.complete(task["taskId"], agent_id, decision, held=held)
        self.cases.record(
            task["caseId"],
            "followup",
            f"follow-up task {task['taskId']} completed: {completion.outcome}: {completion.resolution}",
            actor=f"agent:{agent_id}",
            followUp={**decision, "taskId": task["taskId"], "at": done.get("completedAt") or iso()},
        )
        _completed_event({**task, **done}, agent_id, completion.outcome)
        return task_view({**task, **done})

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
            self._reopen(task_id, agent_id)
            rewaited = self._rewaited(task)
            if rewaited is not None:  # the wait ended for a clock that does not end it and began again
                done = self.tasks.complete(task_id, agent_id, decision.model_dump(mode="json"), held=True)
                return self._deliver({**rewaited, **done}, agent_id, decision, retried=False)
            # the decision was never applied: record the task as expired, not as done
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
        _completed_event(task, agent_id, decision.outcome)
        return task_view({**task, "status": "COMPLETED"})

    def _rewaited(self, task: dict[str, Any], polls: int = 20, interval: float = 0.25) -> dict[str, Any] | None:
        """The task on the workflow's new token when its wait timed out only for a clock that does not
        end it (a first response due, a deadline extended meanwhile: ClockDue, then HumanTask again,
        within a second or two); None when its deadline has passed, or no new wait came in time."""
        from ..workflow import clocks as task_clocks

        if parse_iso(task_clocks.deadline(task.get("clocks") or []) or task["slaDueAt"]) <= now():
            return None
        for _ in range(polls):
            current = self.tasks.get(task["taskId"])
            if current.get("taskToken") != task["taskToken"] and current["status"] == CLAIMED:
                return current
            if current["status"] not in (CLAIMED, OPEN):
                return None
            time.sleep(interval)
        return None

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
        if task.get("taskToken") and parse_iso(task["slaDueAt"]) < now():  # a follow-up has no workflow wait
            raise TaskConflict("the task's SLA expired; it has moved to supervisors")
