"""StepUpFailed state: wrong codes, no code in time or no contact on file: a human takes over."""

from switchboard.escalation import Escalations
from switchboard.handlers import workflow_step


@workflow_step
def handler(state, context):
    error = (getattr(state, "stepUpFailure", None) or {}).get("Error", "Unknown")
    return Escalations().step_up_failed(state.caseId, error)
