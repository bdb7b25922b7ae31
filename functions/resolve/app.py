"""Resolve state: answer routine intents automatically, or decide the queue."""

from switchboard.handlers import workflow_step
from switchboard.resolution import Resolver


@workflow_step
def handler(state, context):
    return Resolver().resolve(state.caseId)
