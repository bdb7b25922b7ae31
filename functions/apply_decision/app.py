"""ApplyDecision state: carry out the agent's decision (refund, unlock...) or route a REASSIGN."""

from switchboard.domain.models import ApplyDecisionInput
from switchboard.workflow.decide import DecisionExecutor
from switchboard.workflow.step import workflow_step

executor = DecisionExecutor()  # built once per cold start


@workflow_step(model=ApplyDecisionInput)
def handler(state, context):
    return executor.apply(state.caseId, state.decision, state.resolution)
