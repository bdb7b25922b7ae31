"""StepUpFailed state: wrong codes, no code in time or no contact on file: a human takes over."""

from switchboard.domain.errors import failure_message
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    failure = getattr(state, "stepUpFailure", None) or {}
    return Escalations().step_up_failed(state.caseId, failure.get("Error", "Unknown"), failure_message(failure))
