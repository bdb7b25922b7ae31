"""Time-bound paths on a runtime whose SLAs and code wait are 2 seconds: SLA expiry -> supervisors
-> breach (alarm), and a code that never comes -> a human."""

from __future__ import annotations

import pytest

from local_runtime.client import LocalClient
from local_runtime.runtime import LocalRuntime
from tests.conftest import EVENTS
from tests.workflow.helpers import (
    ACCOUNTS,
    SUPERVISOR,
    break_handler,
    case_of,
    failure_recorded,
    marked,
    open_task,
    post_contact,
    stuck_message,
)

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def fast_sla():
    """A runtime whose every SLA is 2 seconds, so expiry paths run in the test."""
    with LocalRuntime(parameters={"SlaSecondsOverride": "2", "OtpTimeoutSeconds": "2"}) as rt:
        yield rt, LocalClient(rt)


def test_sla_expiry_goes_to_supervisors_then_breach_raises_the_alarm(fast_sla):
    runtime, client = fast_sla
    answer = client.send_event_file(EVENTS / "api" / "contact_web_complaint.json")
    case_id = answer.json()["caseId"]
    execution = runtime.wait_for_execution(case_id, timeout=40)
    case = case_of(client, case_id)
    details = " ".join(t["detail"] for t in case["timeline"])
    assert "SLA expired in complaints" in details
    assert "SLA breached" in details
    assert execution["status"] == "FAILED"  # the ExecutionsFailed alarm fires on this
    # and ops were alerted on the alarm topic, naming the case
    from moto.sns.models import sns_backends

    from local_runtime.runtime import ACCOUNT, REGION

    alerts = sns_backends[ACCOUNT][REGION].topics[runtime.refs["OpsAlarmTopic"]].sent_notifications
    assert any(case_id in message for _, message, *_ in alerts)
    queues = [t["queue"] for t in case["tasks"]]
    assert queues == ["complaints", "supervisors"]
    assert all(t["status"] == "EXPIRED" for t in case["tasks"])
    # an expired task cannot be completed any more
    late = client.request(
        "POST",
        f"/tasks/{case['tasks'][0]['taskId']}/complete",
        {"outcome": "RESOLVED", "resolution": "late"},
        SUPERVISOR,
    )
    assert late.status == 409


def test_code_timeout_puts_the_case_in_front_of_a_human(fast_sla):
    runtime, client = fast_sla
    answer = client.send_event_file(EVENTS / "api" / "contact_phone_zh_transactions.json")
    case_id = answer.json()["caseId"]
    task = open_task(runtime, client, case_id, ACCOUNTS, timeout=20)
    case = case_of(client, case_id)
    assert task["queue"] == "general"
    assert any("no one-time code entered in time" in t["detail"] for t in case["timeline"])


def test_a_failed_sla_expiry_step_is_recorded_and_the_case_goes_back_to_a_human(fast_sla, monkeypatch):
    # given SlaExpired raises for this case
    runtime, client = fast_sla
    key = "catch-SlaExpired"
    break_handler(monkeypatch, runtime, "SlaExpiredFunction", key)
    case_id = post_contact(client, marked("contact_web_complaint", key)).json()["caseId"]
    # when the agents' SLA passes, then the failure is recorded and a new task is opened for the case
    failure_recorded(runtime, client, case_id, "SlaExpired")
    runtime.wait_for(lambda: len(case_of(client, case_id)["tasks"]) >= 2, timeout=40, what="a task after the failure")


def test_a_failed_sla_breach_step_parks_the_case_naming_it(fast_sla, monkeypatch):
    # given SlaBreached raises for this case
    runtime, client = fast_sla
    key = "stuck-SlaBreached"
    break_handler(monkeypatch, runtime, "SlaBreachedFunction", key)
    case_id = post_contact(client, marked("contact_web_complaint", key)).json()["caseId"]
    # when both SLAs pass, then the stuck-cases queue names the state and the error
    message = stuck_message(runtime, case_id)
    assert (message["state"], message["error"]) == ("SlaBreached", "RuntimeError")
