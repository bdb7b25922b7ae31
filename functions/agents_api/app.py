"""Agents' endpoint: GET /tasks, POST /tasks/{taskId}/claim, POST /tasks/{taskId}/complete."""

from aws_lambda_powertools.logging import correlation_paths
from switchboard.agents import PAGE_SIZE, AgentDesk
from switchboard.api import ApiError, json_response, principal, request_model, resolver_with_errors
from switchboard.models import TaskCompletion
from switchboard.observability import logger, metrics, tracer

app = resolver_with_errors()
desk = AgentDesk()


def _agent():
    who = principal(app.current_event.raw_event)
    if not who.is_agent:
        raise ApiError(401, "UNAUTHORIZED", "an agent token is required")
    return who


@app.get("/tasks")
def list_tasks():
    query = app.current_event
    limit = query.get_query_string_value("limit") or str(PAGE_SIZE)
    if not limit.isdigit():
        raise ValueError("limit: must be a whole number")
    token = query.get_query_string_value("nextToken")
    return json_response(200, desk.list_tasks(_agent(), query.get_query_string_value("queue"), int(limit), token))


@app.post("/tasks/<taskId>/claim")
def claim(taskId: str):  # noqa: N803 - the route's path parameter
    return json_response(200, desk.claim(_agent(), taskId))


@app.post("/tasks/<taskId>/complete")
def complete(taskId: str):  # noqa: N803
    agent = _agent()
    return json_response(200, desk.complete(agent, taskId, request_model(app, TaskCompletion)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
