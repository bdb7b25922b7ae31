"""The Amazon Connect contact-flow function with the event as Connect sends it (events/connect)."""

from __future__ import annotations

import copy
import json

import pytest

from local_runtime.lambda_hook import invoke
from tests.conftest import EVENTS

EVENT = json.loads((EVENTS / "connect" / "contact_flow_account_locked.json").read_text())


def call(runtime, event):
    answer, error = invoke(runtime.functions["ConnectContactFunction"], event)
    assert error is None, answer
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items()), (
        "Connect reads a flat map of strings"
    )
    return answer


def with_contact(contact_id, caller=None, params=None, attributes=None):
    event = copy.deepcopy(EVENT)
    data = event["Details"]["ContactData"]
    data["ContactId"] = data["InitialContactId"] = contact_id
    if caller is not None:
        data["CustomerEndpoint"]["Address"] = caller
    if params is not None:
        event["Details"]["Parameters"] = params
    if attributes is not None:
        data["Attributes"] = attributes
    return event


def test_known_caller_with_a_sensitive_choice_is_asked_for_a_code(runtime):
    answer = call(runtime, with_contact("connect-unit-1"))
    assert answer["nextAction"] == "COLLECT_CODE"
    assert answer["caseId"].startswith("SB") and answer["queue"] == "account_support"
    assert "six-digit code" in answer["prompt"]


def test_a_repeated_contact_id_answers_the_same_case(runtime):
    first = call(runtime, with_contact("connect-unit-2"))
    again = call(runtime, with_contact("connect-unit-2"))
    assert first["caseId"] == again["caseId"]


@pytest.mark.parametrize(
    ("choice", "action", "queue"),
    [("7", "TRANSFER", "complaints"), ("8", "PLAY_MESSAGE", "general"), ("0", "TRANSFER", "general")],
)
def test_the_ivr_menu_decides_the_next_action(runtime, choice, action, queue):
    answer = call(runtime, with_contact(f"connect-unit-menu-{choice}", params={"ivrChoice": choice}))
    assert (answer["nextAction"], answer["queue"]) == (action, queue)


def test_a_transcript_the_model_is_unsure_of_goes_to_a_person_as_the_workflow_would_send_it(runtime):
    # given a caller whose words the model can only guess at (a dispute, below its threshold)
    transcript = "about my money from yesterday"
    # when the contact flow asks for the next action
    answer = call(runtime, with_contact("connect-unit-unsure", params={"transcript": transcript}, attributes={}))
    # then the caller is put through to the general team, not asked for a code on a guessed dispute
    assert (answer["nextAction"], answer["queue"]) == ("TRANSFER", "general")


def test_a_chinese_caller_hears_a_chinese_prompt(runtime):
    answer = call(
        runtime,
        with_contact(
            "connect-unit-zh", "+8613912345678", params={"transcript": "我想投诉你们的客服态度"}, attributes={}
        ),
    )
    assert answer["language"] == "zh-CN"
    assert "案件编号" in answer["prompt"]


def test_a_withheld_caller_id_opens_no_case_but_reaches_a_person(runtime):
    cases_before = runtime.client("dynamodb").scan(TableName=runtime.refs["CasesTable"], Select="COUNT")["Count"]
    answer = call(runtime, with_contact("connect-unit-anon", "anonymous"))
    assert answer["nextAction"] == "TRANSFER" and answer["queue"] == "general" and answer["caseId"] == ""
    assert (
        runtime.client("dynamodb").scan(TableName=runtime.refs["CasesTable"], Select="COUNT")["Count"] == cases_before
    )


def test_the_answer_never_carries_the_full_caller_number(runtime):
    answer = call(runtime, with_contact("connect-unit-pii"))
    assert "4155550123" not in json.dumps(answer)


def test_an_unsure_transcript_hears_the_likely_needs_as_menu_digits_and_the_digit_decides(runtime):
    # given a caller whose words could be a failed payment, a double charge or a charge not theirs
    params = {"transcript": "something is wrong with my payment"}
    # when the contact flow asks for the next action, then the menu offers those needs; no case opens yet
    asked = call(runtime, with_contact("connect-unit-choose", params=params, attributes={}))
    assert (asked["nextAction"], asked["caseId"]) == ("CHOOSE_NEED", "")
    assert {"3", "4"} <= set(asked["choices"].split(",")) <= {"3", "4", "6"}  # the menu's digits of those needs
    assert "a payment made twice or by mistake (a refund), press 4" in asked["prompt"]
    assert "press 0 for an agent" in asked["prompt"]
    # when the caller presses 4, then the double charge routes the case (payments, a code first)
    chose = call(runtime, with_contact("connect-unit-choose", params={**params, "needChoice": "4"}, attributes={}))
    assert chose["caseId"].startswith("SB")
    assert (chose["nextAction"], chose["queue"]) == ("COLLECT_CODE", "payments")


@pytest.mark.parametrize("pressed", ["", "9", "1"])
def test_no_or_another_digit_after_the_question_reaches_a_person(runtime, pressed):
    params = {"transcript": "something is wrong with my payment", "needChoice": pressed}
    answer = call(runtime, with_contact(f"connect-unit-choose-{pressed or 'none'}", params=params, attributes={}))
    assert answer["caseId"].startswith("SB")
    assert (answer["nextAction"], answer["queue"]) == ("TRANSFER", "general")


def test_a_chinese_caller_hears_the_choices_in_chinese(runtime):
    params = {"transcript": "问一下那笔扣款"}
    asked = call(runtime, with_contact("connect-unit-choose-zh", "+8613912345678", params=params, attributes={}))
    assert asked["nextAction"] == "CHOOSE_NEED" and asked["language"] == "zh-CN"
    assert "请按" in asked["prompt"] and "转人工客服" in asked["prompt"]
