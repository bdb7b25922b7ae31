"""CustomerSilent state: the customer did not answer in time; close the case or return the task, per policy."""

from switchboard.domain.models import CustomerSilentInput
from switchboard.workflow.conversation import Conversation
from switchboard.workflow.step import workflow_step

conversation = Conversation()  # built once per cold start


@workflow_step(model=CustomerSilentInput)
def handler(state, context):
    return conversation.silent(state.caseId, state.policy.onCustomerSilence, state.resolution)
