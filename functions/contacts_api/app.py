"""Channels' endpoint: POST /contacts, the customer's GET /cases/{caseId}, code and feedback, and the
API's description (GET /openapi.json, GET /swagger)."""

from functools import cache

from aws_lambda_powertools.logging import correlation_paths
from switchboard.api.contacts import contacts_router
from switchboard.api.docs import docs_router
from switchboard.api.resolver import cors_config, resolver
from switchboard.channels.customers import CustomerApi
from switchboard.config import settings
from switchboard.observability import logger, metrics, tracer

api = CustomerApi()


@cache
def app():
    """Built once, on the first request: its CORS origins are a setting, and the settings model is
    validated then, off the import the caller's cold start waits on."""
    resolved = resolver(cors=cors_config(settings().cors_allowed_origins))
    resolved.include_router(contacts_router(api))
    resolved.include_router(docs_router())
    return resolved


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    api.intake.register_lambda_context(context)  # an IN_PROGRESS idempotency record expires with this call
    return app().resolve(event, context)
