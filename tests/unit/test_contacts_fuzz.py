"""POST /contacts under generated input: whatever arrives, the answer is never a 5xx, a 4xx always has
the one error shape, and a rejected request never leaves a case item behind.

Natural keys come from a small pool, so most generated valid contacts replay an earlier key (answered
by idempotency: the same case, or 409 for a changed body) instead of starting a new workflow each."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from tests.conftest import channel_headers

FIELDS = [
    "channel", "message", "language", "callerNumber", "contactId", "ivrChoice", "sessionId", "messageId",
    "submissionId", "name", "email", "phone", "accountId", "subject", "attachments",
]  # fmt: skip

VALID = {
    "phone": {
        "channel": "phone",
        "callerNumber": "+85291234567",
        "contactId": "fuzz-phone-1",
        "message": "My payment is stuck",
    },
    "app_chat": {"channel": "app_chat", "sessionId": "fuzz-sess-1", "messageId": "fuzz-msg-1", "message": "Hello"},
    "web": {
        "channel": "web",
        "submissionId": "fuzz-web-1",
        "name": "David Wong",
        "email": "david.wong@example.hk",
        "message": "What are your fees?",
    },
}
OPTIONAL = {
    "phone": ["language", "ivrChoice"],
    "app_chat": ["language"],
    "web": ["language", "phone", "accountId", "subject"],
}
NATURAL_KEYS = {
    "contactId": "fuzz-phone-",
    "sessionId": "fuzz-sess-",
    "messageId": "fuzz-msg-",
    "submissionId": "fuzz-web-",
}

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
small_pool_ids = st.builds(
    lambda prefix, n: f"{prefix}{n}", st.sampled_from(list(NATURAL_KEYS.values())), st.integers(1, 3)
)


@st.composite
def arbitrary_json(draw) -> tuple[Any, dict[str, str]]:
    """Any JSON value at all as the body."""
    return json.dumps(draw(json_values)), {}


@st.composite
def field_soup(draw) -> tuple[Any, dict[str, str]]:
    """The real field names with values of random types, a channel sometimes right, sometimes not."""
    body = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8))
    if draw(st.booleans()):
        body["channel"] = draw(st.sampled_from(["phone", "app_chat", "web", "PHONE", "", "sms"]))
    return body, draw(st.sampled_from([{}, {"X-App-User": "app-david"}]))


@st.composite
def random_text_in_valid_contact(draw) -> tuple[Any, dict[str, str]]:
    """A valid contact of one channel with one or two fields replaced by random text."""
    channel = draw(st.sampled_from(sorted(VALID)))
    body = dict(VALID[channel])
    own_fields = st.sampled_from(sorted(set(VALID[channel]) - {"channel"} | set(OPTIONAL[channel])))
    for field in draw(st.lists(st.one_of(st.just("message"), own_fields), min_size=1, max_size=2)):
        prefix = NATURAL_KEYS.get(field)
        body[field] = draw(
            st.one_of(st.text(max_size=60), small_pool_ids)
            if prefix
            else st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300)
        )
    return body, draw(st.sampled_from([{}, {"X-App-User": "app-lina"}]))


header_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=140)


@st.composite
def random_headers(draw) -> tuple[Any, dict[str, str]]:
    """A valid contact with random Content-Type, Idempotency-Key, X-App-User and Authorization."""
    body = dict(VALID[draw(st.sampled_from(sorted(VALID)))])
    headers: dict[str, str] = {}
    content_type = draw(
        st.one_of(
            st.just("application/json"),
            st.sampled_from(
                [
                    "application/json",
                    "APPLICATION/JSON; charset=UTF-8",
                    "application/json; charset=",
                    "application/json; charset=utf-16",
                    "application/json;;charset=utf-8;charset=latin-1",
                    "application/jsonx",
                    "multipart/form-data; boundary=x",
                    "",
                ]
            ),
            header_text,
        )
    )
    headers["Content-Type"] = content_type
    if draw(st.booleans()):
        headers["Idempotency-Key"] = draw(
            st.one_of(
                st.sampled_from(["fuzz-key-1", "fuzz-key-2"]),
                st.text(alphabet=" \t/é中" + string.punctuation, max_size=140),
                header_text,
            )
        )
    if draw(st.booleans()):
        headers["X-App-User"] = draw(st.one_of(st.sampled_from(["app-lina", "app-emily", " "]), header_text))
    if draw(st.booleans()):
        headers["Authorization"] = draw(
            st.one_of(st.sampled_from(["Bearer ", "Bearer local-supervisor-zhao", "Basic Zm9vOmJhcg=="]), header_text)
        )
    return json.dumps(body, ensure_ascii=False), headers


@st.composite
def raw_bytes(draw) -> tuple[Any, dict[str, str]]:
    """Bytes that may not be UTF-8, or not JSON, at all."""
    return draw(st.binary(max_size=200)), {}


# valid-looking contacts twice: they reach the deeper paths (idempotency, append, persistence)
requests = st.one_of(
    arbitrary_json(),
    field_soup(),
    random_text_in_valid_contact(),
    random_text_in_valid_contact(),
    random_headers(),
    raw_bytes(),
)


def case_count(runtime: Any, ddb: Any) -> int:
    # moto's in-memory table is not safe to scan while a workflow thread writes to it ("dictionary
    # changed size during iteration"): a test-side race, so the count is simply taken again
    for _ in range(20):
        try:
            return ddb.scan(TableName=runtime.refs["CasesTable"], Select="COUNT")["Count"]
        except RuntimeError:
            continue
    return ddb.scan(TableName=runtime.refs["CasesTable"], Select="COUNT")["Count"]


@pytest.fixture(scope="module")
def ddb(runtime):
    return runtime.client("dynamodb")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests)
def test_generated_contacts_never_get_a_5xx_and_errors_keep_their_shape(runtime, client, ddb, request):
    # given a generated body and headers, and the number of cases before it
    body, headers = request
    before = case_count(runtime, ddb)
    # when it is posted
    if isinstance(body, str) and "Content-Type" in headers:  # exactly these headers, no client default
        response = client.gateway.handle("POST", "/contacts", headers, body.encode("utf-8"), {})
    else:
        response = client.request("POST", "/contacts", body, channel_headers(body, headers))
    note(f"{response.status} {response.body[:300]}")
    event(f"status {response.status} {(response.json() or {}).get('error', {}).get('code', '')}")
    # then never a server error, never a stack trace
    assert response.status < 500, response.body
    assert "Traceback" not in response.body
    payload = response.json()
    if response.status >= 400:
        # an error answer has the one shape
        assert set(payload) == {"error"}, payload
        assert set(payload["error"]) == {"code", "message", "details"}, payload
        assert isinstance(payload["error"]["code"], str) and payload["error"]["code"], payload
        assert isinstance(payload["error"]["message"], str) and payload["error"]["message"], payload
        for detail in payload["error"]["details"]:
            assert set(detail) == {"field", "issue"}, detail
            assert isinstance(detail["field"], str) and isinstance(detail["issue"], str), detail
        # and a rejected request wrote no case
        assert case_count(runtime, ddb) == before
    else:
        # an accepted one names its case
        assert response.status == 202, response.body
        assert payload["caseId"].startswith("SB"), payload
