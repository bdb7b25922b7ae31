"""StepUpVerification state (.waitForTaskToken): send a one-time code, park the token, return."""

from switchboard.domain.models import SendCodeInput
from switchboard.workflow.step import workflow_step
from switchboard.workflow.verify import Verification

verification = Verification()  # built once per cold start


@workflow_step(model=SendCodeInput)
def handler(state, context):
    return verification.start_step_up(state.caseId, state.taskToken)
