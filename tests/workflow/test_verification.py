"""Verify and classify, on the real ASL: every verification path (identified, unknown, signed-in,
one-time code right / reused / wrong three times, codes only to the contact on file, no code in
any API answer) and classification from Chinese text, the IVR menu and sentiment."""

from __future__ import annotations

import re

import pytest

from tests.workflow.helpers import (
    ACCOUNTS,
    COMPLAINTS,
    SUPERVISOR,
    bearer,
    case_of,
    code_for,
    details,
    messages_for,
    open_task,
    wait_status,
)
from tests.workflow.helpers import post_contact as open_contact

pytestmark = pytest.mark.workflow

ZHANG_PHONE = "+8613800138000"  # C1001, on file
ZHANG_EMAIL = "zhang.wei@example.com"
EMILY_PHONE = "+14155550123"  # C1002, LOCKED in the seed


def phone_contact(client, contact_id, caller, message, **extra):
    body = {"channel": "phone", "callerNumber": caller, "contactId": f"verif-{contact_id}", "message": message}
    return open_contact(client, {**body, **extra})


def settled(runtime, client, case_id, timeout=30):
    """The case has reached a resting point: closed, or parked on a human task."""
    return wait_status(runtime, client, case_id, "CLOSED", "ESCALATED", timeout=timeout)


def wrong_code(code):
    return "000000" if code != "000000" else "111111"


# ---- who is it ---------------------------------------------------------------------------------


def test_known_caller_is_identified_by_phone(runtime, client):
    # given a caller whose number is on file (C1001) asking a question that needs no code
    answer = phone_contact(
        client, "identified-1", ZHANG_PHONE, "What are the fees for withdrawing money to my bank card?", language="en"
    )
    case_id = answer.json()["caseId"]
    # when the workflow runs to the end
    execution = runtime.wait_for_execution(case_id)
    # then the case is IDENTIFIED (not AUTHENTICATED: no code was asked), tied to C1001 by phone
    case = case_of(client, case_id)
    assert execution["status"] == "SUCCEEDED"
    assert case["verification"] == {"level": "IDENTIFIED"}
    assert "customer C1001 identified by phone: IDENTIFIED" in details(case)
    from switchboard.adapters.repository.cases import CaseRepository

    assert CaseRepository().get(case_id)["customerId"] == "C1001"
    assert messages_for(runtime, case_id, "verification_code") == []
    assert case["status"] == "CLOSED"


def test_unknown_caller_asking_for_transactions_waits_like_a_customer_gets_no_code_and_goes_to_a_human(runtime, client):
    # given a number that matches no customer, asking for something sensitive
    answer = phone_contact(client, "unknown-1", "+8613700009999", "我想查一下最近的交易记录", language="zh-CN")
    case_id = answer.json()["caseId"]
    # when the workflow runs, the caller is asked for a code exactly as a customer on file would be
    # (whether the number is on file must not show), though none is sent
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    waiting = client.request("GET", f"/cases/{case_id}", headers=bearer(answer.json()["caseToken"])).json()
    assert waiting["status"] == "AWAITING_CUSTOMER" and waiting["verification"] == {"level": "NONE"}
    # and when the code's time runs out, a person has the case with the reason
    task = open_task(runtime, client, case_id, ACCOUNTS, timeout=90)
    case = case_of(client, case_id)
    # then the caller is NONE, no code went anywhere, and a person has the case with the reason
    assert case["verification"] == {"level": "NONE"}
    assert case["intent"] == "transaction_history"
    assert case["status"] == "ESCALATED"
    assert task["queue"] == "general"
    assert "no customer on file matches this contact: NONE" in details(case)
    assert "customer not authenticated for a sensitive request" in details(case)
    assert "no contact on file: none sent" in details(case)
    assert messages_for(runtime, case_id, "verification_code") == []
    assert not any(n["type"] == "resolved" for n in case["notifications"])
    assert case["resolution"] is None  # nothing was answered automatically


def test_signed_in_app_user_is_authenticated_without_a_code(runtime, client):
    # given a signed-in app user (李娜, C1003) asking for transaction details in the chat
    answer = open_contact(
        client,
        {"channel": "app_chat", "sessionId": "verif-sess-app-1", "messageId": "verif-msg-1", "message": "最近三笔交易"},
        {"X-App-User": "app-lina"},
    )
    case_id = answer.json()["caseId"]
    # when the workflow runs
    execution = runtime.wait_for_execution(case_id)
    # then the app identity alone is AUTHENTICATED: answered in the chat, no code ever sent
    case = case_of(client, case_id)
    assert execution["status"] == "SUCCEEDED"
    assert case["verification"] == {"level": "AUTHENTICATED"}
    assert "customer C1003 identified by appuser: AUTHENTICATED" in details(case)
    assert "one-time code requested" not in details(case)
    assert messages_for(runtime, case_id, "verification_code") == []
    resolved = messages_for(runtime, case_id, "resolved")
    assert resolved and resolved[0]["channel"] == "chat"
    assert case["status"] == "CLOSED"


