"""HumanTask / SupervisorTask states (.waitForTaskToken): open the task that holds the token."""

from switchboard.domain.models import EscalateInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step(model=EscalateInput)
def handler(state, context):
    return Escalations().open_task(state.caseId, state.taskToken, state.request, state.tier)
