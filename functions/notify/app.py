"""Notify states: one notification of a type to the customer, exactly once per case."""

from switchboard.workflow.notify import notify_case
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    return notify_case(state.caseId, state.notification)