# ---- one-time codes ----------------------------------------------------------------------------


def test_locked_account_is_unlocked_after_the_code_and_told_to_change_the_password(runtime, client):
    from switchboard.adapters.repository.directory import CustomerDirectory

    # given Emily's account is locked and she calls choosing menu 1 (account locked)
    assert CustomerDirectory().by_id("C1002")["accountStatus"] == "LOCKED"
    answer = phone_contact(
        client, "locked-1", EMILY_PHONE, "I typed the wrong password and now I'm locked out", ivrChoice="1"
    )
    case_id, token = answer.json()["caseId"], answer.json()["caseToken"]
    waiting = wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    assert waiting["intent"] == "account_locked"
    # when she enters the code texted to her number on file
    code = code_for(runtime, case_id)
    assert messages_for(runtime, case_id, "verification_code")[0]["to"] == EMILY_PHONE
    entered = client.request("POST", f"/cases/{case_id}/verification", {"code": code}, bearer(token))
    assert entered.status == 200, entered.body
    runtime.wait_for_execution(case_id)
    # then the directory says ACTIVE, who changed it is recorded, and she is told to change her password
    customer = CustomerDirectory().by_id("C1002")
    assert customer["accountStatus"] == "ACTIVE"
    assert customer["statusChangedBy"] == "switchboard"
    assert case_id in customer["statusReason"]
    case = case_of(client, case_id)
    assert case["verification"] == {"level": "AUTHENTICATED"}
    assert "change your password" in case["resolution"]
    assert "account unlocked after one-time code" in details(case)
    assert case["status"] == "CLOSED"
    resolved = messages_for(runtime, case_id, "resolved")
    assert resolved and resolved[0]["to"] == EMILY_PHONE and "change your password" in resolved[0]["body"]


def test_right_code_authenticates_once_and_never_shows_up_in_an_api_answer(runtime, client):
    # given a known caller asking for transactions, so a code is sent
    answer = phone_contact(client, "single-use-1", ZHANG_PHONE, "我想查一下最近的交易记录", language="zh-CN")
    case_id, token = answer.json()["caseId"], answer.json()["caseToken"]
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    code = code_for(runtime, case_id)
    bodies = [answer.body]
    bodies.append(client.request("GET", f"/cases/{case_id}", headers=bearer(token)).body)
    bodies.append(client.request("GET", f"/cases/{case_id}", headers=SUPERVISOR).body)
    # when the caller enters it
    first = client.request("POST", f"/cases/{case_id}/verification", {"code": code}, bearer(token))
    # then it is accepted, with exactly the documented answer
    assert first.status == 200, first.body
    assert first.json() == {"verification": {"level": "AUTHENTICATED"}}
    # and the same code again is a conflict: it was single use
    again = client.request("POST", f"/cases/{case_id}/verification", {"code": code}, bearer(token))
    assert again.status == 409, again.body
    assert again.json()["error"]["code"] == "NO_CODE_PENDING"
    runtime.wait_for_execution(case_id)
    bodies += [first.body, again.body]
    bodies.append(client.request("GET", f"/cases/{case_id}", headers=bearer(token)).body)
    bodies.append(client.request("GET", f"/cases/{case_id}", headers=SUPERVISOR).body)
    bodies.append(client.request("GET", "/tasks", headers=SUPERVISOR).body)
    # and the code is in none of the answers the API gave (customer or agent view)
    pattern = re.compile(rf"(?<!\d){code}(?!\d)")
    leaked = [body for body in bodies if pattern.search(body)]
    assert leaked == []
    case = case_of(client, case_id)
    assert case["verification"] == {"level": "AUTHENTICATED"}
    assert case["status"] == "CLOSED"


def test_three_wrong_codes_put_the_case_in_front_of_a_human(runtime, client):
    # given a known caller waiting for a code
    answer = phone_contact(client, "wrong-1", ZHANG_PHONE, "帮我查一下上周的交易记录", language="zh-CN")
    case_id, token = answer.json()["caseId"], answer.json()["caseToken"]
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    code = code_for(runtime, case_id)
    bad = wrong_code(code)
    # when a wrong code is entered three times
    issues = []
    for _ in range(3):
        wrong = client.request("POST", f"/cases/{case_id}/verification", {"code": bad}, bearer(token))
        assert wrong.status == 400, wrong.body
        assert code not in wrong.body  # the answer never gives the right code away
        error = wrong.json()["error"]
        assert error["code"] == "CODE_INVALID"
        issues.append(error["details"][0]["issue"])
    # then the attempts left count down 2, 1, 0
    assert "2 attempt(s) left" in issues[0]
    assert "1 attempt(s) left" in issues[1]
    assert "no attempts left" in issues[2]
    # and the case goes to a person with the reason on the timeline
    task = open_task(runtime, client, case_id, ACCOUNTS)
    assert task["queue"] == "general"
    case = case_of(client, case_id)
    assert case["status"] == "ESCALATED"
    assert case["verification"]["level"] != "AUTHENTICATED"
    assert "three wrong one-time codes" in details(case)
    assert case["resolution"] is None
    # and a fourth attempt, even a guess, finds nothing waiting
    fourth = client.request("POST", f"/cases/{case_id}/verification", {"code": bad}, bearer(token))
    assert fourth.status == 409, fourth.body


