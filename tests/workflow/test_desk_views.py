"""The desk's read routes on the real template: GET /tasks/{taskId}/case (the case behind a task, only
through a task of the caller's queues; supervisors any) and GET /queues (counts of the caller's queues;
supervisors: every queue, the tasks at risk and breached, every agent's load against capacity)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from switchboard.adapters.repository.tasks import TaskRepository
from switchboard.domain.clock import iso, now

from tests.workflow.helpers import COMPLAINTS, PAYMENTS, SUPERVISOR, event_body, open_task, post_contact

pytestmark = pytest.mark.workflow

ZHANGWEI = {"X-App-User": "app-zhangwei"}
QUEUES = ["account_support", "payments", "disputes", "complaints", "general", "supervisors"]


def refund_chat(client, runtime, session, user=None):
    """A chat refund request (payments). One per customer in this module: a second one of the same
    customer within the week joins the first as a repeat contact instead of opening a task."""
    body = {**event_body("contact_app_chat_duplicate"), "sessionId": session, "messageId": "m-1"}
    case_id = post_contact(client, body, user or {"X-App-User": "app-lina"}).json()["caseId"]
    return case_id, open_task(runtime, client, case_id, PAYMENTS)


def complaint(client, runtime, key):
    """A web form complaint (complaints queue): typed contact details never join an open case."""
    case_id = post_contact(client, {**event_body("contact_web_complaint"), "submissionId": key}).json()["caseId"]
    return case_id, open_task(runtime, client, case_id, SUPERVISOR)


def due_in(task, delta):
    """The task's first-response clock made due `delta` from now (a clock near or past its due time)."""
    TaskRepository().set_clocks(
        task["taskId"],
        [{**c, "dueAt": iso(now() + delta)} if c["name"] == "firstResponse" else c for c in task["clocks"]],
    )


def test_an_agent_reads_the_case_behind_a_task_of_their_queue_masked_with_its_evidence(runtime, client):
    # given a refund request in the payments queue
    case_id, task = refund_chat(client, runtime, "views-case")
    # when the payments agent reads the task's case
    answer = client.request("GET", f"/tasks/{task['taskId']}/case", headers=PAYMENTS)
    # then it has the task (the suggested refund in its evidence) and the agents' case view
    assert answer.status == 200, answer.body
    found = answer.json()
    assert found["task"]["taskId"] == task["taskId"] and found["case"]["caseId"] == case_id
    assert {"role": "duplicate", "suggestedAction": "APPROVE_REFUND"}.items() <= found["task"]["evidence"][1].items()
    assert found["case"]["verification"] == {"level": "AUTHENTICATED"}
    assert found["case"]["messages"][0]["from"] == "customer" and found["case"]["timeline"]
    # and the task row's customer is masked as the API masks everywhere: the app user, first letter
    assert found["task"]["customer"] == "a***" and found["task"]["intent"] == "duplicate_payment"
    listed = next(
        t for t in client.request("GET", "/tasks", headers=PAYMENTS).json()["tasks"] if t["caseId"] == case_id
    )
    assert listed["customer"] == "a***" and listed["intent"] == "duplicate_payment"


def test_an_agent_of_other_queues_cannot_read_it_and_a_supervisor_can(runtime, client):
    _, task = complaint(client, runtime, "views-forbidden")
    refused = client.request("GET", f"/tasks/{task['taskId']}/case", headers=PAYMENTS)
    assert refused.status == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert "evidence" not in refused.body
    assert client.request("GET", f"/tasks/{task['taskId']}/case", headers=SUPERVISOR).status == 200
    assert client.request("GET", "/tasks/no-such-task/case", headers=SUPERVISOR).status == 404
    assert client.request("GET", f"/tasks/{task['taskId']}/case").status == 401


def test_the_case_lists_the_customers_previous_contacts_newest_first(runtime, client):
    # given two cases of the same customer on file (张伟: a phone call, then an app chat)
    phone = post_contact(client, {**event_body("contact_phone_zh_transactions"), "contactId": "views-prev"}).json()
    case_id, task = refund_chat(client, runtime, "views-prev", ZHANGWEI)
    # when the agent reads the chat's case
    found = client.request("GET", f"/tasks/{task['taskId']}/case", headers=PAYMENTS).json()
    # then the phone case is among the previous contacts, and the case itself is not
    previous = [p["caseId"] for p in found["previousContacts"]]
    assert phone["caseId"] in previous and case_id not in previous
    created = [p["createdAt"] for p in found["previousContacts"]]
    assert created == sorted(created, reverse=True)


def test_the_queue_board_counts_an_agents_own_queues_only(runtime, client):
    complaint(client, runtime, "views-board-agent")
    board = client.request("GET", "/queues", headers=COMPLAINTS).json()
    assert board["agentId"] == "agent-smith" and board["supervisor"] is False
    assert [q["queue"] for q in board["queues"]] == ["complaints", "general"]
    assert next(q for q in board["queues"] if q["queue"] == "complaints")["open"] >= 1
    assert board["agents"] is None and board["atRisk"] == [] and board["breached"] == []
    assert board["atRiskSeconds"] == 900


def test_a_supervisor_sees_every_queue_the_tasks_at_risk_and_breached_and_the_agents_load(runtime, client):
    # given a complaint due in five minutes, one due five minutes ago, and one due in five minutes that
    # agent smith claimed (its first response is met: no longer at risk)
    _, soon = complaint(client, runtime, "views-at-risk")
    _, late = complaint(client, runtime, "views-breached")
    _, met = complaint(client, runtime, "views-met")
    due_in(soon, timedelta(minutes=5))
    due_in(late, timedelta(minutes=-5))
    due_in(met, timedelta(minutes=5))
    assert client.request("POST", f"/tasks/{met['taskId']}/claim", headers=COMPLAINTS).status == 200
    # when the supervisor reads the board
    board = client.request("GET", "/queues", headers=SUPERVISOR).json()
    # then every queue is counted; the late task is breached, the unclaimed one due soon at risk
    assert board["supervisor"] is True and [q["queue"] for q in board["queues"]] == QUEUES
    breached = [t["taskId"] for t in board["breached"]]
    at_risk = [t["taskId"] for t in board["atRisk"]]
    assert late["taskId"] in breached and soon["taskId"] in at_risk
    assert met["taskId"] not in breached + at_risk
    complaints = next(q for q in board["queues"] if q["queue"] == "complaints")
    assert complaints["breached"] >= 1 and complaints["atRisk"] >= 1 and complaints["claimed"] >= 1
    # and smith's load counts the claim against their capacity
    smith = next(a for a in board["agents"] if a["agentId"] == "agent-smith")
    assert smith["load"] >= 1 and smith["capacity"] == 3 and "complaints" in smith["queues"]
