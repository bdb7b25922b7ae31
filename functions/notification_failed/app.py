"""Record*NoticeFailure states: record the notice FAILED on the case and dead-letter it for ops."""

from switchboard.workflow.notify import record_delivery_failure
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    failure = getattr(state, "notifyFailure", None) or {}
    return record_delivery_failure(state.caseId, failure, getattr(state, "notification", None))