def test_web_code_goes_to_the_contact_on_file_not_the_phone_the_form_supplied(runtime, client):
    # given a web form with Zhang's email on file but a phone number that is not his
    supplied_phone = "+8613700001111"
    answer = open_contact(
        client,
        {
            "channel": "web",
            "submissionId": "verif-web-1",
            "name": "张伟",
            "email": ZHANG_EMAIL,
            "phone": supplied_phone,
            "message": "请把我最近的交易记录发给我看看",
            "language": "zh-CN",
        },
    )
    case_id = answer.json()["caseId"]
    # when the workflow asks for a code
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    code_for(runtime, case_id)
    # then the code went to a contact on file, and nothing at all went to the supplied phone
    codes = messages_for(runtime, case_id, "verification_code")
    assert len(codes) == 1
    assert codes[0]["to"] in (ZHANG_EMAIL, ZHANG_PHONE)
    assert codes[0]["to"] != supplied_phone
    assert not any(m["to"] == supplied_phone for m in runtime.outbox())


def test_web_code_never_goes_to_a_supplied_email_that_is_not_on_file(runtime, client):
    # given a web form naming Zhang's account but giving someone else's email and phone
    supplied_email, supplied_phone = "someone.else@example.org", "+8613700002222"
    answer = open_contact(
        client,
        {
            "channel": "web",
            "submissionId": "verif-web-2",
            "name": "张伟",
            "email": supplied_email,
            "phone": supplied_phone,
            "accountId": "6222021234567890",
            "message": "请把我最近的交易记录发给我看看",
            "language": "zh-CN",
        },
    )
    case_id = answer.json()["caseId"]
    # when the workflow asks for a code
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    code_for(runtime, case_id)
    # then the code went to Zhang's contact on file, never to what the form supplied
    codes = messages_for(runtime, case_id, "verification_code")
    assert len(codes) == 1
    assert codes[0]["to"] in (ZHANG_EMAIL, ZHANG_PHONE)
    assert not any(m["to"] in (supplied_email, supplied_phone) for m in codes)


# ---- what do they need -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "intent"),
    [
        ("dup", "我在淘宝买东西,钱扣了两次", "duplicate_payment"),
        ("failed", "付款一直显示处理中", "payment_failed"),
    ],
)
def test_chinese_text_is_classified(runtime, client, key, text, intent):
    # given a caller (not on file) describing the problem in Chinese, with no menu choice
    answer = phone_contact(client, f"zh-{key}", "+8613700003333", text)
    case_id = answer.json()["caseId"]
    # when the workflow classifies it (a payment question then waits for a code, as for anyone)
    case = wait_status(runtime, client, case_id, "AWAITING_CUSTOMER", "CLOSED", "ESCALATED")
    # then the text model found the intent, in Chinese
    assert case["intent"] == intent
    assert case["language"] == "zh-CN"
    assert case["confidence"] >= 0.45
    assert f"intent {intent} (" in details(case) and "by text" in details(case)


def test_ivr_choice_overrides_the_text(runtime, client):
    # given a caller who pressed 8 (product information) but whose transcript reads like a complaint
    answer = phone_contact(
        client, "ivr-override-1", "+8613700004444", "我要投诉你们的客服,一直没人回电话", ivrChoice="8", language="zh-CN"
    )
    case_id = answer.json()["caseId"]
    # when the workflow classifies it
    case = settled(runtime, client, case_id)
    # then the menu choice wins, with full confidence
    assert case["intent"] == "product_info"
    assert case["confidence"] == 1.0
    assert "intent product_info (1.00, by ivr)" in details(case)


@pytest.mark.parametrize(
    ("key", "text", "cue"),
    [
        ("angry", "你们的服务太差了,我要投诉", "anger:太差"),
        ("regulator", "我要去银保监会投诉你们", "threat:银保监"),
    ],
)
def test_anger_or_a_regulator_threat_raises_the_priority_to_urgent(runtime, client, key, text, cue):
    # given a complaint (normally high priority) that is angry or threatens the regulator
    answer = phone_contact(client, f"prio-{key}", "+8613700005555", text, language="zh-CN")
    case_id = answer.json()["caseId"]
    # when the workflow classifies and escalates it
    task = open_task(runtime, client, case_id, COMPLAINTS)
    case = case_of(client, case_id)
    # then the case and its task are urgent, and the cue that raised it is on the timeline
    assert case["intent"] == "complaint"
    assert case["priority"] == "urgent"
    assert task["priority"] == "urgent"
    assert task["queue"] == "complaints"
    assert cue in details(case)
