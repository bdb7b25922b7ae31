"""SlaBreached state: the supervisor SLA passed too; mark the case and alarm ops."""

from switchboard.escalation import Escalations
from switchboard.handlers import workflow_step


@workflow_step
def handler(state, context):
    return Escalations().sla_breached(state.caseId)
