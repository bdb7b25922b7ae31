"""The local HTTP server under load and at its edges: 100 identical contacts at once are one case with
no connection errors; 10 first chat messages at once are one case; HEAD, OPTIONS (CORS preflight as the
template's API answers it), bad Content-Length, 405 with Allow, no HTML; a bad seed file is refused
naming the field before anything starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

import pytest

from local_runtime.runtime import ROOT, LocalRuntime
from local_runtime.seed_file import SeedError
from local_runtime.template import load
from tests.conftest import EVENTS, serving

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(runtime):
    with serving(runtime, socket_timeout=1.0) as server:
        yield server


@pytest.fixture(scope="module")
def base_url(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


def http(base_url, method, path, body=None, headers=None):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base_url + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def raw(server, data: bytes) -> bytes:
    """Send bytes as they are and read the answer until the server closes the connection."""
    with socket.create_connection(server.server_address, timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def event_body(name):
    return json.loads(json.loads((EVENTS / "api" / f"{name}.json").read_text(encoding="utf-8"))["body"])


def test_a_hundred_identical_contacts_at_once_are_one_case_with_no_connection_error(runtime, base_url):
    # given one web contact posted by 100 clients at the same moment
    contact = {**event_body("contact_web_product_info"), "submissionId": "load-100"}
    start = threading.Barrier(100)

    def post(_):
        start.wait()
        first = None
        # a channel retries 409 (the first request is still writing) as a real client would
        for attempt in range(40):
            try:
                answer = http(base_url, "POST", "/contacts", contact, JSON)
            except OSError as error:  # a reset or refused connection
                return ("connection error", {}, repr(error)), None
            first = first or answer[0]
            if answer[0] != 409:
                return answer, first
            time.sleep(min(0.05 * 2**attempt, 0.5))
        return answer, first

    with ThreadPoolExecutor(100) as pool:
        results = list(pool.map(post, range(100)))
    answers = [answer for answer, _ in results]
    # then every client got an HTTP answer at once, 202 or 409 while the first is still writing ...
    statuses = [status for status, _, _ in answers]
    assert "connection error" not in statuses, [a for a in answers if a[0] == "connection error"][:3]
    assert {first for _, first in results} <= {202, 409}
    # ... and within its retries every one of them was accepted
    assert statuses == [202] * 100, statuses
    # ... and all of them name one case, which has one execution
    case_ids = {json.loads(body)["caseId"] for status, _, body in answers if status == 202}
    assert len(case_ids) == 1
    assert [e["name"] for e in runtime.executions()].count(case_ids.pop()) == 1


def test_ten_first_chat_messages_at_once_are_one_conversation_and_one_case(runtime, base_url):
    # given ten messages of one new chat session arriving together
    base = event_body("contact_app_chat_duplicate")
    headers = {**JSON, "X-App-User": "app-lina"}
    start = threading.Barrier(10)

    def post(i):
        start.wait()
        return http(base_url, "POST", "/contacts", {**base, "sessionId": "load-chat-1", "messageId": f"m{i}"}, headers)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(10)))
    # then all are accepted and all joined one case, which holds the ten messages
    assert [status for status, _, _ in answers] == [202] * 10, answers
    case_ids = {json.loads(body)["caseId"] for _, _, body in answers}
    assert len(case_ids) == 1
    case_id = case_ids.pop()
    assert sum(1 for _, _, body in answers if not json.loads(body)["appended"]) == 1
    from switchboard.adapters.repository.cases import CaseRepository

    assert len(CaseRepository().get(case_id)["messages"]) == 10
    assert [e["name"] for e in runtime.executions()].count(case_id) == 1


def test_head_answers_like_get_without_a_body(server, base_url):
    status, _, body = http(base_url, "GET", "/openapi.json")
    assert status == 200
    answer = raw(server, b"HEAD /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"Content-Length: {len(body.encode())}".encode() in head
    assert rest == b""


def test_options_is_the_cors_preflight_of_the_templates_api(base_url):
    # given the template's Cors setting, and no CorsAllowedOrigins (the default)
    cors = load(ROOT / "template.yaml")["Resources"]["SwitchboardApi"]["Properties"]["Cors"]
    # when a browser asks before GET /tasks (an agents' route: API Gateway's own mock preflight)
    status, headers, body = http(
        base_url,
        "OPTIONS",
        "/tasks",
        headers={"Origin": "https://desk.example", "Access-Control-Request-Method": "GET"},
    )
    # then it is answered with the template's CORS headers, and no body, but allows no origin
    assert status == 200 and body == ""
    assert headers["Access-Control-Allow-Methods"] == cors["AllowMethods"].strip("'")
    assert "Idempotency-Key" in headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in headers
    # and the customer routes' preflight (the function's own) allows none either
    status, headers, _ = http(
        base_url,
        "OPTIONS",
        "/contacts",
        headers={"Origin": "https://desk.example", "Access-Control-Request-Method": "POST"},
    )
    assert status < 500 and "Access-Control-Allow-Origin" not in headers
    status, _, body = http(base_url, "OPTIONS", "/nowhere")
    assert status == 404 and json.loads(body)["error"]["code"] == "NOT_FOUND"


def test_a_method_a_route_does_not_have_is_405_with_allow(base_url):
    status, headers, body = http(base_url, "DELETE", "/contacts")
    assert status == 405
    assert headers["Allow"] in ("POST", "OPTIONS, POST")  # OPTIONS: the template's CORS preflight
    assert json.loads(body)["error"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST /contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}", 400),
        (b"POST /contacts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400),
        (b"POST /contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{}", 408),  # the rest never comes
        (b"POST /contacts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
        (b"BREW /contacts HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"garbage\r\n\r\n", 400),
    ],
)
def test_broken_requests_get_a_json_4xx_and_never_hang(server, request_bytes, status):
    answer = raw(server, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == str(status).encode(), answer[:200]
    assert b"Content-Type: application/json" in head
    assert set(json.loads(body)["error"]) == {"code", "message", "details"}


def test_the_server_keeps_serving_after_broken_requests(base_url):
    status, _, body = http(base_url, "GET", "/openapi.json")
    assert status == 200 and json.loads(body)["openapi"]


def test_a_seed_file_with_objects_as_accounts_is_refused_naming_the_field(tmp_path):
    # given a seed file whose accounts are objects
    seed = json.loads((ROOT / "local_runtime" / "seed.json").read_text(encoding="utf-8"))
    seed["customers"][0]["accounts"] = [{"id": "6222021234567890"}]
    bad = tmp_path / "seed.json"
    bad.write_text(json.dumps(seed), encoding="utf-8")
    # then the runtime refuses it before starting anything
    with pytest.raises(SeedError, match=r"customers\.0\.accounts\.0"):
        LocalRuntime(seed_path=bad).start()
    # and `make serve` says so in one line, without a traceback
    done = subprocess.run(
        [sys.executable, "-m", "local_runtime", "serve", "--port", "0", "--seed", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}"},
    )
    assert done.returncode == 2
    assert "customers.0.accounts.0" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_transaction_of_an_unknown_customer_is_refused(tmp_path):
    seed = json.loads((ROOT / "local_runtime" / "seed.json").read_text(encoding="utf-8"))
    seed["transactions"][0]["customerId"] = "C404"
    bad = tmp_path / "seed.json"
    bad.write_text(json.dumps(seed), encoding="utf-8")
    with pytest.raises(SeedError, match=r"transactions\.0\.customerId"):
        LocalRuntime(seed_path=bad).start()


def test_http_client_keep_alive_gets_consecutive_answers(server):
    connection = HTTPConnection(*server.server_address, timeout=10)
    for _ in range(3):
        connection.request("GET", "/openapi.json")
        answer = connection.getresponse()
        assert answer.status == 200 and answer.read()
    connection.close()
