"""Classify state: intent, language, priority and route."""

from switchboard.adapters.repository.cases import CaseRepository
from switchboard.domain.models import StepInput
from switchboard.workflow.classify import classify_case
from switchboard.workflow.step import workflow_step

cases = CaseRepository()  # built once per cold start


@workflow_step(model=StepInput)
def handler(state, context):
    return classify_case(state.caseId, cases)
