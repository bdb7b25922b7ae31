"""Two-way SMS: AWS End User Messaging publishes each inbound text to the InboundSmsTopic; an answer to
an agent's question joins its case and resumes the workflow (anything else is dropped and logged)."""

from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source
from switchboard.domain.models import InboundSms
from switchboard.observability import logger, metrics, tracer
from switchboard.workflow.conversation import Conversation

conversation = Conversation()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=SNSEvent)
def handler(event: SNSEvent, context):
    answered = 0
    for record in event.records:
        sms = InboundSms.model_validate_json(record.sns.message)
        if conversation.answer_sms(
            sms.originationNumber, sms.messageBody, sms.inboundMessageId or record.sns.message_id
        ):
            answered += 1
    return {"answered": answered}
