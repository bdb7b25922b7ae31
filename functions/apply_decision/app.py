"""ApplyDecision state: carry out the agent's decision (refund, unlock...) or route a REASSIGN; an
answer is told to the customer and its case closed in the same invocation (workflow/outcome.py)."""

from switchboard.domain.models import ApplyDecisionInput
from switchboard.workflow.decide import DecisionExecutor
from switchboard.workflow.outcome import tell_outcome
from switchboard.workflow.step import workflow_step

executor = DecisionExecutor()  # built once per cold start


@workflow_step(model=ApplyDecisionInput)
def handler(state, context):
    decided = executor.apply(state.caseId, state.decision, state.resolution)
    if decided.outcome != "RESOLVED":  # a reassignment's notice is NotifyEscalated's (once per case)
        return decided
    return tell_outcome(state.caseId, decided, executor.notifier, executor.cases)
