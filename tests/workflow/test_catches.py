"""Every Catch of the real ASL, exercised: a Task state's handler raises and the failure lands on the
case's timeline (naming the state) with a human task to handle it; when even the way to a human
fails, the case is parked on the stuck-cases queue with the state and the error named. A notice that
fails for good is recorded FAILED on the case and the case goes on."""

from __future__ import annotations

import pytest
from switchboard.domain.errors import CustomerNotFound

from tests.workflow.helpers import (
    SUPERVISOR,
    break_handler,
    case_of,
    details,
    failure_recorded,
    marked,
    open_task,
    post_contact,
    stuck_message,
)

pytestmark = pytest.mark.workflow


# ---- a failed step goes to a human ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "state", "sample"),
    [
        ("TriageFunction", "Triage", "contact_web_product_info"),
        ("ResolveFunction", "Resolve", "contact_web_product_info"),
        ("SendCodeFunction", "StepUpVerification", "contact_phone_zh_transactions"),
    ],
)
def test_a_step_that_raises_is_recorded_and_the_case_goes_to_a_human(
    runtime, client, monkeypatch, function, state, sample
):
    # given the state's handler raises for this case
    key = f"catch-{state}"
    break_handler(monkeypatch, runtime, function, key)
    # when the contact comes in
    case_id = post_contact(client, marked(sample, key)).json()["caseId"]
    # then the failure is on the timeline, naming the state, and a person has a task for the case
    failure_recorded(runtime, client, case_id, state)
    task = open_task(runtime, client, case_id, SUPERVISOR)
    assert "automatic handling failed (RuntimeError)" in task["summary"]
    assert case_of(client, case_id)["status"] in ("FAILED", "ESCALATED")


def _closing_in_resolve_is_throttled(monkeypatch, key):
    """Resolve answers and tells the customer, but its own close of the case hits a throttled write:
    the Close state takes over."""
    from switchboard.domain.errors import DependencyThrottled
    from switchboard.workflow import outcome

    original = outcome.close_case

    def close_case(case_id, cases):
        if key == cases.get(case_id).get("contact", {}).get("submissionId"):
            raise DependencyThrottled("UpdateItem throttled")
        return original(case_id, cases)

    monkeypatch.setattr(outcome, "close_case", close_case)


def test_an_answer_whose_close_is_throttled_in_resolve_is_closed_by_the_close_state(runtime, client, monkeypatch):
    key = "close-throttled"
    _closing_in_resolve_is_throttled(monkeypatch, key)
    case_id = post_contact(client, marked("contact_web_product_info", key)).json()["caseId"]
    # then the execution ends through the Close state, the case CLOSED with one answer sent
    assert runtime.wait_for_execution(case_id, timeout=40)["status"] == "SUCCEEDED"
    case = case_of(client, case_id)
    assert case["status"] == "CLOSED"
    assert [n["status"] for n in case["notifications"] if n["type"] == "resolved"] == ["SENT"]
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in runtime.client("stepfunctions").get_execution_history(
            executionArn=runtime.execution_arn(case_id), maxResults=1000
        )["events"]
        if e["type"].endswith("StateEntered")
    ]
    assert "Close" in entered and "Notify" not in entered


def test_a_close_that_fails_for_good_is_recorded_and_the_case_goes_to_a_human(runtime, client, monkeypatch):
    # given Resolve could not close the answered case and the Close state raises for it
    key = "catch-Close"
    _closing_in_resolve_is_throttled(monkeypatch, key)
    break_handler(monkeypatch, runtime, "CloseFunction", key)
    case_id = post_contact(client, marked("contact_web_product_info", key)).json()["caseId"]
    # then the failure is on the timeline, naming the state, and a person has a task for the case
    failure_recorded(runtime, client, case_id, "Close")
    task = open_task(runtime, client, case_id, SUPERVISOR)
    assert "automatic handling failed (RuntimeError)" in task["summary"]


def test_a_failed_step_up_failure_step_is_recorded_and_goes_to_a_human(runtime, client, monkeypatch):
    # given no code can be sent (CustomerNotFound) and StepUpFailed itself raises
    key = "catch-StepUpFailed"
    break_handler(monkeypatch, runtime, "SendCodeFunction", key, CustomerNotFound)
    break_handler(monkeypatch, runtime, "StepUpFailedFunction", key)
    case_id = post_contact(client, marked("contact_phone_zh_transactions", key)).json()["caseId"]
    # then StepUpFailed's failure is recorded and a human task follows
    failure_recorded(runtime, client, case_id, "StepUpFailed")
    assert open_task(runtime, client, case_id, SUPERVISOR)


def test_a_decision_that_cannot_be_applied_is_recorded_and_goes_back_to_a_human(runtime, client, monkeypatch):
    # given ApplyDecision raises for this case
    key = "catch-ApplyDecision"
    break_handler(monkeypatch, runtime, "ApplyDecisionFunction", key)
    case_id = post_contact(client, marked("contact_web_complaint", key)).json()["caseId"]
    first = open_task(runtime, client, case_id, SUPERVISOR)
    # when the agent completes the task
    done = client.request(
        "POST", f"/tasks/{first['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "apologised"}, SUPERVISOR
    )
    assert done.status == 200, done.body
    # then the failure is recorded and a new task puts the case in front of a person again
    failure_recorded(runtime, client, case_id, "ApplyDecision")
    second = runtime.wait_for(
        lambda: next(
            (
                t
                for t in client.request("GET", "/tasks", headers=SUPERVISOR).json()["tasks"]
                if t["caseId"] == case_id and t["taskId"] != first["taskId"]
            ),
            None,
        ),
        timeout=40,
        what="a second task",
    )
    assert second["status"] == "OPEN"


