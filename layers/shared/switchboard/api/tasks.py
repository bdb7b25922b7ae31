"""The agents' routes: GET /tasks, POST /tasks/{taskId}/claim, POST /tasks/{taskId}/complete, the
conversation (POST /tasks/{taskId}/messages) and a regulatory deadline's extension (POST /tasks/{taskId}/extend)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from ..desk.tasks import MAX_PAGE_SIZE, PAGE_SIZE
from ..domain.identity import Principal
from ..domain.models import Queue, TaskCompletion, TaskExtension, TaskMessage, TaskPage, TaskView
from .errors import ApiError
from .resolver import answers, principal

if TYPE_CHECKING:
    from ..desk.tasks import AgentDesk

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
TaskId = Annotated[str, Path(description="the task's id")]


def tasks_router(desk: AgentDesk) -> Router:
    """A Router over one AgentDesk (built once per cold start by the function that includes it)."""
    router = Router()

    def agent() -> Principal:
        who = principal(router.current_event.raw_event)
        if not who.is_agent:
            raise ApiError(401, "UNAUTHORIZED", "an agent token is required")
        return who

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
