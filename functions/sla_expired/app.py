"""SlaExpired / HandToSupervisors states: the agent SLA passed, or the agents' task could not be opened;
supervisors take the case."""

from switchboard.domain.models import ResolutionResult
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    previous = ResolutionResult.model_validate(state.resolution)
    return Escalations().sla_expired(state.caseId, previous, getattr(state, "startFailure", None))
