"""The agents' routes: GET /tasks, POST /tasks/{taskId}/claim, POST /tasks/{taskId}/complete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from ..desk.tasks import MAX_PAGE_SIZE, PAGE_SIZE
from ..domain.identity import Principal
from ..domain.models import Queue, TaskCompletion, TaskPage, TaskView
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

    return router
