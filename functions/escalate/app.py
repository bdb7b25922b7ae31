"""HumanTask / SupervisorTask states (.waitForTaskToken): open the task that holds the token (or give
the task that waited on the customer its new token)."""

from switchboard.domain.models import EscalateInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=EscalateInput)
def handler(state, context):
    return escalations.open_task(state.caseId, state.taskToken, state.request, state.tier, state.clocks, state.rewait)
