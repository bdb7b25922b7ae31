"""Verify state: match the channel identity against the customer directory."""

from switchboard.workflow.step import workflow_step
from switchboard.workflow.verify import Verification


@workflow_step
def handler(state, context):
    return Verification().verify(state.caseId)
