"""Agents' endpoint: GET /tasks, POST /tasks/{taskId}/claim, POST /tasks/{taskId}/complete."""

from aws_lambda_powertools.logging import correlation_paths
from switchboard.api.resolver import resolver
from switchboard.api.tasks import tasks_router
from switchboard.desk.tasks import AgentDesk
from switchboard.observability import logger, metrics, tracer

app = resolver()
app.include_router(tasks_router(AgentDesk()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
