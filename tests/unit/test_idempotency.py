"""A contact retried, replayed or raced opens one case and one workflow; a key reused with another body
is refused; a chat follow-up joins the open case of its session."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from switchboard.channels.intake import case_id_for

from tests.conftest import IVR, agent_headers

SUPERVISOR = agent_headers("local-supervisor-zhao")


def web_contact(submission_id: str, message: str = "What are the fees for a transfer to my bank card?") -> dict:
    return {
        "channel": "web",
        "submissionId": submission_id,
        "name": "David Wong",
        "email": "david.wong@example.hk",
        "message": message,
        "language": "en",
    }


def cases_with(runtime: Any, attribute: str, value: str) -> list[dict[str, Any]]:
    """Case items whose contact.<attribute> is value (a full scan: counts duplicates under any case id)."""
    ddb = runtime.client("dynamodb")

    def scan() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in ddb.get_paginator("scan").paginate(
            TableName=runtime.refs["CasesTable"],
            FilterExpression="contact.#a = :v",
            ExpressionAttributeNames={"#a": attribute},
            ExpressionAttributeValues={":v": {"S": value}},
        ):
            items.extend(page["Items"])
        return items

    # moto's in-memory table is not safe to scan while a workflow thread writes to it ("dictionary
    # changed size during iteration"): a test-side race, so the scan is simply taken again
    for _ in range(20):
        try:
            return scan()
        except RuntimeError:
            continue
    return scan()


def executions_named(runtime: Any, name: str) -> list[dict[str, Any]]:
    return [e for e in runtime.executions() if e["name"] == name]


def test_the_same_web_submission_posted_twice_opens_one_case(runtime, client):
    # given a web form submission
    contact = web_contact("idem-web-twice-0001")
    # when the form posts it twice (a browser retry: same submissionId, no Idempotency-Key)
    first = client.request("POST", "/contacts", contact)
    second = client.request("POST", "/contacts", contact)
    # then both answers name the same case
    assert first.status == 202, first.body
    assert second.status == 202, second.body
    case_id = first.json()["caseId"]
    assert second.json()["caseId"] == case_id
    # and there is one case item and one execution for it
    assert len(cases_with(runtime, "submissionId", "idem-web-twice-0001")) == 1
    runtime.wait_for(lambda: executions_named(runtime, case_id), timeout=10, what=f"execution {case_id}")
    assert len(executions_named(runtime, case_id)) == 1


def test_an_idempotency_key_reused_with_another_body_is_refused(runtime, client):
    # given a contact accepted under an Idempotency-Key
    key = {"Idempotency-Key": "idem-key-reuse-0001"}
    first = client.request("POST", "/contacts", web_contact("idem-key-reuse-a"), key)
    assert first.status == 202, first.body
    executions_before = len(runtime.executions())
    # when another body comes with the same key
    second = client.request("POST", "/contacts", web_contact("idem-key-reuse-b", "A different question"), key)
    # then it is refused with 409 IDEMPOTENCY_KEY_REUSED naming the header
    assert second.status == 409, second.body
    error = second.json()["error"]
    assert error["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert [d["field"] for d in error["details"]] == ["Idempotency-Key"]
    # and the second body opened nothing
    assert cases_with(runtime, "submissionId", "idem-key-reuse-b") == []
    assert len(runtime.executions()) == executions_before
    # while the first body, retried with its key, still answers its case
    again = client.request("POST", "/contacts", web_contact("idem-key-reuse-a"), key)
    assert again.status == 202, again.body
    assert again.json()["caseId"] == first.json()["caseId"]


def test_twenty_concurrent_posts_of_one_phone_contact_open_one_case(runtime, client):
    # given one phone contact (an IVR that retries aggressively)
    contact = {
        "channel": "phone",
        "callerNumber": "+85291234567",
        "contactId": "idem-race-ivr-0001",
        "message": "My payment to HKTV mall has been stuck processing since the day before yesterday",
        "language": "en",
    }
    # when 20 threads post it at the same time
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: client.request("POST", "/contacts", contact, IVR), range(20)))
    # then (nearly) all are accepted, the rest asked to retry, none failed
    statuses = [a.status for a in answers]
    assert all(s in (202, 409) for s in statuses), [(a.status, a.body) for a in answers]
    assert statuses.count(202) >= 18, statuses
    for answer in answers:
        if answer.status == 409:
            assert answer.json()["error"]["code"] == "REQUEST_IN_PROGRESS", answer.body
    # and every accepted answer names the same case
    case_ids = {a.json()["caseId"] for a in answers if a.status == 202}
    assert len(case_ids) == 1, case_ids
    (case_id,) = case_ids
    # and there is exactly one case item and one execution with that name
    assert len(cases_with(runtime, "contactId", "idem-race-ivr-0001")) == 1
    runtime.wait_for(lambda: executions_named(runtime, case_id), timeout=10, what=f"execution {case_id}")
    assert len(executions_named(runtime, case_id)) == 1


def test_a_second_chat_message_joins_the_open_case_of_its_session(runtime, client):
    # given an app user's chat message that opened a case needing a human (a refund)
    user = {"X-App-User": "app-lina"}
    first_text = "我在星巴克买咖啡,钱扣了两次!能帮我退一笔吗"
    first = client.request(
        "POST",
        "/contacts",
        {"channel": "app_chat", "sessionId": "idem-chat-sess-1", "messageId": "idem-msg-1", "message": first_text},
        user,
    )
    assert first.status == 202, first.body
    case_id = first.json()["caseId"]
    assert first.json()["appended"] is False
    # when the same user writes again in the same session (a new messageId) while the case is open
    second_text = "金额是38元, 在上周五"
    second = client.request(
        "POST",
        "/contacts",
        {"channel": "app_chat", "sessionId": "idem-chat-sess-1", "messageId": "idem-msg-2", "message": second_text},
        user,
    )
    # then the answer names the same case, marked as appended
    assert second.status == 202, second.body
    assert second.json()["caseId"] == case_id
    assert second.json()["appended"] is True
    view = client.request("GET", f"/cases/{case_id}", headers=user)
    assert view.status == 200, view.body
    assert view.json()["status"] != "CLOSED"
    # and the case shows both messages, in order; no second case or workflow was opened
    assert [m["text"] for m in view.json()["messages"]] == [first_text, second_text]
    assert cases_with(runtime, "messageId", "idem-msg-2") == []
    runtime.wait_for(lambda: executions_named(runtime, case_id), timeout=10, what=f"execution {case_id}")
    assert len(executions_named(runtime, case_id)) == 1


def colliding_submission_ids(prefix: str) -> tuple[str, str]:
    """Two web submission ids whose case ids are equal (6 hex digits: a birthday search of ~4k keys)."""
    seen: dict[str, str] = {}
    n = 0
    while True:
        submission_id = f"{prefix}{n}"
        case_id = case_id_for(f"web:{submission_id}")
        if case_id in seen:
            return seen[case_id], submission_id
        seen[case_id] = submission_id
        n += 1


def test_two_different_contacts_never_share_a_case(runtime, client):
    # given two different web submissions whose derived case ids happen to be equal
    first_id, second_id = colliding_submission_ids("idem-collide-")
    first = client.request("POST", "/contacts", web_contact(first_id, "First customer: what are your fees?"))
    assert first.status == 202, first.body
    # when the second customer's submission arrives
    second = client.request("POST", "/contacts", web_contact(second_id, "Second customer: my account is locked"))
    # then it gets a case of its own, and its token opens that case
    assert second.status == 202, second.body
    assert second.json()["caseId"] != first.json()["caseId"]
    own = client.request(
        "GET", f"/cases/{second.json()['caseId']}", headers={"Authorization": f"Bearer {second.json()['caseToken']}"}
    )
    assert own.status == 200, own.body


def test_a_natural_key_reused_with_another_body_names_that_field(client):
    # given a web submission
    first = client.request("POST", "/contacts", web_contact("idem-natural-1", "What are your fees?"))
    assert first.status == 202, first.body
    # when the same submissionId comes back with a different text and no Idempotency-Key header
    second = client.request("POST", "/contacts", web_contact("idem-natural-1", "Something else entirely"))
    # then the 409 names the field the client actually sent
    assert second.status == 409
    assert second.json()["error"]["details"] == [{"field": "submissionId", "issue": "reused with a different body"}]


def test_the_idempotency_table_keeps_only_the_case_tokens_hash_and_only_the_first_answer_carries_it(runtime, client):
    from switchboard.domain.identity import hash_token

    # given a web contact accepted once, then retried (a browser resubmits the same form)
    first = client.request("POST", "/contacts", web_contact("idem-token-hash-0001"))
    again = client.request("POST", "/contacts", web_contact("idem-token-hash-0001"))
    assert first.status == again.status == 202, (first.body, again.body)
    token = first.json()["caseToken"]
    assert isinstance(token, str) and len(token) >= 20
    # when the idempotency table is read as a whole
    items = runtime.client("dynamodb").scan(TableName=runtime.refs["IdempotencyTable"])["Items"]
    stored = repr(items)
    # then the token itself is nowhere in it, its hash is
    assert token not in stored
    assert hash_token(token) in stored
    # and the retry names the same case but gets no token: only the original request was given it
    assert again.json()["caseId"] == first.json()["caseId"]
    assert again.json()["caseToken"] is None
    # and the token still opens the case for its holder
    view = client.request("GET", f"/cases/{first.json()['caseId']}", headers={"Authorization": f"Bearer {token}"})
    assert view.status == 200, view.body
