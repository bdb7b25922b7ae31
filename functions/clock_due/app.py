"""ClockDue state: the human-task wait timed out. SlaExpired takes over when a deadline that ends it
has come; otherwise a first response due with nobody on the task is flagged and the task waits again."""

from switchboard.domain.models import ClockDueInput
from switchboard.workflow.escalate import Escalations
from switchboard.workflow.step import workflow_step

escalations = Escalations()  # built once per cold start


@workflow_step(model=ClockDueInput)
def handler(state, context):
    return escalations.clock_due(state.caseId)
