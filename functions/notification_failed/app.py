"""RecordNotificationFailure state: record the failed delivery and dead-letter it for ops."""

from switchboard.handlers import workflow_step
from switchboard.notifications import record_delivery_failure


@workflow_step
def handler(state, context):
    return record_delivery_failure(state.caseId, getattr(state, "notifyFailure", None) or {})
