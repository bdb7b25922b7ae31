"""Close state: status CLOSED and the case events out."""

from switchboard.agents import close_case
from switchboard.handlers import workflow_step


@workflow_step
def handler(state, context):
    return close_case(state.caseId)
