"""local_runtime/moto_patches.py: each fix keeps moto's answers and only stops it from redoing work."""

from __future__ import annotations

import time

import pytest

from local_runtime import moto_patches
from tests.conftest import EVENTS


def _auto_resolved_case(runtime, client, key):
    answer = client.send_event_file(EVENTS / "api" / "contact_web_product_info.json", {"Idempotency-Key": key})
    assert answer.status == 202, answer.body
    return answer.json()["caseId"]


def test_the_engine_makes_one_lambda_client_for_every_task(runtime, client):
    # given one case already run (the engine's clients exist)
    runtime.wait_for_execution(_auto_resolved_case(runtime, client, "patch-clients-1"))
    lambda_clients = [key for key in moto_patches.factory.clients if key[0] == "lambda"]
    created = moto_patches.factory.created
    # when another case runs its seven Lambda tasks
    execution = runtime.wait_for_execution(_auto_resolved_case(runtime, client, "patch-clients-2"))
    # then it succeeded through the same single Lambda client: no client was made for it
    assert execution["status"] == "SUCCEEDED"
    assert len(lambda_clients) == 1
    assert moto_patches.factory.created == created


def test_a_definition_is_parsed_once_and_every_program_is_fresh(runtime):
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    definition = runtime.client("stepfunctions").describe_state_machine(stateMachineArn=runtime.state_machine_arn)[
        "definition"
    ]
    # when the same definition is parsed twice
    first_program, first_tree = AmazonStateLanguageParser.parse(definition)
    second_program, second_tree = AmazonStateLanguageParser.parse(definition)
    # then the parse tree is shared, the evaluation components are not (no execution shares state)
    assert first_tree is second_tree
    assert first_program is not second_program
    assert type(first_program) is type(second_program)


def test_a_definition_with_a_syntax_error_is_still_refused_every_time(runtime):
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

    broken = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}'  # missing a brace
    for _ in range(2):
        with pytest.raises(ASLParserException):
            AmazonStateLanguageParser.parse(broken)


def test_dynamo_values_convert_exactly_as_upstream_does(runtime):
    from moto.dynamodb.models.dynamo_type import DynamoType

    # given a case-like item: a list of maps, nested maps, sets, numbers, binary, null
    value = DynamoType(
        {
            "M": {
                "timeline": {"L": [{"M": {"stage": {"S": "verify"}, "n": {"N": "1"}}}, {"S": "x"}]},
                "tags": {"SS": ["a", "b"]},
                "blob": {"B": "aGVsbG8="},
                "nested": {"M": {"deep": {"L": [{"BOOL": True}, {"NULL": True}]}}},
            }
        }
    )
    # when converted by the patch and by moto's own code
    ours = moto_patches._to_regular_json_one_pass(value)
    theirs = moto_patches.upstream["to_regular_json"](value)
    # then the answers are equal and share no mutable container with the stored value
    assert ours == theirs
    ours["M"]["timeline"]["L"].append("changed")
    assert len(value.to_regular_json()["M"]["timeline"]["L"]) == 2


def test_waiting_for_an_execution_gives_up_at_its_deadline():
    # given a condition that never comes true
    deadline = time.monotonic() + 0.2
    # when waited on, then the wait ends with None instead of a value
    assert moto_patches.wait_until_finished(lambda: None, deadline, safety_poll=0.05) is None
