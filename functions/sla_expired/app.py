"""SlaExpired state: the agent SLA passed; supervisors take the case."""

from switchboard.escalation import Escalations
from switchboard.handlers import workflow_step
from switchboard.models import ResolutionResult


@workflow_step
def handler(state, context):
    return Escalations().sla_expired(state.caseId, ResolutionResult.model_validate(state.resolution))
