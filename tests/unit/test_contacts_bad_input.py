"""POST /contacts with bad input: a clear 4xx in the one error shape, the offending field named, and
nothing written (no case item, no execution, no message) — then a table of awkward but valid input
that must be accepted and stored as inert text.

The bad-input table runs first in this module (one runtime per module): its baseline is taken before
the first bad request, and every row, then the whole table, is compared with it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import agent_headers, channel_headers

SUPERVISOR = agent_headers("local-supervisor-zhao")
APP_USER = {"X-App-User": "app-david"}

PHONE = {
    "channel": "phone",
    "callerNumber": "+85291234567",
    "contactId": "badinput-phone-0001",
    "message": "My payment to HKTV mall has been stuck since yesterday",
}
CHAT = {
    "channel": "app_chat",
    "sessionId": "badinput-chat-sess-1",
    "messageId": "badinput-msg-0001",
    "message": "I was charged twice for one coffee",
}
WEB = {
    "channel": "web",
    "submissionId": "badinput-web-0001",
    "name": "Emily Chen",
    "email": "emily.chen@example.com",
    "message": "What are the fees for withdrawing money to my bank card?",
}
ATTACHMENT = {"name": "receipt.png", "contentType": "image/png", "sizeBytes": 2048}

CODE_FOR_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def phone(**changes: Any) -> dict[str, Any]:
    return {**PHONE, **changes}


def web(**changes: Any) -> dict[str, Any]:
    return {**WEB, **changes}


def without(contact: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in contact.items() if k != field}


# (id, body, headers, send headers exactly as given (no default Content-Type), status, field in details)

BAD_INPUT: list[Any] = [
    # ---- channel ----------------------------------------------------------------------------
    ("missing-channel", without(PHONE, "channel"), {}, False, 400, "channel"),
    ("unknown-channel-fax", phone(channel="fax"), {}, False, 400, "channel"),
    ("channel-is-a-number", phone(channel=5), {}, False, 400, "channel"),
    ("channel-is-a-list", phone(channel=["phone"]), {}, False, 400, "channel"),
    # ---- message ----------------------------------------------------------------------------
    ("missing-message", without(PHONE, "message"), {}, False, 400, "message"),
    ("empty-message", phone(message=""), {}, False, 400, "message"),
    ("whitespace-only-message", phone(message=" \t\n\u3000 "), {}, False, 400, "message"),
    ("invisible-only-message", phone(message="\u202e\u200b\u0000"), {}, False, 400, "message"),
    ("message-4001-chars", phone(message="a" * 4001), {}, False, 400, "message"),
    ("message-is-a-number", phone(message=12345), {}, False, 400, "message"),
    ("message-is-a-list", phone(message=["help"]), {}, False, 400, "message"),
    ("message-is-null", phone(message=None), {}, False, 400, "message"),
    (
        "message-lone-surrogate",
        '{"channel": "phone", "callerNumber": "+85291234567", "contactId": "badinput-sur-1", "message": "hi \\ud800"}',
        {},
        False,
        400,
        "message",
    ),
    ("unknown-extra-field", phone(priority="urgent"), {}, False, 400, "priority"),
    ("language-fr", phone(language="fr"), {}, False, 400, "language"),
    # ---- phone ------------------------------------------------------------------------------
    ("phone-without-callerNumber", without(PHONE, "callerNumber"), {}, False, 400, "callerNumber"),
    ("callerNumber-local-format", phone(callerNumber="13800138000"), {}, False, 400, "callerNumber"),
    ("callerNumber-letters", phone(callerNumber="+86abc0138000"), {}, False, 400, "callerNumber"),
    ("callerNumber-too-short", phone(callerNumber="+12345"), {}, False, 400, "callerNumber"),
    ("callerNumber-too-long", phone(callerNumber="+1234567890123456"), {}, False, 400, "callerNumber"),
    (
        "callerNumber-full-width-digits",
        phone(callerNumber="+８６１３８００１３８０００"),
        {},
        False,
        400,
        "callerNumber",
    ),
    ("contactId-with-spaces", phone(contactId="ivr 7f3a 0001"), {}, False, 400, "contactId"),
    ("ivrChoice-with-letters", phone(ivrChoice="3a"), {}, False, 400, "ivrChoice"),
    # ---- app chat ---------------------------------------------------------------------------
    ("app_chat-without-X-App-User", CHAT, {}, False, 401, "X-App-User"),
    ("app_chat-blank-X-App-User", CHAT, {"X-App-User": "   "}, False, 401, "X-App-User"),
    ("app_chat-X-App-User-3000-chars", CHAT, {"X-App-User": "u" * 3000}, False, 401, "X-App-User"),
    ("app_chat-missing-sessionId", without(CHAT, "sessionId"), APP_USER, False, 400, "sessionId"),
    # ---- web --------------------------------------------------------------------------------
    ("web-missing-email", without(WEB, "email"), {}, False, 400, "email"),
    ("email-no-at", web(email="emily.chen.example.com"), {}, False, 400, "email"),
    ("email-no-domain-dot", web(email="emily@example"), {}, False, 400, "email"),
    ("email-with-space", web(email="emily chen@example.com"), {}, False, 400, "email"),
    ("email-double-at", web(email="emily@@example.com"), {}, False, 400, "email"),
    ("email-empty-local-part", web(email="@example.com"), {}, False, 400, "email"),
    ("web-name-empty", web(name=""), {}, False, 400, "name"),
    ("web-phone-invalid", web(phone="0085291234567"), {}, False, 400, "phone"),
    ("attachments-six", web(attachments=[ATTACHMENT] * 6), {}, False, 400, "attachments"),
    (
        "attachment-url-http",
        web(attachments=[{**ATTACHMENT, "url": "http://files.example.com/receipt.png"}]),
        {},
        False,
        400,
        "attachments.0.url",
    ),
    (
        "attachment-size-negative",
        web(attachments=[{**ATTACHMENT, "sizeBytes": -1}]),
        {},
        False,
        400,
        "attachments.0.sizeBytes",
    ),
    # ---- body -------------------------------------------------------------------------------
    ("body-is-a-json-array", [PHONE], {}, False, 400, "body"),
    ("body-is-a-json-string", json.dumps(json.dumps(PHONE)), {}, False, 400, "body"),
    ("broken-json", '{"channel": "phone", "message": ', {}, False, 400, "body"),
    ("deeply-nested-json", "[" * 5000 + "]" * 5000, {}, False, 400, "body"),
    ("empty-body", "", {}, False, 400, "body"),
    ("body-over-64KiB", json.dumps(phone(message="a" * (64 * 1024))), {}, False, 413, "body"),
    ("non-utf8-bytes", b'{"channel": "phone", "message": "caf\xe9 \xff\xfe"}', {}, False, 400, "body"),
    # ---- headers ----------------------------------------------------------------------------
    ("content-type-text-plain", json.dumps(PHONE), {"Content-Type": "text/plain"}, True, 415, "Content-Type"),
    ("no-content-type", json.dumps(PHONE), {}, True, 415, "Content-Type"),
    (
        "charset-latin-1",
        json.dumps(PHONE),
        {"Content-Type": "application/json; charset=latin-1"},
        True,
        415,
        "Content-Type",
    ),
    ("idempotency-key-129-chars", PHONE, {"Idempotency-Key": "k" * 129}, False, 400, "Idempotency-Key"),
    ("idempotency-key-with-spaces", PHONE, {"Idempotency-Key": "retry 1 of 3"}, False, 400, "Idempotency-Key"),
    ("idempotency-key-empty", PHONE, {"Idempotency-Key": ""}, False, 400, "Idempotency-Key"),
]

ROW_IDS = [row.values[0] if hasattr(row, "values") else row[0] for row in BAD_INPUT]


def header(response: Any, name: str) -> str:
    return next((v for k, v in response.headers.items() if k.lower() == name.lower()), "")


def post(client: Any, body: Any, headers: dict[str, str], exact_headers: bool = False) -> Any:
    if exact_headers:  # no default Content-Type from the client: the request carries exactly these
        data = body.encode("utf-8") if isinstance(body, str) else body
        return client.gateway.handle("POST", "/contacts", dict(headers), data, {})
    return client.request("POST", "/contacts", body, channel_headers(body, headers))


def assert_error_shape(response: Any) -> dict[str, Any]:
    assert "Traceback" not in response.body
    assert header(response, "Content-Type").startswith("application/json")
    payload = response.json()
    assert set(payload) == {"error"}, payload
    error = payload["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and re.fullmatch(r"[A-Z_]+", error["code"]), error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert isinstance(error["details"], list) and error["details"], error
    for detail in error["details"]:
        assert set(detail) == {"field", "issue"}, detail
        assert isinstance(detail["field"], str) and detail["field"], detail
        assert isinstance(detail["issue"], str) and detail["issue"], detail
    return error


class Written:
    """What a request could have written: case items, executions, outbound messages."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.ddb = runtime.client("dynamodb")
        self.sfn = runtime.client("stepfunctions")

    def snapshot(self) -> dict[str, int]:
        # moto's in-memory table is not safe to scan while a workflow thread writes to it ("dictionary
        # changed size during iteration"): a test-side race, so the count is simply taken again
        for _ in range(20):
            try:
                return self._count()
            except RuntimeError:
                continue
        return self._count()

    def _count(self) -> dict[str, int]:
        cases = self.ddb.scan(TableName=self.runtime.refs["CasesTable"], Select="COUNT")["Count"]
        executions = self.sfn.list_executions(stateMachineArn=self.runtime.state_machine_arn, maxResults=1000)
        return {
            "cases": cases,
            "executions": len(executions["executions"]),
            "messages": len(self.runtime.outbox()),
        }


