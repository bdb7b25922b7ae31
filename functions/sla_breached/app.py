"""SlaBreached state: the supervisor SLA passed too; mark the case and alarm ops."""

from switchboard.domain.models import StepInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step(model=StepInput)
def handler(state, context):
    return Escalations().sla_breached(state.caseId)
