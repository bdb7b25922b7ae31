"""SlaBreached state: the supervisor SLA passed too; mark the case and alarm ops."""

from switchboard.domain.models import StepInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=StepInput)
def handler(state, context):
    return escalations.sla_breached(state.caseId)
