"""Amazon Connect contact-flow Lambda: open the case, answer the next IVR action and a prompt."""

from switchboard.channels.connect import handle_contact_flow, warm
from switchboard.channels.intake import Intake
from switchboard.observability import before_snapshot, logger, metrics, tracer

intake = Intake()  # one per cold start: its idempotency layer is built once


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    intake.register_lambda_context(context)  # an IN_PROGRESS idempotency record expires with this call
    answer = handle_contact_flow(event, intake)
    logger.append_keys(caseId=answer.get("caseId"))
    logger.info("contact flow answered", extra={"nextAction": answer["nextAction"]})
    return answer


def warm_before_snapshot():
    """SnapStart (template.yaml): what the first call would load lazily is loaded before the snapshot,
    so a restored environment answers the caller warm (tests/unit/test_cold_start.py). No client,
    connection or credential is made."""
    import boto3.session  # noqa: F401 - boto3 and botocore, imported into the snapshot

    tracer.warm()  # the X-Ray SDK, botocore patched
    warm(intake)  # the contact's validators, the routing policy, prompts and intent model


before_snapshot(warm_before_snapshot)
