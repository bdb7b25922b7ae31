"""The conversation on the case, on the real ASL: the claiming agent asks the customer on their channel
(chat, SMS, email), the case waits on the customer with the task's clocks paused, the answer (chat in
the session, SMS through the two-way topic, web/email through POST /cases/{caseId}/messages) joins
the case exactly once and the same task comes back to the same agent, who completes it."""

from __future__ import annotations

import json

import pytest
from switchboard.domain.clock import parse_iso

from local_runtime.runtime import INBOUND_SMS_TOPIC, LOCAL_ORIGINATION_NUMBER
from tests.workflow.helpers import (
    COMPLAINTS,
    PAYMENTS,
    SUPERVISOR,
    bearer,
    case_of,
    event_body,
    messages_for,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

CARD = "6222 0212 3456 7890"


def claim(client, task, headers):
    answer = client.request("POST", f"/tasks/{task['taskId']}/claim", headers=headers)
    assert answer.status == 200, answer.body
    return answer.json()


def ask(client, task, headers, text):
    answer = client.request("POST", f"/tasks/{task['taskId']}/messages", {"text": text}, headers)
    assert answer.status == 200, answer.body
    return answer.json()


def task_of(client, case_id, headers):
    tasks = client.request("GET", "/tasks", headers=headers).json()["tasks"]
    return next(t for t in tasks if t["caseId"] == case_id)


def agent_messages(runtime, case_id, count=1):
    return runtime.wait_for(
        lambda: len(found := messages_for(runtime, case_id, "agent_message")) >= count and found,
        what=f"{count} agent message(s) to the customer of {case_id}",
    )


def complete(client, task, headers):
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {"outcome": "RESOLVED", "resolution": "Thank you, we have what we need and have fixed it."},
        headers,
    )
    assert done.status == 200, done.body


def complaint_by_phone(key):
    body = event_body("contact_phone_zh_transactions")  # C1001's number, on file
    return {**body, "contactId": key, "ivrChoice": "7", "message": "我要投诉,上次的问题一直没人处理"}


def test_an_agent_asks_a_chat_customer_and_the_answer_in_the_session_resumes_the_same_task(runtime, client):
    # given a chat refund request with a payments task, claimed by agent liu
    body = {**event_body("contact_app_chat_duplicate"), "sessionId": "conv-chat-1", "messageId": "m-1"}
    user = {"X-App-User": "app-lina"}
    case_id = post_contact(client, body, user).json()["caseId"]
    task = claim(client, open_task(runtime, client, case_id, PAYMENTS), PAYMENTS)
    # when the agent asks a question that quotes a full card number
    asked = ask(client, task, PAYMENTS, f"Which card did you pay with, {CARD}?")
    # then the task waits on the customer, and the chat gets the question as an agent's message, masked
    assert asked["status"] == "AWAITING_CUSTOMER"
    case = wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    [sent] = agent_messages(runtime, case_id)
    assert sent["channel"] == "chat" and sent["to"] == "conv-chat-1"
    assert "Which card did you pay with" in sent["body"] and CARD not in sent["body"]
    assert any("waiting for the customer's answer" in t["detail"] for t in case["timeline"])
    assert all(c["paused"] for c in task_of(client, case_id, PAYMENTS)["clocks"])
    # when the customer answers in the same chat session (and the app retries the same message)
    answer = {**body, "messageId": "m-2", "message": "The one ending 7890, thanks"}
    first = post_contact(client, answer, user).json()
    again = post_contact(client, answer, user).json()
    # then the answer joins the case, the case is back with the agent on the same task, once
    assert first["caseId"] == again["caseId"] == case_id and first["appended"]
    wait_status(runtime, client, case_id, "ESCALATED")
    back = runtime.wait_for(
        lambda: (t := task_of(client, case_id, PAYMENTS))["status"] == "CLAIMED" and t, what="the task back with liu"
    )
    assert back["taskId"] == task["taskId"] and back["claimedBy"] == "agent-liu"
    assert [(m["by"], m["text"]) for m in back["conversation"]] == [
        ("agent", "Which card did you pay with, ****7890?"),
        ("customer", "The one ending 7890, thanks"),
    ]
    assert not any(c["paused"] for c in back["clocks"])
    # and the resolution clock resumed no earlier than it was due: the paused time is added, never lost
    due = {c["name"]: parse_iso(c["dueAt"]) for c in task["clocks"]}
    assert {c["name"]: parse_iso(c["dueAt"]) for c in back["clocks"]}["resolution"] >= due["resolution"]
    case = case_of(client, case_id)
    assert [m["text"] for m in case["messages"]].count("The one ending 7890, thanks") == 1
    # when the agent completes, then the case closes
    complete(client, back, PAYMENTS)
    wait_status(runtime, client, case_id, "CLOSED")


