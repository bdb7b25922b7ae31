"""ApplyDecision state: carry out the agent's decision (refund, unlock...) or route a REASSIGN."""

from switchboard.agents import DecisionExecutor
from switchboard.handlers import workflow_step
from switchboard.models import ResolutionResult, TaskDecision


@workflow_step
def handler(state, context):
    decision = TaskDecision.model_validate(state.decision)
    previous = ResolutionResult.model_validate(state.resolution)
    return DecisionExecutor().apply(state.caseId, decision, previous)