@pytest.fixture(scope="module")
def written(runtime):
    return Written(runtime)


@pytest.fixture(scope="module")
def baseline(written):
    """Taken before the first bad request of this module (the bad table runs before the good one)."""
    return written.snapshot()


@pytest.mark.parametrize(("name", "body", "headers", "exact_headers", "status", "field"), BAD_INPUT, ids=ROW_IDS)
def test_bad_contact_is_rejected_and_nothing_is_written(
    client, written, baseline, name, body, headers, exact_headers, status, field
):
    # given a bad request (see the row's id) and what the service held before the bad-input table
    # when it is posted
    response = post(client, body, headers, exact_headers)
    # then a 4xx in the one error shape...
    assert response.status == status, (name, response.status, response.body)
    error = assert_error_shape(response)
    assert error["code"] == CODE_FOR_STATUS[status], error
    # ...nothing was written: no case, no execution, no message...
    assert written.snapshot() == baseline
    # ...and the details name the offending field
    fields = [d["field"] for d in error["details"]]
    assert field in fields, (name, fields)


def test_the_whole_bad_input_table_wrote_nothing(client, written, baseline):
    # given the baseline taken before the bad-input table ran (and every row above was sent)
    # when the service is counted again, after the whole table
    after = written.snapshot()
    # then no case item, execution or message came from any bad input
    assert after == baseline


