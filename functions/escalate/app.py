"""HumanTask / SupervisorTask states (.waitForTaskToken): open the task that holds the token."""

from switchboard.escalation import Escalations
from switchboard.handlers import workflow_step
from switchboard.models import ResolutionResult


@workflow_step
def handler(state, context):
    request = ResolutionResult.model_validate(state.request)
    return Escalations().open_task(state.caseId, state.taskToken, request, state.tier)
