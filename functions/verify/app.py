"""Verify state: match the channel identity against the customer directory."""

from switchboard.domain.models import StepInput
from switchboard.workflow.step import workflow_step
from switchboard.workflow.verify import Verification

verification = Verification()  # built once per cold start


@workflow_step(model=StepInput)
def handler(state, context):
    return verification.verify(state.caseId)
