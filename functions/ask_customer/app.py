"""AwaitCustomer state (.waitForTaskToken): send the agent's message, pause the clocks, wait for the answer."""

from switchboard.domain.models import AskCustomerInput
from switchboard.workflow.conversation import Conversation
from switchboard.workflow.step import workflow_step

conversation = Conversation()  # built once per cold start


@workflow_step(model=AskCustomerInput)
def handler(state, context):
    return conversation.ask(state.caseId, state.taskToken, state.decision)
