"""What customers are told is true, on the real ASL: a fraud report's card block and chargeback are
real state changes and only what was done is told; a payment question is answered about the payment
it names; code messages state the real validity; times and statuses are the customer's own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from switchboard.adapters.repository.directory import CustomerDirectory, Ledger
from switchboard.domain.clock import iso, now

from tests.workflow.helpers import (
    PAYMENTS,
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

DAVID_PHONE = "+85291234567"  # C1004: TK3G808 HKTV mall PENDING (44 h), TK3H909 Octopus FAILED (3 h)


def ledger_item(customer_id, transaction_id):
    return next(t for t in Ledger().for_customer(customer_id) if t["transactionId"] == transaction_id)


# ---- fraud: block the card, open a chargeback, tell only what was done -------------------------


def test_a_fraud_report_ends_with_the_card_blocked_a_chargeback_open_and_a_notice_of_exactly_that(runtime, client):
    # given Emily (signed in) reporting an Amazon charge she never made
    opened = post_contact(
        client,
        {
            "channel": "app_chat",
            "sessionId": "truth-fraud-sess-1",
            "messageId": "truth-fraud-msg-1",
            "message": "There is a charge from Amazon for 59.99 that I never made. Was my card stolen?",
        },
        {"X-App-User": "app-emily"},
    ).json()
    task = open_task(runtime, client, opened["caseId"], PAYMENTS)
    # the disputes agent sees the charge and what may be done about it
    assert task["queue"] == "disputes"
    assert [e["transactionId"] for e in task["evidence"]] == ["TK3J110"]
    assert task["evidence"][0]["suggestedActions"] == ["BLOCK_CARD", "OPEN_CHARGEBACK"]
    # when the agent blocks the card, opens the chargeback, and also tries one on another customer's payment
    client.request("POST", f"/tasks/{task['taskId']}/claim", headers=PAYMENTS)
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {
            "outcome": "RESOLVED",
            "resolution": "We reviewed the charge you reported.",
            "actions": [
                {"type": "BLOCK_CARD", "transactionId": "TK3J110"},
                {"type": "OPEN_CHARGEBACK", "transactionId": "TK3J110"},
                {"type": "OPEN_CHARGEBACK", "transactionId": "TK3A101"},  # Zhang Wei's: not hers
            ],
        },
        PAYMENTS,
    )
    assert done.status == 200, done.body
    runtime.wait_for_execution(opened["caseId"])
    # then the card is blocked in the directory and the chargeback is open on the ledger, with who and which case
    emily = CustomerDirectory().by_id("C1002")
    assert emily["blockedCards"] == ["4111222233334444"]
    charge = ledger_item("C1002", "TK3J110")
    assert charge["chargebackStatus"] == "OPEN" and charge["chargebackCaseId"] == opened["caseId"]
    assert charge["chargebackBy"] == "agent:agent-liu"
    # and nothing happened to the other customer's payment
    assert "chargebackStatus" not in ledger_item("C1001", "TK3A101")
    # and the customer's notice lists exactly the two actions carried out
    notice = runtime.wait_for(
        lambda: messages_for(runtime, opened["caseId"], "agent_resolution"), timeout=10, what="the agent's notice"
    )[0]["body"]
    assert "Blocked your card ending 4444" in notice
    assert "Opened a chargeback for TK3J110 (Amazon, 59.99 USD)" in notice
    assert notice.count("Opened a chargeback") == 1 and "TK3A101" not in notice
    assert "new card" not in notice
    case = case_of(client, opened["caseId"])
    assert "chargeback for TK3A101" not in case["resolution"]
    assert "chargeback not opened: transaction TK3A101 not found for this customer" in details(case)


def test_a_resolution_claims_no_action_that_was_not_carried_out(runtime, client):
    # given a disputes task of Li Na's (signed in), whose card is 6228480402564890
    opened = post_contact(
        client,
        {
            "channel": "app_chat",
            "sessionId": "truth-fraud-sess-2",
            "messageId": "truth-fraud-msg-2",
            "message": "拼多多扣了我129.9元,不是我买的,是不是被盗刷了",
        },
        {"X-App-User": "app-lina"},
    ).json()
    task = open_task(runtime, client, opened["caseId"], PAYMENTS)
    # when the agent asks to block a card that is not hers
    client.request("POST", f"/tasks/{task['taskId']}/claim", headers=PAYMENTS)
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {
            "outcome": "RESOLVED",
            "resolution": "已核实。",
            "actions": [{"type": "BLOCK_CARD", "accountId": "4111222233334444"}],
        },
        PAYMENTS,
    )
    assert done.status == 200, done.body
    runtime.wait_for_execution(opened["caseId"])
    # then no card was blocked and the notice says nothing of a block
    assert "blockedCards" not in CustomerDirectory().by_id("C1003")
    assert CustomerDirectory().by_id("C1002").get("blockedCards", []) in ([], ["4111222233334444"])
    notice = messages_for(runtime, opened["caseId"], "agent_resolution")[0]["body"]
    assert "冻结" not in notice and "拒付" not in notice
    assert "card not blocked" in details(case_of(client, opened["caseId"]))


# ---- the payment the customer means ------------------------------------------------------------


def test_a_stuck_payment_named_by_merchant_is_the_one_looked_at_not_the_latest_failed_one(runtime, client):
    # given David asking about his HKTV mall payment, while his newest failed one is an Octopus top-up
    opened = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": DAVID_PHONE,
            "contactId": "truth-hktv-1",
            "ivrChoice": "3",
            "message": "My payment to HKTV mall is stuck since the day before yesterday",
            "language": "en",
        },
    ).json()
    # when he proves who he is with the code sent to his phone on file
    enter_code(runtime, client, opened)
    task = open_task(runtime, client, opened["caseId"], PAYMENTS)
    # then the payments agent has the HKTV payment (pending past the window), never the Octopus one
    assert [e["transactionId"] for e in task["evidence"]] == ["TK3G808"]
    case = case_of(client, opened["caseId"])
    assert "reversal window" in details(case) and "TK3H909" not in details(case)
    told = " ".join(m["body"] for m in messages_for(runtime, opened["caseId"]))
    assert "Octopus" not in told and "TK3H909" not in told


def test_a_payment_named_by_merchant_and_amount_is_answered_saying_which_payment(runtime, client):
    # given David (signed in) asking about "the 200 to Octopus"
    opened = post_contact(
        client,
        {
            "channel": "app_chat",
            "sessionId": "truth-octopus-sess",
            "messageId": "truth-octopus-msg",
            "message": "Did my Octopus top-up of 200 go through? My payment failed I think",
            "language": "en",
        },
        {"X-App-User": "app-david"},
    ).json()
    runtime.wait_for_execution(opened["caseId"])
    case = case_of(client, opened["caseId"])
    # then the answer names the payment: merchant, amount, local date and id
    assert case["intent"] == "payment_failed" and case["status"] == "CLOSED", details(case)
    created = ledger_item("C1004", "TK3H909")["createdAt"]
    from zoneinfo import ZoneInfo

    from switchboard.workflow.intents.common import local_time

    when = local_time(created, ZoneInfo("Asia/Shanghai"))
    assert f"payment of 200.00 HKD to Octopus top-up on {when} (TK3H909)" in case["resolution"]
    assert "no money was taken" in case["resolution"]


# ---- what a code message and a history line say ----------------------------------------------


def test_the_code_message_states_the_real_validity_with_a_correct_plural(runtime, client):
    # given the local runtime's code wait (OtpTimeoutSeconds = 30 s)
    seconds = int(runtime.parameter("OtpTimeoutSeconds"))
    opened = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": DAVID_PHONE,
            "contactId": "truth-validity-1",
            "ivrChoice": "5",
            "message": "I want my last three transactions",
            "language": "en",
        },
    ).json()
    # when the code is sent
    wait_status(runtime, client, opened["caseId"], "AWAITING_CUSTOMER")
    code_for(runtime, opened["caseId"])
    body = messages_for(runtime, opened["caseId"], "verification_code")[0]["body"]
    # then it states the same duration the workflow waits, in words that agree
    assert f"valid for {seconds} seconds" in body, body
    assert not re.search(r"\b1 minutes\b", body)


def test_history_lines_are_in_the_customers_time_zone_with_statuses_in_their_language(runtime, client):
    # given a customer on file in New York (zh-CN speaker) with a payment at a known UTC time
    CustomerDirectory().put_customer(
        {
            "customerId": "C9301",
            "name": "王纽约",
            "phone": "+447700900301",
            "appUserId": "app-c9301",
            "language": "zh-CN",
            "accountStatus": "ACTIVE",
            "accounts": ["6222000000009301"],
            "timeZone": "America/New_York",
        }
    )
    paid = (now() - timedelta(days=2)).replace(hour=23, minute=30, second=0, microsecond=0)
    Ledger().put(
        {
            "transactionId": "TZ9301A",
            "customerId": "C9301",
            "accountId": "6222000000009301",
            "merchant": "Tesco",
            "amount": 12.5,
            "currency": "GBP",
            "status": "SUCCESS",
            "createdAt": iso(paid),
        }
    )
    # when they ask for their latest transaction in the app
    opened = post_contact(
        client,
        {"channel": "app_chat", "sessionId": "truth-tz-sess", "messageId": "truth-tz-msg", "message": "最近一笔交易"},
        {"X-App-User": "app-c9301"},
    ).json()
    runtime.wait_for_execution(opened["caseId"])
    resolution = case_of(client, opened["caseId"])["resolution"]
    # then the line shows New York time and a Chinese status word, never UTC or the raw status
    from zoneinfo import ZoneInfo

    new_york = paid.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    assert f"{new_york} Tesco 12.50 GBP 成功" in resolution, resolution
    assert "SUCCESS" not in resolution
