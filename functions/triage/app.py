"""Triage state: tell the customer their case number, identify them, understand the need, and join a
repeat contact to the customer's open case (workflow/triage.py)."""

from switchboard.domain.models import TriageInput
from switchboard.workflow.step import workflow_step
from switchboard.workflow.triage import Triage

triage = Triage()  # built once per cold start


@workflow_step(model=TriageInput)
def handler(state, context):
    return triage.triage(state.caseId, state.verification, state.received)
