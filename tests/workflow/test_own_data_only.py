"""Privacy blind spots closed: every read of customer data answers with the customer's own data and
nothing else (ledger, history and statement, payment lookup, refund evidence and action, case
views), and a one-time code by SMS goes to the phone on file, never to the phone a request names.

Other customers here have payments that would win every lookup if a read leaked (newer, failed,
duplicated): a read that returned them would put their ids in the answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from switchboard.adapters.repository.directory import CustomerDirectory, Ledger
from switchboard.domain.clock import iso, now

from tests.workflow.helpers import (
    PAYMENTS,
    bearer,
    case_of,
    code_for,
    messages_for,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

TXN_ID = re.compile(r"\bT[A-Z0-9]{5,}\b")
OTHERS = "C9401"  # a customer whose payments are newer and more suspicious than anyone's


@pytest.fixture(scope="module")
def decoys(runtime):
    """Another customer's payments: the newest failed one, the newest duplicate pair, newest of all."""
    CustomerDirectory().put_customer(
        {
            "customerId": OTHERS,
            "name": "Decoy",
            "phone": "+8613600009401",
            "email": "decoy@example.cn",
            "language": "zh-CN",
            "accountStatus": "ACTIVE",
            "accounts": ["6222000000009401"],
        }
    )
    moment = now()
    decoy = {"customerId": OTHERS, "accountId": "6222000000009401", "currency": "CNY", "type": "PAYMENT"}
    rows = [
        {"transactionId": "TX9401F", "merchant": "Decoy Failed", "amount": 77.0, "status": "FAILED", "minutes": 5},
        {"transactionId": "TX9401A", "merchant": "星巴克", "amount": 38.0, "status": "SUCCESS", "minutes": 3},
        {"transactionId": "TX9401B", "merchant": "星巴克", "amount": 38.0, "status": "SUCCESS", "minutes": 2},
    ]
    for row in rows:
        minutes = row.pop("minutes")
        Ledger().put({**decoy, **row, "createdAt": iso(moment - timedelta(minutes=minutes))})
    return {"TX9401F", "TX9401A", "TX9401B"}


def own_ids(customer_id):
    return {t["transactionId"] for t in Ledger().for_customer(customer_id)}


def chat(client, user, key, message, language=None):
    body = {"channel": "app_chat", "sessionId": f"own-{key}", "messageId": f"own-{key}-1", "message": message}
    return post_contact(client, {**body, **({"language": language} if language else {})}, {"X-App-User": user}).json()


# ---- the ledger itself -------------------------------------------------------------------------


def test_the_ledger_answers_a_customers_own_transactions_and_nothing_else(runtime, decoys):
    # given seeded transactions of several customers, and the decoy's
    # when each customer's transactions are read, and one by another customer's id
    for customer_id in ("C1001", "C1003", "C1004"):
        found = Ledger().for_customer(customer_id)
        # then every row is theirs
        assert found and {t["customerId"] for t in found} == {customer_id}
        assert not {t["transactionId"] for t in found} & decoys
    assert Ledger().get("C1001", "TX9401F") is None
    assert Ledger().get("C1001", "TK3J110") is None  # Emily's
    assert Ledger().get("C1001", "TK3A101")["customerId"] == "C1001"


# ---- transaction history and the statement -----------------------------------------------------


def test_history_and_statement_carry_only_the_customers_own_transactions(runtime, client, decoys):
    # given Zhang Wei (signed in) asking for three months of transactions by email
    mine = own_ids("C1001")
    opened = chat(client, "app-zhangwei", "history", "把最近三个月的交易记录发到我邮箱")
    runtime.wait_for_execution(opened["caseId"])
    case = case_of(client, opened["caseId"])
    statement = runtime.wait_for(
        lambda: messages_for(runtime, opened["caseId"], "statement"), timeout=10, what="the statement email"
    )[0]["body"]
    # then the statement names only his transaction ids, and all of them
    assert set(TXN_ID.findall(statement)) == mine
    # and neither the answer nor the case view shows another customer's merchant
    for text in (statement, case["resolution"]):
        for other in ("HKTV", "Octopus", "Amazon", "拼多多", "星巴克", "Decoy"):
            assert other not in text, (other, text)


# ---- payment lookup ----------------------------------------------------------------------------


