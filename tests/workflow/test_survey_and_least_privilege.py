"""Issue 12, points 5 and 6. A survey score of 1-2 opens a follow-up task for the supervisors with the
comment and the case history (one per survey); completing it records the outcome on the case, though
no workflow waits on it. An agent reads a case only through a task of their queues (else the same 404
as for an unknown case); supervisors read every case."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EVENTS, agent_headers
from tests.workflow.helpers import (
    ACCOUNTS,
    PAYMENTS,
    SUPERVISOR,
    bearer,
    case_of,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

UNKNOWN_CASE_ID = "SB260101-ABC123"


def closed_web_case(runtime, client, submission_id):
    """A web customer's fee question: answered automatically and closed (feedback opens then)."""
    opened = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": submission_id,
            "name": "Sara Survey",
            "email": f"{submission_id}@example.org",
            "message": "What are the fees for a transfer to another bank?",
            "language": "en",
        },
    ).json()
    wait_status(runtime, client, opened["caseId"], "CLOSED", timeout=60)
    return opened


def test_a_one_star_survey_opens_a_follow_up_task_for_the_supervisors(runtime, client):
    # given a closed case
    opened = closed_web_case(runtime, client, "survey-low-1")
    case_id = opened["caseId"]
    # when the customer rates it 1 with a comment
    rated = client.request(
        "POST",
        f"/cases/{case_id}/feedback",
        {"score": 1, "comment": "Nobody answered my question."},
        bearer(opened["caseToken"]),
    )
    assert rated.status == 201, rated.body
    # then the supervisors have a follow-up task with the comment and the case history
    task = open_task(runtime, client, case_id, SUPERVISOR)
    assert task["queue"] == "supervisors" and task["kind"] == "survey_follow_up"
    assert "1/5" in task["summary"] and "Nobody answered my question." in task["summary"]
    survey, history = task["evidence"]
    assert survey == {"kind": "survey", "score": 1, "comment": "Nobody answered my question."}
    stages = [t["stage"] for t in history["timeline"]]
    assert stages[0] == "received" and "close" in stages and "feedback" in stages
    # and an agent of another queue neither sees it nor reads the case
    assert all(t["caseId"] != case_id for t in client.request("GET", "/tasks", headers=ACCOUNTS).json()["tasks"])

    # when the customer's answer is sent again (a retry), then 409 and still one follow-up
    again = client.request("POST", f"/cases/{case_id}/feedback", {"score": 1}, bearer(opened["caseToken"]))
    assert again.status == 409, again.body
    assert [t["taskId"] for t in case_of(client, case_id)["tasks"]] == [task["taskId"]]

    # when a supervisor claims it and completes it (no workflow waits on it)
    assert client.request("POST", f"/tasks/{task['taskId']}/claim", None, SUPERVISOR).status == 200
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {"outcome": "RESOLVED", "resolution": "Called the customer back and explained the fees."},
        SUPERVISOR,
    )
    # then the outcome is recorded on the case, with who and when, and the case stays closed
    assert done.status == 200 and done.json()["status"] == "COMPLETED", done.body
    view = case_of(client, case_id)
    assert view["status"] == "CLOSED"
    follow_up = [t for t in view["timeline"] if t["stage"] == "followup"]
    assert follow_up[-1]["actor"] == "agent:sup-zhao" and follow_up[-1]["at"]
    assert follow_up[-1]["detail"] == (
        f"follow-up task {task['taskId']} completed: RESOLVED: Called the customer back and explained the fees."
    )
    from switchboard.adapters.repository.agents import AgentLoad

    assert AgentLoad().load("sup-zhao") == 0


def test_a_good_survey_opens_no_follow_up(runtime, client):
    # given a closed case, when its customer rates it 4
    opened = closed_web_case(runtime, client, "survey-good-1")
    rated = client.request("POST", f"/cases/{opened['caseId']}/feedback", {"score": 4}, bearer(opened["caseToken"]))
    assert rated.status == 201, rated.body
    # then no task is opened for it
    assert case_of(client, opened["caseId"])["tasks"] == []


def test_an_agent_reads_a_case_only_through_a_task_of_their_queues(runtime, client):
    # given a refund case with a task in payments
    sample = json.loads((EVENTS / "api" / "contact_app_chat_duplicate.json").read_text(encoding="utf-8"))
    body = {**json.loads(sample["body"]), "sessionId": "least-privilege-1"}
    opened = post_contact(client, body, {"X-App-User": sample["headers"]["X-App-User"]}).json()
    case_id = opened["caseId"]
    open_task(runtime, client, case_id, PAYMENTS, timeout=60)
    unknown = client.request("GET", f"/cases/{UNKNOWN_CASE_ID}", headers=ACCOUNTS)
    # when an agent of other queues (account_support, general) reads it
    other = client.request("GET", f"/cases/{case_id}", headers=ACCOUNTS)
    # then 404, exactly as for a case that does not exist: nothing tells it exists
    assert other.status == 404 and other.body == unknown.body, other.body
    assert case_id not in other.body
    # and the same for the complaints agent
    assert client.request("GET", f"/cases/{case_id}", headers=agent_headers("local-agent-smith")).status == 404
    # while the payments agent reads it through the task, and the supervisor reads every case
    for reader in (PAYMENTS, SUPERVISOR):
        answer = client.request("GET", f"/cases/{case_id}", headers=reader)
        assert answer.status == 200 and answer.json()["caseId"] == case_id, answer.body
