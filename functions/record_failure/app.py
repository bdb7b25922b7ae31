"""RecordFailure state: a step failed for good; record it and route the case to a human."""

from switchboard.domain.models import RecordFailureInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=RecordFailureInput)
def handler(state, context):
    route = state.triage.classification.route if state.triage and state.triage.classification else None
    return escalations.record_failure(
        state.caseId, state.failure.model_dump(), state.failedStep.state, route.queue if route else None
    )
