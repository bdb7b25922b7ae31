"""Agents' endpoint: the task list and queue board, a task's case, the hand-out, claim, complete,
messages, extension; supervisors' take-over and reassignment."""

from functools import cache

from aws_lambda_powertools.logging import correlation_paths
from switchboard.api.resolver import cors_config, resolver
from switchboard.api.tasks import tasks_router
from switchboard.config import settings
from switchboard.desk.tasks import AgentDesk
from switchboard.desk.views import DeskViews
from switchboard.observability import logger, metrics, tracer

desk = AgentDesk()
views = DeskViews(desk.tasks, desk.cases, desk.agents)


@cache
def app():
    """Built on the first request: the desk's origin (CORS, its answers read by the browser) is a setting."""
    resolved = resolver(cors=cors_config(settings().cors_allowed_origins))
    resolved.include_router(tasks_router(desk, views))
    return resolved


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app().resolve(event, context)
