"""Resolve state: answer routine intents automatically, or decide the queue; then tell the customer
the outcome (and close an answered case) in the same invocation (workflow/outcome.py)."""

from switchboard.domain.models import StepInput
from switchboard.workflow.outcome import tell_outcome
from switchboard.workflow.resolve import Resolver
from switchboard.workflow.step import workflow_step

resolver = Resolver()  # built once per cold start


@workflow_step(model=StepInput)
def handler(state, context):
    services = resolver.services
    result, case = resolver.resolve(state.caseId)
    return tell_outcome(state.caseId, result, services.notifier, services.cases, case=case)
