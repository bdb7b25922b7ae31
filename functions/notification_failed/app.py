"""Record*NoticeFailure states: record the notice FAILED on the case and dead-letter it for ops."""

from switchboard.domain.models import NotificationFailedInput
from switchboard.workflow.notify import Notifier, record_delivery_failure
from switchboard.workflow.step import workflow_step

notifier = Notifier()  # built once per cold start


@workflow_step(model=NotificationFailedInput)
def handler(state, context):
    return record_delivery_failure(state.caseId, state.notifyFailure.model_dump(), state.notification, notifier)
