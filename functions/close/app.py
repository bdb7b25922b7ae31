"""Close state: status CLOSED and the case events out."""

from switchboard.adapters.repository.cases import CaseRepository
from switchboard.domain.models import StepInput
from switchboard.workflow.close import close_case
from switchboard.workflow.step import workflow_step

cases = CaseRepository()  # built once per cold start


@workflow_step(model=StepInput)
def handler(state, context):
    return close_case(state.caseId, cases)
