"""SlaExpired / HandToSupervisors states: the agent SLA passed, or the agents' task could not be opened;
supervisors take the case."""

from switchboard.escalation import Escalations
from switchboard.handlers import workflow_step
from switchboard.models import ResolutionResult


@workflow_step
def handler(state, context):
    previous = ResolutionResult.model_validate(state.resolution)
    return Escalations().sla_expired(state.caseId, previous, getattr(state, "startFailure", None))
