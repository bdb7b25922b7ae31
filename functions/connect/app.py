"""Amazon Connect contact-flow Lambda: open the case, answer the next IVR action and a prompt."""

from switchboard.connect import handle_contact_flow
from switchboard.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    answer = handle_contact_flow(event)
    logger.append_keys(caseId=answer.get("caseId"))
    logger.info("contact flow answered", extra={"nextAction": answer["nextAction"]})
    return answer
