"""RecordFailure state: a step failed for good; record it and route the case to a human."""

from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    failure = getattr(state, "failure", None) or {}
    return Escalations().record_failure(state.caseId, failure, state.model_dump())