def test_an_agent_texts_a_phone_customer_and_their_sms_reply_resumes_the_case(runtime, client):
    # given a phone complaint from a caller on file, claimed by the complaints agent
    case_id = post_contact(client, complaint_by_phone("conv-sms-1")).json()["caseId"]
    task = claim(client, open_task(runtime, client, case_id, COMPLAINTS), COMPLAINTS)
    # when the agent asks the caller a question
    ask(client, task, COMPLAINTS, "When did the agent hang up on you?")
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    # then it goes by SMS to the caller's number
    [sent] = agent_messages(runtime, case_id)
    assert sent["channel"] == "sms" and sent["to"] == "+8613800138000"
    assert "When did the agent hang up on you?" in sent["body"]
    # when a text from a number that waits on nothing arrives, then it is dropped: nothing written
    before = case_of(client, case_id)
    runtime.inbound_sms("+8613900000001", "wrong number")
    assert case_of(client, case_id)["messages"] == before["messages"]
    # when the caller texts back, and SNS delivers that same message twice
    reply = {
        "originationNumber": "+8613800138000",
        "destinationNumber": LOCAL_ORIGINATION_NUMBER,
        "messageBody": "Yesterday around 3pm",
        "inboundMessageId": "conv-sms-reply-1",
    }
    for _ in range(2):
        runtime.publish(INBOUND_SMS_TOPIC, json.dumps(reply))
    # then the answer joins the case once and the task is back with the agent
    wait_status(runtime, client, case_id, "ESCALATED")
    back = runtime.wait_for(
        lambda: (t := task_of(client, case_id, COMPLAINTS))["status"] == "CLAIMED" and t, what="the task back"
    )
    assert back["taskId"] == task["taskId"]
    assert [m["text"] for m in back["conversation"] if m["by"] == "customer"] == ["Yesterday around 3pm"]
    complete(client, back, COMPLAINTS)
    wait_status(runtime, client, case_id, "CLOSED")


