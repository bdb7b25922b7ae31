"""Ask instead of guess, on the real ASL: when the classifier is unsure, a chat or web customer gets ONE
clarifying question with the likely needs as numbered choices, answers it in the same session (chat)
or on their case (web), and the answer decides the route; no answer, or an answer that is still
unclear, goes to a person, never to an automatic answer. Confident messages are never asked."""

from __future__ import annotations

import pytest

from tests.workflow.helpers import (
    ACCOUNTS,
    COMPLAINTS,
    PAYMENTS,
    bearer,
    case_of,
    details,
    event_body,
    messages_for,
    open_task,
    post_contact,
    wait_status,
    web_contact,
)

pytestmark = pytest.mark.workflow

APP_USER = {"X-App-User": "app-lina"}  # a signed-in app user on file


def chat(client, session, message_id, text):
    body = {**event_body("contact_app_chat_duplicate"), "sessionId": session, "messageId": message_id}
    return post_contact(client, {**body, "message": text}, APP_USER).json()


def question_sent(runtime, case_id):
    return runtime.wait_for(
        lambda: messages_for(runtime, case_id, "clarify_question"), what=f"the clarifying question of {case_id}"
    )


def test_an_unsure_chat_is_asked_once_and_the_number_answered_decides_the_route(runtime, client):
    # given a chat message the model cannot place with confidence
    opened = chat(client, "clarify-chat-1", "m-1", "something is wrong with my payment")
    case_id = opened["caseId"]
    # when the workflow runs, then the chat gets one question with the likely needs, numbered, in English
    [sent] = question_sent(runtime, case_id)
    case = wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    choices = {c["intent"]: c["number"] for c in case["question"]["choices"]}
    assert sent["channel"] == "chat" and sent["to"] == "clarify-chat-1"
    assert {"payment_failed", "duplicate_payment"} <= set(choices) and sorted(choices.values())[0] == 1
    assert f"{choices['payment_failed']}. a payment that failed or did not arrive" in sent["body"]
    refund = choices["duplicate_payment"]
    assert f"{refund}. a payment made twice or by mistake (a refund)" in sent["body"]
    offered = ", ".join(c["intent"] for c in case["question"]["choices"])
    assert f"asking the customer which need: {offered}" in details(case)
    # when the customer answers with the refund's number in the same session
    answered = chat(client, "clarify-chat-1", "m-2", str(refund))
    # then the answer joins the same case and the refund need routes it: the payments team
    assert answered["caseId"] == case_id and answered["appended"]
    task = open_task(runtime, client, case_id, PAYMENTS)
    case = case_of(client, case_id)
    assert case["intent"] == "duplicate_payment" and task["queue"] == "payments"
    assert "the customer chose duplicate_payment" in details(case)
    assert case["question"] is None
    assert len(messages_for(runtime, case_id, "clarify_question")) == 1  # asked once


def test_an_unsure_web_form_reads_the_question_on_its_case_and_answers_it(runtime, client):
    # given an anonymous web form (no contact on file) the model is unsure about
    opened = web_contact(client, "clarify-web-1", "I am unhappy with the fees")
    case_id, token = opened["caseId"], opened["caseToken"]
    # when the workflow asks, then the customer's own view shows the numbered choices in their language
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    mine = client.request("GET", f"/cases/{case_id}", headers=bearer(token)).json()
    assert [(c["number"], c["intent"]) for c in mine["question"]["choices"]] == [
        (1, "product_info"),
        (2, "complaint"),
    ]
    assert "2. a complaint about our service" in mine["question"]["text"]
    # when they answer "2" on the case
    answered = client.request("POST", f"/cases/{case_id}/messages", {"text": "2"}, bearer(token))
    assert answered.status == 200 and answered.json()["resumed"] is True, answered.body
    # then the complaint routes it to the complaints team
    task = open_task(runtime, client, case_id, COMPLAINTS)
    case = case_of(client, case_id)
    assert case["intent"] == "complaint" and task["queue"] == "complaints" and case["status"] == "ESCALATED"


def test_an_answer_that_is_still_unclear_goes_to_a_person(runtime, client):
    # given an unsure chat that was asked which need
    case_id = chat(client, "clarify-chat-2", "m-1", "I am not satisfied")["caseId"]
    question_sent(runtime, case_id)
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    # when the answer picks none of the choices
    chat(client, "clarify-chat-2", "m-2", "hmm not sure, both maybe")
    # then a person in general decides, nothing is answered automatically, and nobody asks again
    task = open_task(runtime, client, case_id, ACCOUNTS)  # agent-wang works general
    case = wait_status(runtime, client, case_id, "ESCALATED")
    assert task["queue"] == "general" and case["resolution"] is None
    assert "no clear answer to which need" in details(case)
    assert len(messages_for(runtime, case_id, "clarify_question")) == 1


def test_a_confident_message_is_never_asked(runtime, client):
    # given a chat message the model is sure about
    case_id = chat(client, "clarify-chat-3", "m-1", "I want to change the email address on my account")["caseId"]
    # when the workflow runs, then it is routed without a question
    open_task(runtime, client, case_id, ACCOUNTS)
    case = case_of(client, case_id)
    assert case["intent"] == "account_profile" and case["question"] is None
    assert messages_for(runtime, case_id, "clarify_question") == []
    assert "asking the customer" not in details(case)
