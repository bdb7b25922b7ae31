"""Notify states: one notification of a type to the customer, exactly once per case."""

from switchboard.handlers import workflow_step
from switchboard.notifications import notify_case


@workflow_step
def handler(state, context):
    return notify_case(state.caseId, state.notification)
