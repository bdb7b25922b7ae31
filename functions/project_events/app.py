"""The case bus's rule delivers each case event here: the reports' projection counts it once."""

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from switchboard.observability import logger, metrics, tracer
from switchboard.reports.projection import CaseEvent, Projection

projection = Projection()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context):
    logger.append_keys(caseId=event.detail.get("caseId"), eventKey=event.detail.get("eventKey"))
    counted = projection.apply(CaseEvent.from_eventbridge(event.raw_event))
    return {"counted": counted}
