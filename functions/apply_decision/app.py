"""ApplyDecision state: carry out the agent's decision (refund, unlock...) or route a REASSIGN."""

from switchboard.domain.models import ResolutionResult, TaskDecision
from switchboard.workflow.decide import DecisionExecutor
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    decision = TaskDecision.model_validate(state.decision)
    previous = ResolutionResult.model_validate(state.resolution)
    return DecisionExecutor().apply(state.caseId, decision, previous)
