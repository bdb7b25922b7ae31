"""StepUpFailed state: wrong codes, no code in time or no contact on file: a human takes over."""

from switchboard.domain.errors import failure_message
from switchboard.domain.models import StepUpFailedInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=StepUpFailedInput)
def handler(state, context):
    failure = state.stepUpFailure
    return escalations.step_up_failed(state.caseId, failure.Error, failure_message(failure.model_dump()))