def test_an_agent_emails_a_web_customer_who_answers_with_the_case_token(runtime, client):
    # given a web complaint from a customer whose email is on file, claimed by the complaints agent
    body = {**event_body("contact_web_complaint"), "submissionId": "conv-web-1"}
    opened = post_contact(client, body).json()
    case_id, token = opened["caseId"], opened["caseToken"]
    task = claim(client, open_task(runtime, client, case_id, COMPLAINTS), COMPLAINTS)
    # when the agent asks, then an email with a link to answer goes to the address on file
    ask(client, task, COMPLAINTS, "Which number did you call us from?")
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    [sent] = agent_messages(runtime, case_id)
    assert sent["channel"] == "email" and sent["to"] == "emily.chen@example.com"
    assert f"/cases/{case_id}/reply" in sent["body"] and "Which number did you call us from?" in sent["body"]
    # when someone without the case token posts an answer, then it is refused and nothing is written
    refused = client.request("POST", f"/cases/{case_id}/messages", {"text": "hi"}, bearer("not-the-token"))
    assert refused.status == 404
    blank = client.request("POST", f"/cases/{case_id}/messages", {"text": "  "}, bearer(token))
    assert blank.status == 400 and blank.json()["error"]["details"][0]["field"].endswith("text")
    # when the customer answers with the case token, and retries the same request
    first = client.request("POST", f"/cases/{case_id}/messages", {"text": "From my office line"}, bearer(token))
    again = client.request("POST", f"/cases/{case_id}/messages", {"text": "From my office line"}, bearer(token))
    # then the first resumes the case, the retry adds nothing and resumes nothing
    assert first.status == again.status == 200, (first.body, again.body)
    assert first.json()["resumed"] is True and again.json()["resumed"] is False
    wait_status(runtime, client, case_id, "ESCALATED")
    back = runtime.wait_for(
        lambda: (t := task_of(client, case_id, COMPLAINTS))["status"] == "CLAIMED" and t, what="the task back"
    )
    assert [m["text"] for m in back["conversation"] if m["by"] == "customer"] == ["From my office line"]
    # and the customer's own view shows the conversation without naming the agent
    mine = client.request("GET", f"/cases/{case_id}", headers=bearer(token)).json()
    assert [(m["by"], m["agentId"]) for m in mine["tasks"][0]["conversation"]] == [("agent", None), ("customer", None)]
    complete(client, back, COMPLAINTS)
    wait_status(runtime, client, case_id, "CLOSED")


def test_only_the_claiming_agent_may_message_and_bad_input_is_a_400(runtime, client):
    # given an open complaints task nobody has claimed
    body = {**event_body("contact_web_complaint"), "submissionId": "conv-web-rules"}
    case_id = post_contact(client, body).json()["caseId"]
    task = open_task(runtime, client, case_id, COMPLAINTS)
    path = f"/tasks/{task['taskId']}/messages"
    # then an agent of another queue is refused, and an unclaimed task is a conflict
    assert client.request("POST", path, {"text": "hello"}, PAYMENTS).status == 403
    assert client.request("POST", path, {"text": "hello"}, COMPLAINTS).status == 409
    # when claimed by smith, then another agent of the queue (the supervisor) may not message
    claim(client, task, COMPLAINTS)
    assert client.request("POST", path, {"text": "hello"}, SUPERVISOR).status == 409
    bad = client.request("POST", path, {"text": "", "extra": 1}, COMPLAINTS)
    assert bad.status == 400
    assert {d["field"] for d in bad.json()["error"]["details"]} >= {"text", "extra"}
    # and nothing was sent or written
    assert messages_for(runtime, case_id, "agent_message") == []
    assert case_of(client, case_id)["status"] == "ESCALATED"


def test_a_message_that_cannot_reach_the_customer_is_recorded_failed_and_the_task_goes_back(runtime, client):
    # given a web complaint whose email is not on file (a typed email gets no messages), claimed
    body = {**event_body("contact_web_complaint"), "submissionId": "conv-unreachable", "email": "nobody@example.org"}
    case_id = post_contact(client, body).json()["caseId"]
    task = claim(client, open_task(runtime, client, case_id, COMPLAINTS), COMPLAINTS)
    # when the agent asks the customer something
    ask(client, task, COMPLAINTS, "Which branch did you visit?")
    # then nothing is sent, the notice is recorded FAILED, and the same task is back with the agent
    back = runtime.wait_for(
        lambda: (t := task_of(client, case_id, COMPLAINTS))["status"] == "CLAIMED" and t, what="the task back"
    )
    assert back["taskId"] == task["taskId"] and back["claimedBy"] == "agent-smith"
    case = case_of(client, case_id)
    assert case["status"] == "ESCALATED"
    assert [n["status"] for n in case["notifications"] if n["type"] == "agent_message"] == ["FAILED"]
    assert messages_for(runtime, case_id, "agent_message") == []
