"""SlaBreached state: the supervisor SLA passed too; mark the case and alarm ops."""

from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    return Escalations().sla_breached(state.caseId)
