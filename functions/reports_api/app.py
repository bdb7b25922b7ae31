"""Supervisors' figures: GET /reports, GET /reports/complaints."""

from aws_lambda_powertools.logging import correlation_paths
from switchboard.api.reports import reports_router
from switchboard.api.resolver import resolver
from switchboard.observability import logger, metrics, tracer
from switchboard.reports.figures import Reports

app = resolver()
app.include_router(reports_router(Reports()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
