"""What the desk reads besides the task list: the queue board (each queue's open tasks counted; for
supervisors also every task at risk or breached and every agent's load against capacity) and a task's
case with the customer's other cases. Least privilege as everywhere: an agent reads a case only
through a task of their queues; supervisors read every queue and every case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

from ..adapters.repository.agents import AgentLoad, default_capacity
from ..adapters.repository.cases import CaseRepository
from ..adapters.repository.tasks import AWAITING, CLAIMED, OPEN, TaskRepository
from ..domain.case_view import build_view
from ..domain.clock import iso, now
from ..domain.errors import Forbidden
from ..domain.identity import Principal
from ..domain.models import (
    AgentLoadView,
    PreviousContact,
    Queue,
    QueueBoard,
    QueueCount,
    TaskCase,
    TaskView,
)
from ..domain.routing import at_risk_seconds
from .tasks import PAGE_SIZE, UNINDEXED, task_view

PREVIOUS_CONTACTS = 20  # the customer's latest other cases shown beside a case


def clock_state(task: TaskView, at_risk_before: str) -> str | None:
    """ "breached" when a clock is; "at_risk" when a running, unmet clock comes due before the bound."""
    if any(c.breached for c in task.clocks):
        return "breached"
    if any(not c.paused and not c.metAt and c.dueAt <= at_risk_before for c in task.clocks):
        return "at_risk"
    return None


class DeskViews:
    def __init__(
        self,
        tasks: TaskRepository | None = None,
        cases: CaseRepository | None = None,
        agents: AgentLoad | None = None,
    ):
        self.tasks = tasks or TaskRepository()
        self.cases = cases or CaseRepository()
        self.agents = agents or AgentLoad()

    def _open_tasks(self, queue: str) -> list[dict[str, Any]]:
        found, after = [], None
        while True:
            page = self.tasks.open_tasks(queue, PAGE_SIZE, after)
            found.extend(page)
            if len(page) < PAGE_SIZE:
                return found
            after = page[-1]["queueOrder"]

    def board(self, who: Principal) -> QueueBoard:
        """Counts of the caller's queues (a supervisor's: every queue); supervisors also get the tasks
        at risk and breached, in queue order, and every agent's load."""
        if not who.is_agent or not who.subject:
            raise Forbidden("an agent identity is required")
        queues = list(get_args(Queue)) if who.is_supervisor else sorted(who.queues)
        bound = iso(now() + timedelta(seconds=at_risk_seconds()))
        counts: list[QueueCount] = []
        flagged: dict[str, list[TaskView]] = {"at_risk": [], "breached": []}
        for queue in queues:
            views = [task_view(t) for t in self._open_tasks(queue)]
            states = [clock_state(v, bound) for v in views]
            counts.append(
                QueueCount(
                    queue=queue,
                    open=sum(v.status == OPEN for v in views),
                    claimed=sum(v.status == CLAIMED for v in views),
                    awaitingCustomer=sum(v.status == AWAITING for v in views),
                    atRisk=states.count("at_risk"),
                    breached=states.count("breached"),
                )
            )
            for view, state in zip(views, states, strict=True):
                if state:
                    flagged[state].append(view)
        if not who.is_supervisor:
            return QueueBoard(agentId=who.subject, supervisor=False, queues=counts, atRiskSeconds=at_risk_seconds())
        return QueueBoard(
            agentId=who.subject,
            supervisor=True,
            queues=counts,
            atRiskSeconds=at_risk_seconds(),
            atRisk=self._with_details(flagged["at_risk"]),
            breached=self._with_details(flagged["breached"]),
            agents=[
                AgentLoadView(
                    agentId=a["agentId"],
                    queues=sorted(a.get("queues") or []),
                    load=int(a.get("load", 0)),
                    capacity=int(a.get("capacity") or default_capacity()),
                    seenAt=a.get("seenAt"),
                )
                for a in self.agents.all()
            ],
        )

    def _with_details(self, views: list[TaskView]) -> list[TaskView]:
        """The listed tasks with what the queue index does not carry (language, kind, repeat contact)."""
        details = self.tasks.details([v.taskId for v in views], UNINDEXED) if views else {}
        return [v.model_copy(update=details.get(v.taskId, {})) for v in views]

    def task_case(self, who: Principal, task_id: str) -> TaskCase:
        """The task, its case as agents see it and the customer's other cases; only through a task
        of the caller's queues (supervisors: any)."""
        if not who.is_agent or not who.subject:
            raise Forbidden("an agent identity is required")
        task = self.tasks.get(task_id)
        if not who.is_supervisor and task["queue"] not in who.queues:
            raise Forbidden(f"task {task_id} belongs to queue {task['queue']}")
        case = self.cases.get(task["caseId"])
        return TaskCase(
            task=task_view(task),
            case=build_view(case, self.tasks, for_agent=True),
            previousContacts=self._previous_contacts(case),
        )

    def _previous_contacts(self, case: dict[str, Any]) -> list[PreviousContact]:
        if not case.get("customerId"):  # a contact that matched no customer on file has no history here
            return []
        others = [
            c for c in self.cases.open_cases_of(case["customerId"], "0", iso(now())) if c["caseId"] != case["caseId"]
        ]
        return [
            PreviousContact(**{k: c.get(k) for k in PreviousContact.model_fields})
            for c in sorted(others, key=lambda c: c["createdAt"], reverse=True)[:PREVIOUS_CONTACTS]
        ]
