"""Verify state: match the channel identity against the customer directory."""

from switchboard.domain.models import StepInput
from switchboard.workflow.step import workflow_step
from switchboard.workflow.verify import Verification


@workflow_step(model=StepInput)
def handler(state, context):
    return Verification().verify(state.caseId)
