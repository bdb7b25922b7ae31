"""Resolve or escalate, on the real ASL: each intent's path (case status, queue, outcome and what
the customer was told), the agents' task list order, claims, and a REJECTED outcome."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import EVENTS
from tests.workflow.helpers import (
    ACCOUNTS,
    COMPLAINTS,
    PAYMENTS,
    SUPERVISOR,
    case_of,
    code_for,
    details,
    enter_code,
    messages_for,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

ZHANG_PHONE, ZHANG_EMAIL = "+8613800138000", "zhang.wei@example.com"  # C1001
EMILY_PHONE = "+14155550123"  # C1002, LOCKED in the seed
LINA_PHONE = "+8613912345678"  # C1003
DAVID_PHONE = "+85291234567"  # C1004
SMITH = COMPLAINTS  # agent-smith: complaints + general
WANG = ACCOUNTS  # agent-wang: account_support + general
TXN_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} ", re.MULTILINE)
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def open_contact(client, body, headers=None):
    return post_contact(client, body, headers).json()


def phone_contact(client, contact_id, caller, message, **extra):
    body = {"channel": "phone", "callerNumber": caller, "contactId": f"intents-{contact_id}", "message": message}
    return open_contact(client, {**body, **extra})


def pass_code(runtime, client, opened):
    """Wait for the step-up, enter the code that was sent to the contact on file, and let it finish."""
    enter_code(runtime, client, opened)
    return runtime.wait_for_execution(opened["caseId"])


def connect_event(name, contact_id):
    """A sample Connect event from events/connect, with its own ContactId."""
    event = json.loads((EVENTS / "connect" / name).read_text(encoding="utf-8"))
    event["Details"]["ContactData"]["ContactId"] = contact_id
    return event


# ---- automatic resolutions ---------------------------------------------------------------------


def test_last_three_transactions_are_texted_after_the_code(runtime, client):
    # given Zhang (4 transactions on file) calling for his last three, in Chinese
    opened = phone_contact(client, "txn-3", ZHANG_PHONE, "我想查最近三笔交易", language="zh-CN")
    # when he passes the one-time code
    execution = pass_code(runtime, client, opened)
    # then the answer is an SMS in Chinese with exactly his three newest transactions
    case = case_of(client, opened["caseId"])
    assert execution["status"] == "SUCCEEDED"
    assert case["intent"] == "transaction_history" and case["status"] == "CLOSED"
    resolved = messages_for(runtime, opened["caseId"], "resolved")
    assert len(resolved) == 1
    sms = resolved[0]
    assert sms["channel"] == "sms" and sms["to"] == ZHANG_PHONE
    assert "工单" in sms["body"]  # the zh-CN template
    lines = TXN_LINE.findall(sms["body"])
    assert 1 <= len(lines) <= 3
    assert len(lines) == 3  # he has four: the limit is what cut the fourth
    assert "中国移动话费" in sms["body"] and "滴滴出行" not in sms["body"]  # newest in, oldest out
    assert messages_for(runtime, opened["caseId"], "statement") == []


def test_statement_by_email_is_sent_to_the_email_on_file(runtime, client):
    # given Zhang asking by phone for last month's statement to his mailbox
    opened = phone_contact(client, "statement-1", ZHANG_PHONE, "请把上个月的对账单发到我邮箱", language="zh-CN")
    # when he passes the one-time code
    pass_code(runtime, client, opened)
    # then a statement email went to the email on file, besides the SMS answer
    case_id = opened["caseId"]
    statements = messages_for(runtime, case_id, "statement")
    assert len(statements) == 1
    assert statements[0]["channel"] == "email" and statements[0]["to"] == ZHANG_EMAIL
    assert re.search(r"TK3[A-D]\d{3}", statements[0]["body"])
    resolved = messages_for(runtime, case_id, "resolved")
    assert resolved and resolved[0]["channel"] == "sms" and "对账单已发送" in resolved[0]["body"]
    assert case_of(client, case_id)["status"] == "CLOSED"


def test_locked_account_through_amazon_connect(runtime, client):
    from switchboard.adapters.repository.directory import CustomerDirectory

    from local_runtime.lambda_hook import invoke

    connect = runtime.functions["ConnectContactFunction"]
    # given Emily's account is locked and she calls through Connect, pressing 1
    assert CustomerDirectory().by_id("C1002")["accountStatus"] == "LOCKED"
    event = connect_event("contact_flow_account_locked.json", "intents-connect-locked-1")
    # when the contact flow invokes the function
    answer, error = invoke(connect, event)
    # then Connect gets flat strings: a case number and "collect a code"
    assert error is None, answer
    assert all(isinstance(v, str) for v in answer.values())
    assert answer["nextAction"] == "COLLECT_CODE"
    case_id = answer["caseId"]
    assert case_id and answer["language"] == "en"
    # when she keys in the code that was texted to her number on file
    code = code_for(runtime, case_id)
    assert messages_for(runtime, case_id, "verification_code")[0]["to"] == EMILY_PHONE
    entered = connect_event("contact_flow_code_entered.json", "intents-connect-locked-2")
    entered["Details"]["Parameters"] = {"caseId": case_id, "code": code}
    reply, error = invoke(connect, entered)
    assert error is None, reply
    assert reply["nextAction"] == "PLAY_MESSAGE"
    assert reply["caseId"] == case_id
    assert not any(code in value for value in [*answer.values(), *reply.values()])  # never read back
    # then the account is unlocked and the case closed
    runtime.wait_for_execution(case_id)
    assert CustomerDirectory().by_id("C1002")["accountStatus"] == "ACTIVE"
    case = case_of(client, case_id)
    assert case["status"] == "CLOSED" and case["intent"] == "account_locked"
    assert case["verification"] == {"level": "AUTHENTICATED"}


def test_password_reset_link_goes_to_the_contact_on_file(runtime, client):
    # given 李娜 pressing 2 (password reset)
    opened = phone_contact(client, "reset-1", LINA_PHONE, "我忘记密码了", ivrChoice="2", language="zh-CN")
    # when she passes the one-time code
    pass_code(runtime, client, opened)
    # then a reset link went to her phone on file and the case is closed as resolved
    case_id = opened["caseId"]
    resets = messages_for(runtime, case_id, "password_reset")
    assert len(resets) == 1
    assert resets[0]["channel"] == "sms" and resets[0]["to"] == LINA_PHONE
    assert "https://pay.example/reset/" in resets[0]["body"]
    case = case_of(client, case_id)
    assert case["intent"] == "password_reset" and case["status"] == "CLOSED"
    assert "重设链接已发送" in case["resolution"]


def test_failed_payment_is_answered_no_money_taken(runtime, client):
    # given David, whose newest payment (TK3H909) FAILED, pressing 3 (payment problem)
    opened = phone_contact(
        client,
        "pay-failed-1",
        DAVID_PHONE,
        "My top-up did not work, did you take my money?",
        ivrChoice="3",
        language="en",
    )
    # when he enters the code sent to his phone on file (payment details need AUTHENTICATED) and the workflow runs
    execution = pass_code(runtime, client, opened)
    # then it is answered automatically: no money was taken, in English, by email because David's
    # preference on file is email; no person needed
    case = case_of(client, opened["caseId"])
    assert execution["status"] == "SUCCEEDED"
    assert case["intent"] == "payment_failed" and case["status"] == "CLOSED"
    assert "TK3H909" in case["resolution"] and "no money was taken" in case["resolution"]
    resolved = messages_for(runtime, opened["caseId"], "resolved")
    assert resolved and resolved[0]["channel"] == "email" and resolved[0]["to"] == "david.wong@example.hk"
    assert "no money was taken" in resolved[0]["body"]
    assert case["tasks"] == []


def test_payment_pending_past_the_reversal_window_goes_to_payments_with_evidence(runtime, client):
    # given David naming his PENDING payment from 44 hours ago (window: 24 h)
    opened = phone_contact(
        client,
        "pay-pending-1",
        DAVID_PHONE,
        "Payment TK3G808 to HKTV mall is still processing, where is my money?",
        ivrChoice="3",
        language="en",
    )
    # when he enters the code sent to his phone on file and the workflow runs
    enter_code(runtime, client, opened)
    task = open_task(runtime, client, opened["caseId"], PAYMENTS)
    # then a payments agent has it, with the transaction as evidence
    assert task["queue"] == "payments"
    assert [e["transactionId"] for e in task["evidence"]] == ["TK3G808"]
    assert task["evidence"][0]["status"] == "PENDING"
    case = case_of(client, opened["caseId"])
    assert case["status"] == "ESCALATED" and case["queue"] == "payments"
    assert "reversal window" in details(case)
    assert not any(n["type"] == "resolved" for n in case["notifications"])


# ---- escalations -------------------------------------------------------------------------------


def test_product_question_without_an_answer_goes_to_general(runtime, client):
    # given a product question (menu 8) the knowledge base has no article for
    opened = phone_contact(
        client, "product-1", "+8613700006666", "Do you sponsor football clubs?", ivrChoice="8", language="en"
    )
    # when the workflow runs
    task = open_task(runtime, client, opened["caseId"], WANG)
    # then a person in general answers it (Escalate writes the task, then marks the case ESCALATED)
    case = wait_status(runtime, client, opened["caseId"], "ESCALATED")
    assert case["intent"] == "product_info"
    assert task["queue"] == "general" and case["queue"] == "general"
    assert case["status"] == "ESCALATED"
    assert "no article matches" in details(case)
    assert case["resolution"] is None


def test_unrecognized_charge_goes_to_disputes_urgently_with_an_immediate_acknowledgement(runtime, client):
    # given a signed-in app user reporting a charge she never made
    opened = open_contact(
        client,
        {
            "channel": "app_chat",
            "sessionId": "intents-sess-fraud-1",
            "messageId": "intents-msg-1",
            "message": "There is a charge from Amazon for 59.99 that I never made. Was my card stolen?",
        },
        {"X-App-User": "app-emily"},
    )
    case_id = opened["caseId"]
    # when the workflow runs
    task = open_task(runtime, client, case_id, PAYMENTS)
    # then disputes has it as urgent, and the customer was told while the task is still open
    case = case_of(client, case_id)
    assert case["intent"] == "unrecognized_transaction"
    assert task["queue"] == "disputes" and task["priority"] == "urgent"
    assert case["priority"] == "urgent" and case["status"] == "ESCALATED"
    escalated = runtime.wait_for(
        lambda: messages_for(runtime, case_id, "escalated"), timeout=10, what="the escalated acknowledgement"
    )
    assert escalated[0]["channel"] == "chat" and escalated[0]["to"] == "intents-sess-fraud-1"
    assert "disputes team" in escalated[0]["body"]
    assert re.search(r"within \d+ minutes?", escalated[0]["body"])


def test_complaint_acknowledgement_names_the_team_and_the_response_time(runtime, client):
    # given a formal complaint through the web form
    opened = open_contact(
        client,
        {
            "channel": "web",
            "submissionId": "intents-web-complaint-1",
            "name": "David Wong",
            "email": "david.wong@example.hk",
            "subject": "Complaint",
            "message": "I want to file a formal complaint about how my last call was handled.",
            "language": "en",
        },
    )
    case_id = opened["caseId"]
    # when the workflow runs
    task = open_task(runtime, client, case_id, COMPLAINTS)
    # then the complaints team has it and the email says who and how long
    assert task["queue"] == "complaints"
    escalated = runtime.wait_for(
        lambda: messages_for(runtime, case_id, "escalated"), timeout=10, what="the escalated acknowledgement"
    )
    email = escalated[0]
    assert email["channel"] == "email" and email["to"] == "david.wong@example.hk"
    assert "complaints team" in email["body"]
    assert re.search(r"within \d+ (?:minute|hour|day)s?", email["body"])
    assert "within 1 day" in email["body"]  # the complaints queue's 24 h SLA


@pytest.mark.parametrize(
    ("key", "message", "extra", "intent"),
    [
        ("human", "I would like to speak to someone", {"ivrChoice": "0"}, "human_agent"),
        ("other", "xq zzv blorp", {}, "other"),
    ],
)
def test_human_agent_and_unclassifiable_text_go_to_general(runtime, client, key, message, extra, intent):
    # given a caller who pressed 0, or whose words match no intent
    opened = phone_contact(client, f"general-{key}", "+8613700007777", message, language="en", **extra)
    # when the workflow runs
    task = open_task(runtime, client, opened["caseId"], SMITH)
    # then a general agent has it and the customer was told so
    case = case_of(client, opened["caseId"])
    assert case["intent"] == intent
    assert task["queue"] == "general" and case["queue"] == "general"
    assert case["status"] == "ESCALATED"
    escalated = runtime.wait_for(
        lambda: messages_for(runtime, opened["caseId"], "escalated"), timeout=10, what="the escalated notice"
    )
    assert escalated[0]["channel"] == "sms" and "customer service team" in escalated[0]["body"]


# ---- the agents' desk --------------------------------------------------------------------------


def test_open_tasks_come_by_priority_then_sla_due_time(runtime, client):
    # given five general-queue cases of different priority and SLA
    contacts = {
        "low": ("Do you sponsor football clubs?", {"ivrChoice": "8"}),  # product_info: low, 8 h
        "normal_late": ("qwv zzkt plorb", {}),  # other: normal, 4 h
        "normal_soon": ("Please put me through to an agent", {"ivrChoice": "0"}),  # human_agent: normal, 1 h
        "high": ("This is ridiculous, get me a person", {"ivrChoice": "0"}),  # angry: high
        "urgent": ("Get me a person or I will go to the regulator", {"ivrChoice": "0"}),  # threat: urgent
    }
    case_ids = {
        name: phone_contact(client, f"order-{name}", "+8613700008888", text, language="en", **extra)["caseId"]
        for name, (text, extra) in contacts.items()
    }
    tasks = {name: open_task(runtime, client, case_id, SUPERVISOR) for name, case_id in case_ids.items()}
    assert {t["queue"] for t in tasks.values()} == {"general"}
    # when the supervisor lists the general queue
    listed = client.request("GET", "/tasks", headers=SUPERVISOR, query="queue=general")
    assert listed.status == 200, listed.body
    queue = listed.json()["tasks"]
    # then ours come urgent, high, normal (sooner due first), then low
    by_case = {case_id: name for name, case_id in case_ids.items()}
    ours = [by_case[t["caseId"]] for t in queue if t["caseId"] in by_case]
    assert ours == ["urgent", "high", "normal_soon", "normal_late", "low"]
    assert tasks["normal_soon"]["slaDueAt"] < tasks["normal_late"]["slaDueAt"]
    # and the whole list keeps that order, only open tasks of that queue
    keys = [(PRIORITY_RANK[t["priority"]], t["slaDueAt"]) for t in queue]
    assert keys == sorted(keys)
    assert all(t["queue"] == "general" and t["status"] in ("OPEN", "CLAIMED") for t in queue)


def test_a_task_claimed_by_one_agent_cannot_be_completed_by_another(runtime, client):
    # given a general task that agent Wang claims
    opened = phone_contact(client, "claim-1", "+8613700009191", "I need to talk to a real person", ivrChoice="0")
    case_id = opened["caseId"]
    task = open_task(runtime, client, case_id, WANG)
    claimed = client.request("POST", f"/tasks/{task['taskId']}/claim", None, WANG)
    assert claimed.status == 200, claimed.body
    assert claimed.json()["claimedBy"] == "agent-wang"
    # when Smith, also of general, tries to take or complete it
    stolen = client.request("POST", f"/tasks/{task['taskId']}/claim", None, SMITH)
    completed_by_b = client.request(
        "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "done by smith"}, SMITH
    )
    # then both are conflicts and the workflow is still waiting
    assert stolen.status == 409, stolen.body
    assert completed_by_b.status == 409, completed_by_b.body
    assert completed_by_b.json()["error"]["code"] == "CONFLICT"
    assert runtime.execution(case_id)["status"] == "RUNNING"
    # when Wang completes it
    done = client.request(
        "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "called back"}, WANG
    )
    # then it is accepted and the case closes
    assert done.status == 200, done.body
    assert runtime.wait_for_execution(case_id)["status"] == "SUCCEEDED"
    case = case_of(client, case_id)
    assert case["status"] == "CLOSED" and case["resolution"] == "called back"
    assert "completed: RESOLVED" in details(case) and "agent:agent-wang" in {t["actor"] for t in case["timeline"]}


def test_rejected_outcome_resolves_tells_the_customer_and_closes(runtime, client):
    # given David's PENDING payment escalated to payments
    opened = phone_contact(
        client,
        "rejected-1",
        DAVID_PHONE,
        "TK3G808 still processing, I want my money back now",
        ivrChoice="3",
        language="en",
    )
    case_id = opened["caseId"]
    enter_code(runtime, client, opened)  # payment details need AUTHENTICATED
    task = open_task(runtime, client, case_id, PAYMENTS)
    # when the payments agent rejects the request
    rejected = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {"outcome": "REJECTED", "resolution": "The merchant confirmed delivery; no refund is due."},
        PAYMENTS,
    )
    assert rejected.status == 200, rejected.body
    execution = runtime.wait_for_execution(case_id)
    # then the case was resolved as REJECTED, the customer was told by SMS, and it closed
    case = case_of(client, case_id)
    assert execution["status"] == "SUCCEEDED"
    assert case["resolution"] == "REJECTED: The merchant confirmed delivery; no refund is due."
    assert "REJECTED: no actions" in details(case)
    told = messages_for(runtime, case_id, "agent_resolution")
    # (by email: David's preference on file)
    assert len(told) == 1 and told[0]["channel"] == "email" and told[0]["to"] == "david.wong@example.hk"
    assert "no refund is due" in told[0]["body"]
    assert case["status"] == "CLOSED"
    assert messages_for(runtime, case_id, "resolved") == []
