"""HumanTask / SupervisorTask states (.waitForTaskToken): open the task that holds the token."""

from switchboard.domain.models import ResolutionResult
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    request = ResolutionResult.model_validate(state.request)
    return Escalations().open_task(state.caseId, state.taskToken, request, state.tier)
