"""Resolve state: answer routine intents automatically, or decide the queue."""

from switchboard.domain.models import StepInput
from switchboard.workflow.resolve import Resolver
from switchboard.workflow.step import workflow_step

resolver = Resolver()  # built once per cold start


@workflow_step(model=StepInput)
def handler(state, context):
    return resolver.resolve(state.caseId)