def test_a_payment_lookup_answers_about_the_customers_own_payment(runtime, client, decoys):
    # given David (signed in) asking whether his payment failed, while the decoy's failed one is newer
    opened = chat(client, "app-david", "payment", "My payment failed, did you take my money?", language="en")
    runtime.wait_for_execution(opened["caseId"])
    case = case_of(client, opened["caseId"])
    # then the answer names one of David's own payments and no other id
    named = set(TXN_ID.findall(case["resolution"]))
    assert named and named <= own_ids("C1004"), case["resolution"]
    told = " ".join(m["body"] for m in messages_for(runtime, opened["caseId"]))
    assert not set(TXN_ID.findall(told)) - own_ids("C1004"), told


# ---- refund evidence and the refund itself -----------------------------------------------------


def test_refund_evidence_and_the_refund_action_stay_within_the_customers_own_payments(runtime, client, decoys):
    # given Li Na (signed in) charged twice at Starbucks; the decoy's pair there is newer
    opened = chat(client, "app-lina", "refund", "我在星巴克买咖啡,钱扣了两次!能帮我退一笔吗")
    task = open_task(runtime, client, opened["caseId"], PAYMENTS)
    # then the evidence is her own pair
    assert {e["transactionId"] for e in task["evidence"]} == {"TK3E505", "TK3E606"}
    # when the agent approves a refund of the decoy's payment on her case
    client.request("POST", f"/tasks/{task['taskId']}/claim", headers=PAYMENTS)
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {
            "outcome": "RESOLVED",
            "resolution": "已处理。",
            "actions": [{"type": "APPROVE_REFUND", "transactionId": "TX9401B"}],
        },
        PAYMENTS,
    )
    assert done.status == 200, done.body
    runtime.wait_for_execution(opened["caseId"])
    # then no refund of another customer's payment was recorded, nor told
    assert not [t for t in Ledger().for_customer(OTHERS) if t.get("refundStatus") or t.get("type") == "REFUND"]
    assert not [t for t in Ledger().for_customer("C1003") if t.get("refundOf") == "TX9401B"]
    notice = messages_for(runtime, opened["caseId"], "agent_resolution")[0]["body"]
    assert "TX9401B" not in notice and "退款" not in notice


# ---- case views --------------------------------------------------------------------------------


def test_a_customers_case_view_shows_nothing_of_other_customers(runtime, client, decoys):
    # given Zhang Wei's answered history question, and another customer's case
    mine = chat(client, "app-zhangwei", "view-1", "最近三个月的交易记录")
    theirs = chat(client, "app-david", "view-2", "What are your transfer fees?", language="en")
    runtime.wait_for_execution(mine["caseId"])
    # when Zhang reads his own case, and tries David's
    own = client.request("GET", f"/cases/{mine['caseId']}", headers={"X-App-User": "app-zhangwei"})
    other = client.request("GET", f"/cases/{theirs['caseId']}", headers={"X-App-User": "app-zhangwei"})
    # then his view names only his own transactions' merchants, and David's case is not found
    assert own.status == 200, own.body
    for merchant in ("HKTV", "Octopus", "Amazon", "拼多多", "星巴克", "Decoy"):
        assert merchant not in own.body
    assert other.status == 404 and theirs["caseId"] not in other.body


# ---- codes go to the phone on file -------------------------------------------------------------


def test_a_code_by_sms_goes_to_the_phone_on_file_not_the_phone_the_request_names(runtime, client):
    # given a customer who takes codes by SMS, and a web form with their email but another phone
    on_file, supplied = "+8613600009402", "+8613700009402"
    CustomerDirectory().put_customer(
        {
            "customerId": "C9402",
            "name": "短信客户",
            "phone": on_file,
            "email": "sms.customer@example.cn",
            "language": "zh-CN",
            "accountStatus": "ACTIVE",
            "accounts": ["6222000000009402"],
            "preferredChannel": "sms",
        }
    )
    opened = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "own-code-sms-1",
            "name": "短信客户",
            "email": "sms.customer@example.cn",
            "phone": supplied,
            "message": "请把我最近的交易记录发给我看看",
            "language": "zh-CN",
        },
    ).json()
    # when the workflow sends the one-time code
    wait_status(runtime, client, opened["caseId"], "AWAITING_CUSTOMER")
    code = code_for(runtime, opened["caseId"])
    # then it went by SMS to the phone on file, and nothing at all went to the phone the form named
    codes = messages_for(runtime, opened["caseId"], "verification_code")
    assert [(m["channel"], m["to"]) for m in codes] == [("sms", on_file)]
    assert not [m for m in runtime.outbox() if m["to"] == supplied]
    # and the code works for the form's case token
    entered = client.request(
        "POST", f"/cases/{opened['caseId']}/verification", {"code": code}, bearer(opened["caseToken"])
    )
    assert entered.status == 200, entered.body
