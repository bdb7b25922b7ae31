"""Channels' endpoint: POST /contacts, and the customer's GET /cases/{caseId}, code and feedback."""

from aws_lambda_powertools.logging import correlation_paths
from switchboard.api import cors_config, idempotency_key, json_response, request_model, resolver_with_errors
from switchboard.config import settings
from switchboard.customer_api import CustomerApi
from switchboard.models import Contact, Feedback, VerificationCode
from switchboard.observability import logger, metrics, tracer

app = resolver_with_errors(cors=cors_config(settings().cors_allowed_origins))
api = CustomerApi()


@app.post("/contacts")
def post_contact():
    contact: Contact = request_model(app, Contact)
    return json_response(202, api.open(contact, idempotency_key(app), app.current_event.raw_event))


@app.get("/cases/<caseId>")
def get_case(caseId: str):  # noqa: N803 - the route's path parameter
    return json_response(200, api.view(caseId, app.current_event.raw_event))


@app.post("/cases/<caseId>/verification")
def post_verification(caseId: str):  # noqa: N803
    return json_response(
        200, api.verify_code(caseId, request_model(app, VerificationCode), app.current_event.raw_event)
    )


@app.post("/cases/<caseId>/feedback")
def post_feedback(caseId: str):  # noqa: N803
    return json_response(201, api.feedback(caseId, request_model(app, Feedback), app.current_event.raw_event))


@app.get("/openapi.json")
def openapi():
    from switchboard.openapi import document

    return json_response(200, document())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    api.intake.register_lambda_context(context)  # an IN_PROGRESS idempotency record expires with this call
    return app.resolve(event, context)
