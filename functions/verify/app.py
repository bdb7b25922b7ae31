"""Verify state: match the channel identity against the customer directory."""

from switchboard.handlers import workflow_step
from switchboard.verification import Verification


@workflow_step
def handler(state, context):
    return Verification().verify(state.caseId)
