"""Each workflow handler of the template, invoked alone on moto with its sample event from
events/states (the caseId swapped for a real case), the way `make invoke` does."""

from __future__ import annotations

import json

import pytest

from local_runtime.lambda_hook import invoke
from tests.conftest import EVENTS


@pytest.fixture(scope="module")
def case_id(runtime, client):
    """A web contact from a known customer, after its own workflow has run (classified and answered once):
    each test invokes a handler on it as `make invoke` does, whichever test runs first."""
    body = json.loads(json.loads((EVENTS / "api" / "contact_web_product_info.json").read_text())["body"])
    answer = client.request("POST", "/contacts", {**body, "submissionId": "handlers-unit-1"})
    assert answer.status == 202
    runtime.wait_for_execution(answer.json()["caseId"], timeout=60)
    return answer.json()["caseId"]


def run(runtime, logical_id, event_name, case_id, **overrides):
    event = {**json.loads((EVENTS / "states" / f"{event_name}.json").read_text()), "caseId": case_id, **overrides}
    payload, error = invoke(runtime.functions[logical_id], event)
    assert error is None, payload
    return payload


def test_triage_identifies_the_customer_by_email(runtime, case_id):
    verification = run(runtime, "TriageFunction", "triage", case_id)["verification"]
    assert verification == {**verification, "level": "IDENTIFIED", "customerId": "C1004", "matchedBy": "email"}


def test_triage_answers_intent_route_and_step_up(runtime, case_id):
    result = run(runtime, "TriageFunction", "triage", case_id)
    classification = result["classification"]
    assert classification["intent"] == "product_info"
    assert classification["route"]["queue"] == "general" and classification["route"]["automatic"] is True
    assert classification["needsStepUp"] is False
    # a web form's typed email is a claim: it never joins anyone's open case; the case number went out
    assert result["repeat"] == {"joined": False, "count": None} and result["received"]["type"] == "received"


def test_triage_after_the_customer_answered_does_not_identify_again(runtime, case_id):
    # given the first triage's verification and received notice, as Reclassify passes them
    verification = {"level": "AUTHENTICATED", "customerId": "C1004", "matchedBy": "appuser"}
    received = {"type": "received", "status": "SENT", "channel": "email"}
    result = run(runtime, "TriageFunction", "triage", case_id, verification=verification, received=received)
    # then they are carried through, not identified or told again
    assert result["verification"] == {**result["verification"], **verification}
    assert result["received"] == {**result["received"], **received}


def test_resolve_answers_from_the_knowledge_base(runtime, case_id):
    result = run(runtime, "ResolveFunction", "resolve", case_id)
    assert result["outcome"] == "RESOLVED" and result["summary"]


def test_escalate_opens_a_task_that_keeps_its_token_private(runtime, case_id, client):
    result = run(runtime, "EscalateFunction", "escalate", case_id)
    assert result["queue"] == "complaints" and result["taskId"].startswith(case_id)
    tasks = client.request(
        "GET", "/tasks", headers={"Authorization": "Bearer local-agent-smith"}, query="queue=complaints"
    )
    listed = [t for t in tasks.json()["tasks"] if t["taskId"] == result["taskId"]]
    assert listed and "taskToken" not in tasks.body


def test_notify_sends_once_per_type(runtime, case_id):
    first = run(runtime, "NotifyFunction", "notify", case_id, notification="failure_fallback")
    second = run(runtime, "NotifyFunction", "notify", case_id, notification="failure_fallback")
    assert first["status"] == "SENT" and second["status"] == "ALREADY_SENT"


def test_record_failure_marks_the_case_failed_and_routes_it(runtime, case_id, client):
    result = run(runtime, "RecordFailureFunction", "record_failure", case_id)
    assert result["outcome"] == "ESCALATE" and result["queue"] == "general"
    # a supervisor reads every case (agent-wang's queues hold no task of it: least privilege answers him 404)
    view = client.request("GET", f"/cases/{case_id}", headers={"Authorization": "Bearer local-supervisor-zhao"}).json()
    assert any(t["stage"] == "failure" and "Lambda.ServiceException" in t["detail"] for t in view["timeline"])


def test_an_unknown_case_is_a_named_error_the_asl_can_catch(runtime):
    payload, error = invoke(runtime.functions["TriageFunction"], {"caseId": "SB000000-NOSUCH"})
    assert error == "Unhandled" and payload["errorType"] == "CaseNotFound"


def test_a_workflow_step_that_answers_a_loose_dict_is_refused():
    """Given a state's function that answers a dict instead of its output model,
    when the workflow invokes it, then it fails loudly (the Catch sends the case to a person)
    instead of passing an unchecked document to the next state."""
    from switchboard.domain.models import StepInput
    from switchboard.workflow.step import workflow_step

    from local_runtime.lambda_hook import LambdaContext

    @workflow_step(model=StepInput)
    def loose(state, context):
        return {"caseId": state.caseId}

    with pytest.raises(TypeError, match="answers its output model, not dict"):
        loose({"caseId": "CASE-1"}, LambdaContext("Loose", "arn:aws:lambda:us-east-1:123456789012:function:Loose", 128))
