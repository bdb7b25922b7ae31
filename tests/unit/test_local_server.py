"""`make serve` over real HTTP on 127.0.0.1: duplicates sequential and concurrent give one case and
one execution; malformed bodies get 4xx and leave no trace; the API document and Swagger UI are served."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import IVR, serving


@pytest.fixture(scope="module")
def base_url(runtime):
    with serving(runtime) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def http(base_url, method, path, body=None, headers=None):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base_url + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def count_cases(runtime):
    return runtime.client("dynamodb").scan(TableName=runtime.refs["CasesTable"], Select="COUNT")["Count"]


def executions_named(runtime, name):
    return [e for e in runtime.executions() if e["name"] == name]


JSON = {"Content-Type": "application/json"}
IVR_JSON = {**JSON, **IVR}  # phone contacts come from the IVR channel client


def test_the_same_contact_twice_then_twenty_at_once_is_one_case_and_one_execution(runtime, base_url):
    contact = {
        "channel": "phone",
        "callerNumber": "+85291234567",
        "contactId": "serve-dup-1",
        "message": "what are your transfer fees?",  # answered automatically: the workflow ends by itself
    }
    # given the same contact posted twice in a row
    first = http(base_url, "POST", "/contacts", contact, IVR_JSON)
    second = http(base_url, "POST", "/contacts", contact, IVR_JSON)
    assert first[0] == second[0] == 202
    case_id = json.loads(first[1])["caseId"]
    assert json.loads(second[1])["caseId"] == case_id
    # when a new contact arrives twenty times at once
    burst = {**contact, "contactId": "serve-dup-2"}
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: http(base_url, "POST", "/contacts", burst, IVR_JSON), range(20)))
    accepted = [json.loads(body) for status, body in answers if status == 202]
    # then every accepted answer names one case, and each case has exactly one execution
    assert len(accepted) >= 18, answers
    assert all(status in (202, 409) for status, _ in answers)
    burst_ids = {a["caseId"] for a in accepted}
    assert len(burst_ids) == 1
    for name in (case_id, *burst_ids):
        assert len(executions_named(runtime, name)) == 1


def test_thirty_malformed_bodies_get_4xx_and_leave_no_trace(runtime, base_url):
    # given a quiet system (earlier cases' workflows have finished sending)
    runtime.wait_for(lambda: all(e["status"] != "RUNNING" for e in runtime.executions()), timeout=30, what="quiet")
    before = (count_cases(runtime), len(runtime.executions()), len(runtime.outbox()))
    bad = [
        (b"{", JSON),
        (b"[]", JSON),
        (b'"x"', JSON),
        (b"", JSON),
        (b"\xff\xfe", JSON),
        (b"{}", JSON),
        (b'{"channel": "fax", "message": "hi"}', JSON),
        (b'{"channel": "phone"}', JSON),
        (
            json.dumps({"channel": "phone", "callerNumber": "12345", "contactId": "s-b-1", "message": "x"}).encode(),
            JSON,
        ),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s b", "message": "x"}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s-b-2", "message": " "}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s-b-3", "message": 5}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s-b-4", "message": "x", "x": 1}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s-b-5", "message": "x" * 4001}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {
                    "channel": "phone",
                    "callerNumber": "+85291234567",
                    "contactId": "s-b-6",
                    "message": "x",
                    "ivrChoice": "a",
                }
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {
                    "channel": "phone",
                    "callerNumber": "+85291234567",
                    "contactId": "s-b-7",
                    "message": "x",
                    "language": "de",
                }
            ).encode(),
            JSON,
        ),
        (json.dumps({"channel": "app_chat", "sessionId": "s", "messageId": "m", "message": "x"}).encode(), JSON),
        (
            json.dumps(
                {"channel": "web", "submissionId": "s-b-8", "name": "A", "email": "not-an-email", "message": "x"}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {"channel": "web", "submissionId": "s-b-9", "name": "", "email": "a@b.co", "message": "x"}
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {
                    "channel": "web",
                    "submissionId": "s-b-10",
                    "name": "A",
                    "email": "a@b.co",
                    "message": "x",
                    "phone": "123",
                }
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {
                    "channel": "web",
                    "submissionId": "s-b-11",
                    "name": "A",
                    "email": "a@b.co",
                    "message": "x",
                    "attachments": [{"name": "a", "contentType": "image/png", "sizeBytes": -1}],
                }
            ).encode(),
            JSON,
        ),
        (
            json.dumps(
                {
                    "channel": "web",
                    "submissionId": "s-b-12",
                    "name": "A",
                    "email": "a@b.co",
                    "message": "x",
                    "attachments": [{"name": "a", "contentType": "image/png", "sizeBytes": 1, "url": "http://x"}],
                }
            ).encode(),
            JSON,
        ),
        (b'{"channel": "phone"}', {"Content-Type": "text/plain"}),
        (b'{"channel": "phone"}', {}),
        (b'{"channel": "phone"}', {"Content-Type": "application/json; charset=latin-1"}),
        (b'{"a": "' + b"x" * 70_000 + b'"}', JSON),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s-b-13", "message": "x"}
            ).encode(),
            {**JSON, "Idempotency-Key": "k" * 129},
        ),
        (
            json.dumps(
                {"channel": "phone", "callerNumber": "+85291234567", "contactId": "s-b-14", "message": "x"}
            ).encode(),
            {**JSON, "Idempotency-Key": "has spaces"},
        ),
        (json.dumps({"channel": None, "message": "x"}).encode(), JSON),
        (json.dumps({"channel": ["phone"], "message": "x"}).encode(), JSON),
    ]
    assert len(bad) >= 30
    for body, headers in bad:
        status, text = http(base_url, "POST", "/contacts", body, headers)
        assert 400 <= status < 500, (body[:80], status, text)
        assert set(json.loads(text)["error"]) == {"code", "message", "details"}
    assert (count_cases(runtime), len(runtime.executions()), len(runtime.outbox())) == before


def test_openapi_document_and_swagger_ui_are_served(base_url):
    status, text = http(base_url, "GET", "/openapi.json")
    document = json.loads(text)
    assert status == 200
    assert {"/contacts", "/cases/{caseId}", "/tasks", "/tasks/{taskId}/complete"} <= set(document["paths"])
    assert set(document["components"]["schemas"]["Contact"]["discriminator"]["mapping"]) == {"phone", "app_chat", "web"}
    status, page = http(base_url, "GET", "/swagger")
    assert status == 200 and "/openapi.json" in page and "SwaggerUIBundle" in page
