"""Issue 9's attacks, each tried as an attacker would on the local runtime and now closed: a spoofed
phone contact, code guessing in parallel, SMS pumping through many contacts from one number."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from switchboard.adapters.repository.directory import CustomerDirectory

from local_runtime.outbox import _provider_messages
from tests.conftest import IVR, agent_headers
from tests.workflow.helpers import (
    ACCOUNTS,
    bearer,
    case_of,
    code_for,
    details,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

ZHANG_PHONE = "+8613800138000"  # C1001 in the seed
WEB_CHANNEL = agent_headers("local-web-form")  # the seed's web channel client: not a phone credential


def case_count(runtime):
    ddb = runtime.client("dynamodb")
    return ddb.scan(TableName=runtime.refs["CasesTable"], Select="COUNT")["Count"]


def sent_to(runtime, address):
    """What the SMS/email providers actually received for one destination (not what the cases say)."""
    return [m for m in _provider_messages(runtime).values() if m["to"] == address]


def a_customer(customer_id, phone, **extra):
    """A customer of this test's own, so limits counted here are not shared with other tests."""
    CustomerDirectory().put_customer(
        {
            "customerId": customer_id,
            "name": "Test Customer",
            "phone": phone,
            "language": "zh-CN",
            "accountStatus": "ACTIVE",
            "accounts": [],
            **extra,
        }
    )


# ---- a spoofed phone contact ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        pytest.param({}, 401, "UNAUTHORIZED", id="no-credential"),
        pytest.param(bearer("made-up-token"), 401, "UNAUTHORIZED", id="unknown-bearer"),
        pytest.param(WEB_CHANNEL, 403, "FORBIDDEN", id="web-channel-credential"),
        pytest.param({"X-App-User": "app-zhangwei"}, 401, "UNAUTHORIZED", id="app-user"),
    ],
)
def test_a_phone_contact_without_the_phone_channels_credential_is_refused_and_writes_nothing(
    runtime, client, headers, status, code
):
    # given an attacker who types a customer's number into a phone contact
    before = (case_count(runtime), len(runtime.executions()), len(_provider_messages(runtime)))
    body = {
        "channel": "phone",
        "callerNumber": ZHANG_PHONE,
        "contactId": f"spoof-{code}-{status}-{len(headers)}",
        "ivrChoice": "3",
        "message": "My payment failed, which one was it?",
    }
    # when it is posted without the phone channel client's credential
    answer = client.request("POST", "/contacts", body, headers)
    # then it is refused with the documented error naming the credential, and nothing was written or sent
    assert answer.status == status, answer.body
    error = answer.json()["error"]
    assert error["code"] == code
    assert [d["field"] for d in error["details"]] == ["Authorization"]
    assert "caseId" not in answer.body and "TK3" not in answer.body
    assert (case_count(runtime), len(runtime.executions()), len(_provider_messages(runtime))) == before


def test_phone_and_web_contacts_posted_at_once_are_each_judged_on_their_own_credential(runtime, client):
    # given phone contacts with the IVR's credential and anonymous web forms, sent at the same moment
    def post(n):
        if n % 2:
            body = {
                "channel": "phone",
                "callerNumber": f"+86139{n:08d}",
                "contactId": f"together-{n}",
                "message": "my card was declined",
            }
            return client.request("POST", "/contacts", body, IVR)
        body = {
            "channel": "web",
            "name": "Together",
            "email": f"together-{n}@example.org",
            "submissionId": f"together-{n}",
            "message": "my card was declined",
        }
        return client.request("POST", "/contacts", body)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(post, range(32)))
    # then every one is accepted: no request sees another's credential (or lack of one)
    assert [a.status for a in answers] == [202] * 32, [(a.status, a.body[:120]) for a in answers if a.status != 202]
    assert len({a.json()["caseId"] for a in answers}) == 32


# ---- guessing a code in parallel --------------------------------------------------------------


def test_forty_concurrent_wrong_codes_are_exactly_three_checked_and_never_a_5xx(runtime, client):
    # given a customer of this test waiting for a one-time code
    a_customer("C9101", "+8613600009101")
    answer = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": "+8613600009101",
            "contactId": "door-guess-1",
            "message": "我想查一下最近的交易记录",
            "language": "zh-CN",
        },
    )
    case_id, token = answer.json()["caseId"], answer.json()["caseToken"]
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    code = code_for(runtime, case_id)
    guesses = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 41)]  # forty wrong codes
    # when forty wrong codes arrive at once
    with ThreadPoolExecutor(40) as pool:
        answers = list(
            pool.map(
                lambda guess: client.request("POST", f"/cases/{case_id}/verification", {"code": guess}, bearer(token)),
                guesses,
            )
        )
    statuses = [a.status for a in answers]
    # then no answer is a server error, exactly three guesses were compared, the rest were refused
    assert [s for s in statuses if s >= 500] == [], [(a.status, a.body) for a in answers if a.status >= 500]
    assert statuses.count(400) == 3, statuses
    assert all(s in (400, 409, 429) for s in statuses), statuses
    assert {a.json()["error"]["code"] for a in answers if a.status == 429} <= {"TOO_MANY_ATTEMPTS"}
    # and the case went to a human, with three wrong codes counted and no more
    task = open_task(runtime, client, case_id, ACCOUNTS)
    case = case_of(client, case_id)
    assert task["caseId"] == case_id and case["status"] == "ESCALATED"
    assert len(re.findall(r"wrong one-time code \(\d/3\)", details(case))) == 3
    assert "three wrong one-time codes" in details(case)
    assert case["verification"]["level"] != "AUTHENTICATED"
    # and the right code, entered now, opens nothing
    late = client.request("POST", f"/cases/{case_id}/verification", {"code": code}, bearer(token))
    assert late.status == 409, late.body


