"""Channels' endpoint: POST /contacts, the customer's GET /cases/{caseId}, code and feedback, and the
API's description (GET /openapi.json, GET /swagger)."""

from functools import cache

from aws_lambda_powertools.logging import correlation_paths
from switchboard.channels.customers import CustomerApi
from switchboard.config import settings
from switchboard.observability import before_snapshot, logger, metrics, tracer

api = CustomerApi()


@cache
def app():
    """Built once, before the SnapStart snapshot or else on the first request: Powertools' resolver
    package (it imports every resolver it has, asyncio's among them) and the routers' OpenAPI
    parameters are most of this function's import, and its CORS origins are a setting."""
    from switchboard.api.contacts import contacts_router
    from switchboard.api.docs import docs_router
    from switchboard.api.resolver import cors_config, resolver

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


def warm_before_snapshot():
    """SnapStart (template.yaml): the resolver and its routes' validators, the intake's, boto3 and the X-Ray
    SDK are loaded before the snapshot, so a restored environment answers its first request warm
    (tests/unit/test_cold_start.py). No client, connection or credential is made."""
    import boto3.session  # noqa: F401 - boto3 and botocore, imported into the snapshot
    from switchboard.api.docs import security_schemes

    # the resolver, and every route's validators: Powertools builds a route's on its first request
    # (describing the routes builds the same ones)
    app().get_openapi_schema(security_schemes=security_schemes())
    api.warm()  # the intake's validators, the other routes' modules
    tracer.warm()  # the X-Ray SDK, botocore patched


before_snapshot(warm_before_snapshot)
