"""Resolve state: answer routine intents automatically, or decide the queue."""

from switchboard.domain.models import StepInput
from switchboard.workflow.resolve import Resolver
from switchboard.workflow.step import workflow_step


@workflow_step(model=StepInput)
def handler(state, context):
    return Resolver().resolve(state.caseId)
