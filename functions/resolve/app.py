"""Resolve state: answer routine intents automatically, or decide the queue."""

from switchboard.workflow.resolve import Resolver
from switchboard.workflow.step import workflow_step


@workflow_step
def handler(state, context):
    return Resolver().resolve(state.caseId)
