"""GET /cases/{caseId}: who may read a case (its token, its app user, agents), one identical 404 for
everyone else and for unknown ids, and a view that never shows a full phone number, a code or a secret."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import IVR, agent_headers

SUPERVISOR = agent_headers("local-supervisor-zhao")
CALLER = "+8613800138000"
NATIONAL = "13800138000"
SECRET_KEYS = {"caseTokenHash", "otp", "pendingTaskToken", "taskToken"}
UNKNOWN_CASE_ID = "SB260101-ABC123"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get_case(client: Any, case_id: str, headers: dict[str, str] | None = None) -> Any:
    return client.request("GET", f"/cases/{case_id}", headers=headers or {})


def keys_in(value: Any) -> set[str]:
    """Every dict key at any depth of a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


@pytest.fixture(scope="module")
def phone_case(runtime, client) -> dict[str, Any]:
    """A known caller asking for transaction records: the workflow texts a one-time code to the number
    on file, so the case carries notifications, a pending code and a waiting task token."""
    answer = client.request(
        "POST",
        "/contacts",
        {
            "channel": "phone",
            "callerNumber": CALLER,
            "contactId": "access-ivr-0001",
            "message": f"你好,我想查一下我上个月的交易记录。我的手机是{NATIONAL}，也可以打 +86 138 0013 8000",
            "language": "zh-CN",
        },
        IVR,
    )
    assert answer.status == 202, answer.body
    case_id, token = answer.json()["caseId"], answer.json()["caseToken"]

    def code_sent():
        view = get_case(client, case_id, SUPERVISOR).json()
        return view["status"] == "AWAITING_CUSTOMER" and any(
            n["type"] == "verification_code" for n in view["notifications"]
        )

    runtime.wait_for(code_sent, timeout=20, what=f"{case_id} waiting for its one-time code")

    def texted_code():
        try:
            messages = runtime.outbox()
        except RuntimeError:  # moto's table scanned while a workflow thread writes: read it again
            return None
        return next(
            (
                re.search(r"(?<!\d)\d{6}(?!\d)", m["body"]).group(0)
                for m in messages
                if m["caseId"] == case_id and m["type"] == "verification_code"
            ),
            None,
        )

    code = runtime.wait_for(texted_code, timeout=10, what=f"the code texted for {case_id}")
    return {"caseId": case_id, "token": token, "code": code}


@pytest.fixture(scope="module")
def chat_case(client) -> dict[str, Any]:
    """A signed-in app user's chat case."""
    answer = client.request(
        "POST",
        "/contacts",
        {
            "channel": "app_chat",
            "sessionId": "access-chat-sess-1",
            "messageId": "access-msg-1",
            "message": "我在星巴克买咖啡,钱扣了两次!能帮我退一笔吗",
        },
        {"X-App-User": "app-lina"},
    )
    assert answer.status == 202, answer.body
    return {"caseId": answer.json()["caseId"], "token": answer.json()["caseToken"], "user": "app-lina"}


def test_the_case_token_from_creation_opens_the_case(client, phone_case):
    # given the case token the 202 answered with
    # when the customer reads the case with it
    answer = get_case(client, phone_case["caseId"], bearer(phone_case["token"]))
    # then the case view is answered
    assert answer.status == 200, answer.body
    assert answer.json()["caseId"] == phone_case["caseId"]
    assert answer.json()["channel"] == "phone"


def test_an_agent_opens_any_case(client, phone_case, chat_case):
    # given an agent's bearer token
    for case in (phone_case, chat_case):
        # when the agent reads a case they did not open
        answer = get_case(client, case["caseId"], SUPERVISOR)
        # then the case view is answered
        assert answer.status == 200, answer.body
        assert answer.json()["caseId"] == case["caseId"]


