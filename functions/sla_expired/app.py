"""SlaExpired / HandToSupervisors states: the agent SLA passed, or the agents' task could not be opened;
supervisors take the case."""

from switchboard.domain.models import SlaExpiredInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=SlaExpiredInput)
def handler(state, context):
    start_failure = state.startFailure.model_dump() if state.startFailure else None
    clock_failure = state.clockFailure.model_dump() if state.clockFailure else None
    return escalations.sla_expired(state.caseId, state.resolution, start_failure, clock_failure)
