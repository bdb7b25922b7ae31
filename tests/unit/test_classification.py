"""classification.classify on a case: two needs carried to the result, unsure text to a person."""

from __future__ import annotations

import pytest
from switchboard.nlp import classify_text
from switchboard.workflow.classify import classify


@pytest.fixture(autouse=True, scope="module")
def configured(runtime):
    """The routing policy reads the settings the template gives every function."""
    return runtime


def case_with(text, **extra):
    return {"messages": [{"from": "customer", "text": text}], "contact": {}, "verification": {"level": "NONE"}, **extra}


def test_two_needs_route_by_the_primary_and_carry_the_secondary():
    # given a customer who complains and reports a payment they did not make
    case = case_with("你们客服态度太差了我要投诉,而且我账户里有一笔扣款不是我本人操作的")
    # when classifying the case
    result = classify(case)
    # then fraud routes (disputes), and the complaint is carried along for the agent
    assert result.intent == "unrecognized_transaction" and result.secondaryIntent == "complaint"
    assert result.source == "text" and result.route.queue == "disputes"
    assert result.clarify == []


def test_unsure_text_goes_to_a_person_in_the_general_queue_never_an_automatic_route():
    # given a message the model is unsure about
    text = "about the charge on my card"
    assert classify_text(text).unsure
    # when classifying the case
    result = classify(case_with(text))
    # then the guess is kept but the route is a person's: general queue, nothing automatic
    assert result.source == "threshold"
    assert result.route.queue == "general" and result.route.automatic is False
    # and it carries the likely needs a clarifying question can offer
    assert 2 <= len(result.clarify) <= 3 and result.intent in result.clarify


def test_a_menu_choice_has_no_secondary():
    # given a caller who pressed 3 (payment failed) and said two things
    result = classify(case_with("付款失败了,另外我要投诉", contact={"ivrChoice": "3"}))
    # then the menu decides alone
    assert (result.intent, result.secondaryIntent, result.source) == ("payment_failed", None, "ivr")


def test_an_unsure_chat_or_web_customer_is_asked_and_a_caller_is_not():
    # given the same unsure words on each channel
    text = "something is wrong with my payment"
    # then chat and web customers are asked which need; the phone's menu asks callers before the case opens
    asked = {
        channel: classify(case_with(text, channel=channel)).askCustomer for channel in ("app_chat", "web", "phone")
    }
    assert asked == {"app_chat": True, "web": True, "phone": False}


@pytest.mark.parametrize(
    ("answer", "source", "intent"),
    [
        ("2", "customer", "duplicate_payment"),
        ("the refund please", "customer", "duplicate_payment"),
        ("no idea", "threshold", "payment_failed"),
    ],
)
def test_the_answer_to_the_question_decides_or_a_person_does(answer, source, intent):
    # given an unsure case whose customer was asked which need, and their answer after the question
    asked = {
        "choices": ["payment_failed", "duplicate_payment", "unrecognized_transaction"],
        "askedAt": "2026-01-01T00:00:01Z",
    }
    case = case_with("something is wrong with my payment", channel="app_chat", clarify=asked)
    case["messages"][0]["at"] = "2026-01-01T00:00:00Z"
    case["messages"].append({"from": "customer", "text": answer, "at": "2026-01-01T00:00:05Z"})
    # when classifying again
    result = classify(case)
    # then a clear answer routes by the chosen need; anything else stays with a person; never asked twice
    assert (result.source, result.intent, result.askCustomer) == (source, intent, False)
    assert result.route.queue == ("payments" if source == "customer" else "general")


def test_the_latest_message_that_picks_a_choice_answers_the_question():
    # given a customer who added a detail after the question, then answered it
    asked = {"choices": ["payment_failed", "duplicate_payment"], "askedAt": "2026-01-01T00:00:01Z"}
    case = case_with("something is wrong with my payment", channel="app_chat", clarify=asked)
    case["messages"][0]["at"] = "2026-01-01T00:00:00Z"
    for at, text in (("00:00:03", "it was at the supermarket on Saturday morning"), ("00:00:05", "2")):
        case["messages"].append({"from": "customer", "text": text, "at": f"2026-01-01T{at}Z"})
    # when classifying again, then the number decides
    result = classify(case)
    assert (result.source, result.intent) == ("customer", "duplicate_payment")
