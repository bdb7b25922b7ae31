"""StepUpVerification state (.waitForTaskToken): send a one-time code, park the token, return."""

from switchboard.handlers import workflow_step
from switchboard.verification import Verification


@workflow_step
def handler(state, context):
    return Verification().start_step_up(state.caseId, state.taskToken)
