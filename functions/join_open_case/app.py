"""JoinOpenCase state: a repeat contact joins the customer's open case of the same intent."""

from switchboard.domain.models import JoinOpenCaseInput
from switchboard.workflow.repeat import RepeatContacts
from switchboard.workflow.step import workflow_step

repeat_contacts = RepeatContacts()  # built once per cold start


@workflow_step(model=JoinOpenCaseInput)
def handler(state, context):
    return repeat_contacts.join(state.caseId, state.verification, state.classification)