def test_a_human_task_that_cannot_be_opened_goes_to_the_supervisors(runtime, client, monkeypatch):
    # given the agents' task cannot be opened (the escalate function raises for tier "agent")
    key = "catch-HumanTask"
    break_handler(monkeypatch, runtime, "EscalateFunction", key, when=lambda event: event.get("tier") == "agent")
    case_id = post_contact(client, marked("contact_web_complaint", key)).json()["caseId"]
    # then the failure is recorded and the supervisors have the case
    failure_recorded(runtime, client, case_id, "HumanTask")
    task = open_task(runtime, client, case_id, SUPERVISOR)
    assert task["queue"] == "supervisors"
    assert "could not be opened (RuntimeError)" in details(case_of(client, case_id))


@pytest.mark.parametrize(
    ("state", "breaks"),
    [
        ("SupervisorTask", [("EscalateFunction", None)]),
        ("HandToSupervisors", [("EscalateFunction", None), ("SlaExpiredFunction", None)]),
        ("RecordFailure", [("TriageFunction", None), ("RecordFailureFunction", None)]),
    ],
)
def test_when_even_the_way_to_a_human_fails_the_case_is_parked_naming_the_state(
    runtime, client, monkeypatch, state, breaks
):
    # given every way to a person fails for this case
    key = f"stuck-{state}"
    for function, when in breaks:
        break_handler(monkeypatch, runtime, function, key, when=when or (lambda event: True))
    sample = "contact_web_product_info" if state == "RecordFailure" else "contact_web_complaint"
    case_id = post_contact(client, marked(sample, key)).json()["caseId"]
    # then the stuck-cases queue names the case, the state that failed and its error
    message = stuck_message(runtime, case_id)
    assert message["state"] == state
    assert message["error"] == "RuntimeError"
    assert message["execution"].endswith(case_id)
    assert runtime.wait_for_execution(case_id, timeout=40)["error"] == "CaseStuck"


# ---- a notice that fails for good is recorded FAILED, and the case goes on ------------------------


def _provider_down_for(monkeypatch, notice, key):
    """The `notice` of the case with natural key `key` can never be delivered: its provider is down."""
    import copy

    from switchboard.workflow.notify import Notifier

    original = Notifier.send

    def send(self, case_id, notification_type, **fields):
        contact = self.cases.get(case_id).get("contact", {})
        if notification_type == notice and key in (contact.get("submissionId"), contact.get("contactId")):
            self = copy.copy(self)  # this send only: its provider is down

            def provider_down(*args):
                raise OSError("provider down")

            self._deliver = provider_down
        return original(self, case_id, notification_type, **fields)

    monkeypatch.setattr(Notifier, "send", send)


@pytest.mark.parametrize(
    ("notice", "sample"),
    [
        ("received", "contact_web_product_info"),
        ("resolved", "contact_web_product_info"),
        ("survey", "contact_web_product_info"),
        ("escalated", "contact_web_complaint"),
        ("verification_code", "contact_phone_zh_transactions"),
    ],
)
def test_a_notice_that_never_goes_out_is_recorded_failed_and_dead_lettered(
    runtime, client, monkeypatch, notice, sample
):
    # given this notice can never be delivered for this case
    key = f"notice-{notice}"
    _provider_down_for(monkeypatch, notice, key)
    case_id = post_contact(client, marked(sample, key)).json()["caseId"]
    # then the case carries the notice as FAILED with the reason
    failed = runtime.wait_for(
        lambda: [n for n in case_of(client, case_id)["notifications"] if n["status"] == "FAILED"],
        timeout=40,
        what=f"the {notice} notice recorded FAILED",
    )
    assert [n["type"] for n in failed] == [notice]
    assert "NotificationDeliveryError" in failed[0]["reason"]
    # and the case went on: to a person (escalated, code) or to its end (received, resolved, survey)
    if notice in ("escalated", "verification_code"):
        assert open_task(runtime, client, case_id, SUPERVISOR)
        if notice == "verification_code":
            assert "the one-time code could not be delivered" in details(case_of(client, case_id))
    else:
        assert runtime.wait_for_execution(case_id, timeout=40)["status"] == "SUCCEEDED"


def test_a_received_notice_whose_failure_cannot_be_recorded_does_not_stop_the_case(runtime, client, monkeypatch):
    # given the case number can never be sent, and even recording that failure breaks
    key = "notice-received-unrecorded"
    _provider_down_for(monkeypatch, "received", key)
    break_handler(monkeypatch, runtime, "NotificationFailedFunction", key)
    # when the contact comes in
    case_id = post_contact(client, marked("contact_web_product_info", key)).json()["caseId"]
    # then the workflow takes the notice as failed (ReceivedNoticeNotRecorded) and still answers the customer
    assert runtime.wait_for_execution(case_id, timeout=60)["status"] == "SUCCEEDED"
    history = runtime.client("stepfunctions").get_execution_history(
        executionArn=runtime.execution_arn(case_id), maxResults=1000
    )["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert entered.index("NotifyReceived") < entered.index("ReceivedNoticeNotRecorded") < entered.index("Resolve")
    case = case_of(client, case_id)
    assert case["status"] == "CLOSED"
    assert [n["status"] for n in case["notifications"] if n["type"] == "resolved"] == ["SENT"]
    assert not [n for n in case["notifications"] if n["type"] == "received"]  # nothing claims it went out