# ---- SMS pumping: many contacts from one number -----------------------------------------------


def test_ten_contacts_from_one_number_send_at_most_three_codes_and_five_messages_to_it(runtime, client):
    # given a customer of this test, and ten phone contacts from the IVR naming their number
    number = "+8613600009102"
    a_customer("C9102", number)
    case_ids = [
        post_contact(
            client,
            {
                "channel": "phone",
                "callerNumber": number,
                "contactId": f"door-pump-{i}",
                "message": "我想查一下最近的交易记录",
                "language": "zh-CN",
            },
        ).json()["caseId"]
        for i in range(10)
    ]
    # when every case has come to rest (waiting for a code, or with a human)
    for case_id in case_ids:
        wait_status(runtime, client, case_id, "AWAITING_CUSTOMER", "ESCALATED", timeout=60)
    for case_id in case_ids:  # and every notice of the cases has been tried
        runtime.wait_for(
            lambda c=case_id: (lambda v: v["status"] == "AWAITING_CUSTOMER" or "escalated" in details(v))(
                case_of(client, c)
            ),
            timeout=30,
            what=f"{case_id} to settle its notices",
        )
    # then the number received at most three codes and at most five messages in all
    received = sent_to(runtime, number)
    codes = [m for m in received if re.search(r"(?<!\d)\d{6}(?!\d)", m["body"]) and "验证码" in m["body"]]
    assert len(codes) <= 3, codes
    assert len(received) <= 5, received
    # and what was held back is recorded on the cases, not silently dropped
    cases = [case_of(client, c) for c in case_ids]
    skipped = [n for c in cases for n in c["notifications"] if n["status"] == "SKIPPED"]
    limited = [c for c in cases if "hourly code limit for this customer reached" in details(c)]
    assert skipped, "no case records a skipped message"
    assert limited, "no case records the code limit"
    # and a code the limit held back is settled on its case as not sent, with the reason
    for case in limited:
        held = [n for n in case["notifications"] if n["type"] == "verification_code" and n["status"] == "SKIPPED"]
        assert held and held[0]["reason"] == "hourly code limit for this customer reached", case["notifications"]
    assert any("message limit for this destination reached" in details(c) for c in cases)


# ---- a web form with someone else's email ------------------------------------------------------


def test_a_web_form_with_another_customers_email_reveals_nothing_of_theirs(runtime, client):
    # given a web form naming David's email (on file) and one naming an email on file nowhere,
    # both asking which of "their" payments failed
    question = "My payment failed, did you take my money? Which payment was it?"
    forms = {
        "known": ("door-web-known", "david.wong@example.hk"),
        "unknown": ("door-web-unknown", "nobody.here@example.org"),
    }
    opened = {
        key: post_contact(
            client,
            {
                "channel": "web",
                "submissionId": submission,
                "name": "Someone",
                "email": email,
                "message": question,
                "language": "en",
            },
        )
        for key, (submission, email) in forms.items()
    }
    # when the workflow has handled both: each waits for a code (David's went to his contact on file;
    # the unknown address got none, but its holder must not be able to tell)
    wait_status(runtime, client, opened["known"].json()["caseId"], "AWAITING_CUSTOMER")
    wait_status(runtime, client, opened["unknown"].json()["caseId"], "AWAITING_CUSTOMER")
    views = {
        key: client.request("GET", f"/cases/{answer.json()['caseId']}", headers=bearer(answer.json()["caseToken"]))
        for key, answer in opened.items()
    }
    # then nothing the form's holder can read names David's payments, merchants or contact details
    david = ("TK3G808", "TK3H909", "HKTV", "Octopus", "560.00", "200.00", "example.hk", "+852", "C1004")
    for key in forms:
        readable = opened[key].body + views[key].body
        assert views[key].status == 200, views[key].body
        assert not [word for word in david if word in readable.replace("david.wong@example.hk", "")], readable
        view = views[key].json()
        # and the view says the same things whether or not the email is on file
        assert view["verification"] == {"level": "NONE"} and view["status"] == "AWAITING_CUSTOMER"
        assert view["notifications"] == []
        assert view["timeline"][0]["detail"] == "We received your request"
        assert "identified" not in views[key].body.lower() and "on file" not in views[key].body
    steps = {key: [(t["stage"], t["detail"], t["actor"]) for t in views[key].json()["timeline"]] for key in forms}
    assert steps["known"] == steps["unknown"]  # every step in the same words, the code request included
    assert [views[key].json()["tasks"] for key in forms] == [[], []]
    # and the code went only to David's email on file, nothing at all to the unknown address (Verify sets
    # AWAITING_CUSTOMER before it sends the code: wait for the provider to have it)
    runtime.wait_for(
        lambda: [m for m in sent_to(runtime, "david.wong@example.hk") if "verification code" in m["body"]],
        what="the code email to David's address on file",
    )
    assert sent_to(runtime, "nobody.here@example.org") == []