# ---- awkward but valid input: accepted, stored as inert text ------------------------------------

SCRIPT = "<script>alert(1)</script> my card payment failed"
SQL = "'; DROP TABLE cases; --"

GOOD_INPUT = [
    pytest.param(
        {
            **CHAT,
            "sessionId": "badinput-sess-emoji",
            "messageId": "badinput-msg-emoji",
            "message": "付款失败了😭😭 please help 🙏💳",
        },
        APP_USER,
        "付款失败了😭😭 please help 🙏💳",
        id="emoji",
    ),
    pytest.param(
        phone(contactId="badinput-mixed-zh-en", message="你好, I want to 查一下 my transaction records 上个月的"),
        {},
        "你好, I want to 查一下 my transaction records 上个月的",
        id="mixed-chinese-english",
    ),
    pytest.param(
        web(submissionId="badinput-fullwidth", message="我付了３８元被扣了两次"),
        {},
        "我付了38元被扣了两次",  # NFKC: full-width digits are stored as ASCII digits
        id="full-width-digits",
    ),
    pytest.param(web(submissionId="badinput-script", message=SCRIPT), {}, SCRIPT, id="script-tag"),
    pytest.param(phone(contactId="badinput-sql", message=SQL), {}, SQL, id="sql-injection"),
]


@pytest.mark.parametrize(("body", "headers", "stored"), GOOD_INPUT)
def test_awkward_but_valid_contact_is_accepted_and_stored_as_inert_text(runtime, client, body, headers, stored):
    # given a valid contact whose text is awkward (emoji, mixed scripts, full-width, markup, SQL)
    # when it is posted
    response = client.request("POST", "/contacts", body, channel_headers(body, headers))
    # then it is accepted with a case id and a case token, answered as JSON
    assert response.status == 202, response.body
    assert header(response, "Content-Type").startswith("application/json")
    accepted = response.json()
    assert re.fullmatch(r"SB\d{6}-[0-9A-F]{6}", accepted["caseId"]), accepted
    assert isinstance(accepted["caseToken"], str) and len(accepted["caseToken"]) >= 20, accepted
    # and an agent reading the case sees the text as it was sent (not executed, escaped or stripped)
    view = client.request("GET", f"/cases/{accepted['caseId']}", headers=SUPERVISOR)
    assert view.status == 200, view.body
    assert header(view, "Content-Type").startswith("application/json")
    texts = [m["text"] for m in view.json()["messages"]]
    assert texts[0] == stored, texts
