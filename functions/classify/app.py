"""Classify state: intent, language, priority and route."""

from switchboard.classification import classify_case
from switchboard.handlers import workflow_step


@workflow_step
def handler(state, context):
    return classify_case(state.caseId)
