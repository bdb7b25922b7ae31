"""Notify states: one notification of a type to the customer, exactly once per case."""

from switchboard.domain.models import NotifyInput
from switchboard.workflow.notify import Notifier, notify_case
from switchboard.workflow.step import workflow_step

notifier = Notifier()  # built once per cold start


@workflow_step(model=NotifyInput)
def handler(state, context):
    return notify_case(state.caseId, state.notification, notifier)
