"""Issue 12, point 4: repeat contacts. An identified customer (a signed-in app user, or a caller matched
by the phone channel's own caller id) who already has an open case of the same intent, opened within
the policy window, joins it: the open case gets the contact on its conversation and timeline and a
repeat counter, its task tells the agent "repeat contact, 2nd, by phone", and the new contact's own
case ends merged into it, with no second task and no second "escalated" notice. A typed email is a
claim and joins nobody's case; the caller learns nothing of the other case."""

from __future__ import annotations

import pytest

from tests.workflow.helpers import (
    PAYMENTS,
    bearer,
    case_of,
    messages_for,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

CHAT_TEXT = "我的卡上有一笔扣款不是我做的,我没有在这家店消费过"
ENGLISH_TEXT = "There is a charge on my card I did not make"
CALL_TEXT = "这笔扣款不是我本人操作的,我没买过这个东西,请帮我查一下"


def test_a_phone_call_about_the_charge_a_chat_opened_joins_the_chat_case(runtime, client):
    # given 张伟 (app user app-zhangwei, C1001) reported a charge he did not make in the app: a disputes task
    chat = post_contact(
        client,
        {"channel": "app_chat", "sessionId": "repeat-chat-1", "messageId": "m-1", "message": CHAT_TEXT},
        {"X-App-User": "app-zhangwei"},
    ).json()
    task = open_task(runtime, client, chat["caseId"], PAYMENTS, timeout=60)  # agent-liu works disputes
    assert task["queue"] == "disputes" and task["repeatContact"] is None

    # when he calls the hotline about the same charge from his number on file (the IVR's caller id)
    call = post_contact(
        client,
        {"channel": "phone", "callerNumber": "+8613800138000", "contactId": "repeat-call-1", "message": CALL_TEXT},
    ).json()

    # then the call's own case closes, merged into the open one, without a task of its own
    merged = wait_status(runtime, client, call["caseId"], "CLOSED", timeout=60)
    assert merged["mergedInto"] == chat["caseId"] and merged["tasks"] == []
    assert runtime.wait_for_execution(call["caseId"])["status"] == "SUCCEEDED"
    # and the open case has the call on its conversation and timeline, counted: the 2nd contact
    joined = case_of(client, chat["caseId"])
    assert joined["repeatContacts"] == 2
    assert [m["text"] for m in joined["messages"]][-1] == CALL_TEXT
    repeat = [t for t in joined["timeline"] if t["stage"] == "repeat"]
    assert len(repeat) == 1 and repeat[0]["detail"].startswith("repeat contact, 2nd, by phone")
    # and still one task, which now tells the agent
    assert [t["taskId"] for t in joined["tasks"]] == [task["taskId"]]
    noted = open_task(runtime, client, chat["caseId"], PAYMENTS)
    assert noted["repeatContact"] == {"count": 2, "channel": "phone", "label": "repeat contact, 2nd, by phone"}
    # and no second "escalated" notice went out for the call (its case number did, as for any contact)
    assert [m["type"] for m in messages_for(runtime, call["caseId"])] == ["received"]

    # and the caller, with the call's own case token, sees a closed case and nothing of the other one
    own = client.request("GET", f"/cases/{call['caseId']}", headers=bearer(call["caseToken"]))
    assert own.status == 200, own.body
    assert own.json()["status"] == "CLOSED" and own.json()["mergedInto"] is None
    assert chat["caseId"] not in own.body


def test_a_typed_email_is_a_claim_and_joins_no_case(runtime, client):
    # given David Wong's (app-david, C1004) open disputes case from the app
    chat = post_contact(
        client,
        {"channel": "app_chat", "sessionId": "repeat-chat-2", "messageId": "m-1", "message": ENGLISH_TEXT},
        {"X-App-User": "app-david"},
    ).json()
    open_task(runtime, client, chat["caseId"], PAYMENTS, timeout=60)
    before = case_of(client, chat["caseId"]).get("repeatContacts")
    # when an anonymous web form types his email about the same charge
    web = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "repeat-web-1",
            "name": "David Wong",
            "email": "david.wong@example.hk",
            "message": ENGLISH_TEXT,
        },
    ).json()
    # then the form's case goes its own way (it asks for a code like any sensitive request) ...
    own = wait_status(runtime, client, web["caseId"], "AWAITING_CUSTOMER", "ESCALATED", timeout=60)
    assert own.get("mergedInto") is None
    # ... and the open case is untouched
    assert case_of(client, chat["caseId"]).get("repeatContacts") == before


def test_a_repeat_contact_whose_join_is_throttled_goes_its_own_way(runtime, client, monkeypatch):
    # given joining an open case hits a throttled DynamoDB for this call (after the Triage's retries)
    from switchboard.domain.errors import DependencyThrottled
    from switchboard.workflow.repeat import RepeatContacts

    original = RepeatContacts.join

    def join(self, case, verification, classification):
        if case["contact"].get("contactId") == "repeat-call-throttled":
            raise DependencyThrottled("Query: ProvisionedThroughputExceededException")
        return original(self, case, verification, classification)

    monkeypatch.setattr(RepeatContacts, "join", join)
    # and 张伟 has an open disputes case about the charge, which his call would join
    chat = post_contact(
        client,
        {"channel": "app_chat", "sessionId": "repeat-chat-throttled", "messageId": "m-1", "message": CHAT_TEXT},
        {"X-App-User": "app-zhangwei"},
    ).json()
    settled = runtime.wait_for(
        lambda: (c := case_of(client, chat["caseId"]))["status"] in ("ESCALATED", "CLOSED") and c,
        timeout=60,
        what="the chat case escalated (or joined an earlier open one of his)",
    )
    open_case = settled.get("mergedInto") or chat["caseId"]
    contacts_before = case_of(client, open_case).get("repeatContacts")
    # when he calls about the same charge
    call = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": "+8613800138000",
            "contactId": "repeat-call-throttled",
            "message": CALL_TEXT,
        },
    ).json()
    # then the call is not lost and not failed: it has a task of its own, like any first contact
    task = open_task(runtime, client, call["caseId"], PAYMENTS, timeout=60)
    assert task["queue"] == "disputes"
    case = case_of(client, call["caseId"])
    assert case["status"] == "ESCALATED" and case.get("mergedInto") is None
    assert not any(t["stage"] == "failure" for t in case["timeline"])
    assert case_of(client, open_case).get("repeatContacts") == contacts_before  # the open case was not touched