def test_the_owning_app_user_opens_their_chat_case_without_a_token(client, chat_case):
    # given the signed-in app user who opened the chat case
    # when they read it with no case token
    answer = get_case(client, chat_case["caseId"], {"X-App-User": chat_case["user"]})
    # then the case view is answered, with their message
    assert answer.status == 200, answer.body
    assert answer.json()["caseId"] == chat_case["caseId"]
    assert answer.json()["messages"][0]["text"].startswith("我在星巴克")


NOT_FOUND = [
    pytest.param("phone", lambda cases: bearer("not-the-token-" + "x" * 20), id="wrong-case-token"),
    pytest.param("phone", lambda cases: {}, id="no-credentials"),
    pytest.param("phone", lambda cases: {"Authorization": "Bearer "}, id="empty-bearer"),
    pytest.param("phone", lambda cases: bearer(cases["chat"]["token"]), id="another-cases-token"),
    pytest.param("phone", lambda cases: {"X-App-User": "app-lina"}, id="app-user-on-a-phone-case"),
    pytest.param("chat", lambda cases: {"X-App-User": "app-david"}, id="another-app-user"),
    pytest.param("chat", lambda cases: {}, id="chat-case-no-credentials"),
    pytest.param("unknown", lambda cases: {}, id="unknown-id-no-credentials"),
    pytest.param("unknown", lambda cases: SUPERVISOR, id="unknown-id-as-agent"),
    pytest.param("unknown", lambda cases: bearer(cases["phone"]["token"]), id="unknown-id-with-a-real-token"),
    pytest.param("unknown", lambda cases: {"X-App-User": "app-lina"}, id="unknown-id-as-app-user"),
]


@pytest.mark.parametrize(("which", "credentials"), NOT_FOUND)
def test_anyone_else_gets_the_same_404_as_for_an_unknown_case(client, phone_case, chat_case, which, credentials):
    # given a case (or an unknown id) and credentials that do not grant it
    cases = {"phone": phone_case, "chat": chat_case, "unknown": {"caseId": UNKNOWN_CASE_ID}}
    reference = get_case(client, UNKNOWN_CASE_ID)
    # when the case is asked for
    answer = get_case(client, cases[which]["caseId"], credentials(cases))
    # then 404, with exactly the body an unknown id gets: no hint that the case exists
    assert answer.status == 404, answer.body
    assert answer.body == reference.body
    assert answer.json()["error"]["code"] == "NOT_FOUND"
    assert cases[which]["caseId"] not in answer.body


@pytest.mark.parametrize("reader", ["case-token", "agent"])
def test_the_view_masks_the_number_and_shows_no_secret(runtime, client, phone_case, reader):
    # given a phone case from +8613800138000 (number also in the transcript) waiting for a texted code
    headers = bearer(phone_case["token"]) if reader == "case-token" else SUPERVISOR
    # when the case is read
    answer = get_case(client, phone_case["caseId"], headers)
    assert answer.status == 200, answer.body
    view = answer.json()
    # then no field carries the number, in any spacing
    assert NATIONAL not in answer.body
    assert NATIONAL not in re.sub(r"[\s\-]", "", answer.body)
    # and the notifications' destinations are masked, keeping only the country code and last 4 digits;
    # the customer's own view lists none before AUTHENTICATED (where messages went depends on the file)
    destinations = [n["to"] for n in view["notifications"]]
    if reader == "case-token":
        assert destinations == [] and view["verification"] == {"level": "NONE"}
        destinations = [n["to"] for n in get_case(client, phone_case["caseId"], SUPERVISOR).json()["notifications"]]
    assert destinations, view["notifications"]
    for to in destinations:
        assert re.fullmatch(r"\+86\*+8000", to), to
    # and the transcript is kept, with the number masked
    assert "交易记录" in view["messages"][0]["text"]
    # and neither the one-time code nor any token, hash or pending code is in the answer
    assert phone_case["code"] not in answer.body.replace(phone_case["caseId"], "")
    assert not keys_in(view) & SECRET_KEYS, keys_in(view) & SECRET_KEYS
    assert phone_case["token"] not in answer.body
