"""The agents' routes: GET /tasks, GET /queues (the queue board), GET /tasks/{taskId}/case, POST /tasks/next, POST /tasks/{taskId}/claim, POST
/tasks/{taskId}/complete, the conversation (POST /tasks/{taskId}/messages), a regulatory deadline's
extension (POST /tasks/{taskId}/extend); the supervisors' POST /tasks/{taskId}/takeover and /reassign."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from ..desk.tasks import MAX_PAGE_SIZE, PAGE_SIZE
from ..domain.identity import Principal
from ..domain.models import (
    Queue,
    QueueBoard,
    TaskCase,
    TaskCompletion,
    TaskExtension,
    TaskMessage,
    TaskPage,
    TaskReassignment,
    TaskView,
)
from .resolver import answers, calling_agent

if TYPE_CHECKING:
    from ..desk.tasks import AgentDesk
    from ..desk.views import DeskViews

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
TaskId = Annotated[str, Path(description="the task's id")]
NEXT_DESCRIPTION = (
    "Claims for the calling agent the best open task of their queues: highest priority, then (within a "
    "priority) a task in a language the agent speaks (token attribute `custom:languages`; seed `languages`), "
    "then the earliest due time. Atomic: concurrent callers never get the same task. `200` the claimed task; "
    "`204` (no body) when no open task is left for them; `409 AT_CAPACITY` when the agent already holds "
    "`capacity` claimed tasks (`custom:capacity`; seed `capacity`; default 3), as `POST /tasks/{taskId}/claim` answers."
)


def tasks_router(desk: AgentDesk, views: DeskViews) -> Router:
    """A Router over one AgentDesk and its read views (built once per cold start by the function that
    includes it)."""
    router = Router()

    def agent() -> Principal:
        return calling_agent(router.current_event.raw_event)

    @router.get(
        "/tasks",
        summary="Open tasks of the agent's queues, by priority then SLA due time",
        **answers(200, "one page of tasks"),
        security=BEARER,
        tags=["tasks"],
    )
    def list_tasks(
        queue: Annotated[Queue | None, Query(description="one of the agent's queues; all of them when absent")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
        nextToken: Annotated[str | None, Query(description="the previous page's nextToken")] = None,  # noqa: N803
    ) -> TaskPage:
        return desk.list_tasks(agent(), queue, limit, nextToken)

    @router.get(
        "/queues",
        summary="The queue board: the caller's queues with counts; supervisors: every queue, the tasks at risk "
        "or breached, every agent's load against capacity",
        description=(
            "Counts of open tasks per queue (waiting for an agent, claimed, waiting on the customer) and how many "
            "have a clock breached or at risk (a running clock due within `atRiskSeconds`, the routing policy's). "
            "An agent gets their own queues and empty `atRisk`/`breached` lists with `agents` null; a supervisor "
            "gets every queue, the tasks at risk and breached in queue order, and each agent's `load` (tasks held "
            "claimed) against `capacity`."
        ),
        **answers(200, "the board"),
        security=BEARER,
        tags=["tasks"],
    )
    def queue_board() -> QueueBoard:
        return views.board(agent())

    @router.get(
        "/tasks/<taskId>/case",
        summary="The case behind a task: conversation, timeline, evidence (masked), the customer's other cases",
        description=(
            "Only through a task of one of the caller's queues (`403` otherwise); supervisors read any. The case "
            "is the agents' view of `GET /cases/{caseId}`; `previousContacts` are the same customer's other "
            "cases on file, newest first."
        ),
        **answers(200, "the task and its case"),
        security=BEARER,
        tags=["tasks"],
    )
    def task_case(taskId: TaskId) -> TaskCase:  # noqa: N803 - the route's path parameter
        return views.task_case(agent(), taskId)

    handed_out = answers(200, "the task, claimed for the caller")
    handed_out["responses"][204] = {"description": "no open task is left for the caller (no body)", "content": {}}

    @router.post(
        "/tasks/next",
        summary="Hand the calling agent the best open task of their queues",
        description=NEXT_DESCRIPTION,
        **handed_out,
        security=BEARER,
        tags=["tasks"],
    )
    def next_task() -> TaskView | None:
        from aws_lambda_powertools.event_handler import Response

        task = desk.next_task(agent())
        if task is None:
            return Response(status_code=204, body=None)  # type: ignore[return-value]  # nothing for them: no body
        return task

    @router.post(
        "/tasks/<taskId>/takeover",
        summary="A supervisor takes over a task (claimed by an agent, or open)",
        **answers(200, "the task, now the supervisor's"),
        security=BEARER,
        tags=["tasks"],
    )
    def take_over(taskId: TaskId) -> TaskView:  # noqa: N803 - the route's path parameter
        return desk.take_over(agent(), taskId)

    @router.post(
        "/tasks/<taskId>/reassign",
        summary="A supervisor gives a task to another agent of its queue, or back to the queue",
        **answers(200, "the task as reassigned"),
        security=BEARER,
        tags=["tasks"],
    )
    def reassign(taskId: TaskId, body: Annotated[TaskReassignment, Body()]) -> TaskView:  # noqa: N803
        return desk.reassign(agent(), taskId, body)

    @router.post(
        "/tasks/<taskId>/claim",
        summary="Take a task",
        **answers(200, "claimed"),
        security=BEARER,
        tags=["tasks"],
    )
    def claim(taskId: TaskId) -> TaskView:  # noqa: N803 - the route's path parameter
        return desk.claim(agent(), taskId)

    @router.post(
        "/tasks/<taskId>/complete",
        summary="Complete a task; the workflow resumes with the decision",
        **answers(200, "completed"),
        security=BEARER,
        tags=["tasks"],
    )
    def complete(taskId: TaskId, completion: Annotated[TaskCompletion, Body()]) -> TaskView:  # noqa: N803
        return desk.complete(agent(), taskId, completion)

    @router.post(
        "/tasks/<taskId>/messages",
        summary="The claiming agent's message to the customer on their channel; the case waits on the answer",
        description=(
            "Chat: a reply in the session; phone: an SMS to the number on file; web: an email to the address on "
            "file with a link to answer. The text is masked (no full card or account numbers). The case goes to "
            "AWAITING_CUSTOMER and the task's clocks pause until the customer answers (or the policy's wait ends)."
        ),
        **answers(200, "sent: the task waits on the customer"),
        security=BEARER,
        tags=["tasks"],
    )
    def message(taskId: TaskId, body: Annotated[TaskMessage, Body()]) -> TaskView:  # noqa: N803
        return desk.send_message(agent(), taskId, body)

    @router.post(
        "/tasks/<taskId>/extend",
        summary="Supervisors: extend a complaint's regulatory deadline once, with a reason (the customer is told)",
        **answers(200, "extended"),
        security=BEARER,
        tags=["tasks"],
    )
    def extend(taskId: TaskId, body: Annotated[TaskExtension, Body()]) -> TaskView:  # noqa: N803
        return desk.extend_regulatory(agent(), taskId, body)

    return router
