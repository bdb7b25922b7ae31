"""AwaitCustomer and AskWhichNeed states (.waitForTaskToken): send the agent's message (clocks paused) or
the clarifying question's choices, and park the wait for the customer's answer."""

from switchboard.domain.models import AskCustomerInput
from switchboard.workflow.conversation import Conversation
from switchboard.workflow.step import workflow_step

conversation = Conversation()  # built once per cold start


@workflow_step(model=AskCustomerInput)
def handler(state, context):
    if state.decision is None:
        return conversation.ask_which_need(state.caseId, state.taskToken, state.choices)
    return conversation.ask(state.caseId, state.taskToken, state.decision)
