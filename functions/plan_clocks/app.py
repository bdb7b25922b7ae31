"""PlanClocks state: the human task's clocks on business time, and how long its wait lasts."""

from switchboard.domain.models import PlanClocksInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=PlanClocksInput)
def handler(state, context):
    return escalations.plan_clocks(state.caseId, state.request)
