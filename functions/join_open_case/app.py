"""JoinOpenCase state: a repeat contact joins the customer's open case of the same intent."""

from switchboard.domain.models import JoinOpenCaseInput
from switchboard.workflow.repeat import RepeatContacts
from switchboard.workflow.step import workflow_step


@workflow_step(model=JoinOpenCaseInput)
def handler(state, context):
    return RepeatContacts().join(state.caseId, state.verification, state.classification)
