"""local_runtime/moto_patches.py: each fix keeps moto's answers and only stops it from redoing work."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pytest

from local_runtime import moto_patches
from local_runtime.provision import ACCOUNT, REGION
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
    # when another case runs its Lambda tasks
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


def test_attribute_values_serialize_exactly_as_the_shape_walk_does(runtime):
    from moto.core.serialize import BaseJSONSerializer

    # given a GetItem answer with every kind of attribute value (nested maps and lists, sets, binary)
    value = {
        "Item": {
            "caseId": {"S": "SB1"},
            "n": {"N": "12.5"},
            "timeline": {"L": [{"M": {"stage": {"S": "verify"}, "at": {"S": ""}}}, {"NULL": True}]},
            "tags": {"SS": ["a", "b"]},
            "nums": {"NS": ["1", "2"]},
            "blob": {"B": b"hello"},
            "blobs": {"BS": ["aGk=", "eW8="]},
            "flag": {"BOOL": False},
            "empty": {"M": {}},
        }
    }
    serializer = _serializer("dynamodb", "GetItem")
    # when serialized with the patch and with moto's own shape walk
    ours = serializer.serialize(value)["body"]
    BaseJSONSerializer._serialize_type_structure = moto_patches.upstream["serialize_type_structure"]
    try:
        theirs = _serializer("dynamodb", "GetItem").serialize(value)["body"]
    finally:
        moto_patches.apply()  # patches it again
    # then the bodies are the same JSON
    import json

    assert json.loads(ours) == json.loads(theirs)
    assert json.loads(ours)["Item"]["blob"] == {"B": "aGVsbG8="}


def _serializer(service: str, operation: str):
    from moto.core.responses import XFormedAttributePicker
    from moto.core.serialize import get_serializer_class
    from moto.core.utils import get_service_model

    model = get_service_model(service)
    return get_serializer_class(service, model.protocol)(
        operation_model=model.operation_model(operation), value_picker=XFormedAttributePicker()
    )


def test_every_execution_evaluates_the_program_built_once_for_its_definition(runtime, client):
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    # given one case run (its definition's program is built)
    runtime.wait_for_execution(_auto_resolved_case(runtime, client, "patch-program-1"))
    definition = runtime.client("stepfunctions").describe_state_machine(stateMachineArn=runtime.state_machine_arn)[
        "definition"
    ]
    program = moto_patches._programs[definition]
    keys = {id(c): c.heap_key for c in _components(program) if isinstance(c, EvalComponent)}
    # when two more cases run at once through it
    first = _auto_resolved_case(runtime, client, "patch-program-2")
    second = _auto_resolved_case(runtime, client, "patch-program-3")
    # then both succeed on the same program, whose components' heap keys were fixed before any ran
    assert runtime.wait_for_execution(first)["status"] == "SUCCEEDED"
    assert runtime.wait_for_execution(second)["status"] == "SUCCEEDED"
    assert moto_patches._programs[definition] is program
    assert keys and all(c.heap_key == keys[id(c)] for c in _components(program) if id(c) in keys)


def _components(root):
    from moto.stepfunctions.parser.asl.component.component import Component

    seen, todo = set(), [root]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Component):
            yield item
            todo.extend(vars(item).values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())


def test_a_retried_state_counts_its_attempts_per_execution(runtime):
    """The program is shared: a Retrier's attempt counter must still be each execution's own."""
    import json

    sfn = runtime.client("stepfunctions")
    # given a state machine whose one Task fails every time and is retried twice
    definition = {
        "StartAt": "Fail",
        "States": {
            "Fail": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/none", "MessageBody": "x"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1, "BackoffRate": 1}],
                "End": True,
            }
        },
    }
    arn = sfn.create_state_machine(
        name="patch-retries", definition=json.dumps(definition), roleArn=f"arn:aws:iam::{ACCOUNT}:role/x"
    )["stateMachineArn"]
    # when two executions run it at the same time
    runs = [sfn.start_execution(stateMachineArn=arn, name=f"retry-{i}")["executionArn"] for i in range(2)]
    ended = [
        moto_patches.wait_until_finished(
            lambda a=run: (lambda e: e if e["status"] != "RUNNING" else None)(sfn.describe_execution(executionArn=a)),
            deadline=time.monotonic() + 30,
            execution_arn=run,
        )
        for run in runs
    ]
    # then each made its own three attempts (first try + 2 retries) before failing
    assert [e["status"] for e in ended] == ["FAILED", "FAILED"]
    for run in runs:
        events = sfn.get_execution_history(executionArn=run, maxResults=1000)["events"]
        assert sum(1 for e in events if e["type"] == "TaskScheduled") == 3


def test_a_wait_for_one_execution_is_not_woken_by_another(runtime):
    # given a wait on an execution that does not end, while another one's end is reported
    checks = []

    def predicate():
        checks.append(time.monotonic())
        return None

    import threading
    from types import SimpleNamespace

    other = SimpleNamespace(execution=SimpleNamespace(exec_arn="arn:other"))  # what moto's worker reports
    threading.Timer(0.05, lambda: moto_patches._wake_waiters_after(lambda self: None)(other)).start()
    # when waited on with a long safety poll
    moto_patches.wait_until_finished(predicate, time.monotonic() + 0.3, safety_poll=5, execution_arn="arn:mine")
    # then the predicate ran once, at the start: the other execution's end did not make it poll moto
    assert len(checks) == 1


def test_local_requests_go_unsigned_while_a_runtime_runs(runtime):
    import boto3

    # given the runtime running: a call made now carries no signature
    seen = []
    client = boto3.session.Session().client("sqs", region_name="us-east-1")
    client.meta.events.register("before-send", lambda request, **_: seen.append(request.headers.get("Authorization")))
    client.list_queues()
    assert seen == [None]


def test_an_update_expression_is_parsed_once_and_its_tree_never_changed(runtime):
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    ddb, table = runtime.client("dynamodb"), runtime.refs["LimitsTable"]
    expression = "SET #n = if_not_exists(#n, :zero) + :one, #l = list_append(if_not_exists(#l, :empty), :l)"
    tree = UpdateExpressionParser.make(expression)
    before = _tree_shape(tree)
    # when the same update runs three times (the item is created by the first)
    for _ in range(3):
        ddb.update_item(
            TableName=table,
            Key={"id": {"S": "patch-update-expression"}},
            UpdateExpression=expression,
            ExpressionAttributeNames={"#n": "n", "#l": "l"},
            ExpressionAttributeValues={
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
                ":empty": {"L": []},
                ":l": {"L": [{"S": "x"}]},
            },
        )
    # then each applied once, through the one kept tree, which no update changed
    item = ddb.get_item(TableName=table, Key={"id": {"S": "patch-update-expression"}})["Item"]
    assert item["n"] == {"N": "3"} and len(item["l"]["L"]) == 3
    assert UpdateExpressionParser.make(expression) is tree
    assert _tree_shape(tree) == before


def _tree_shape(node):
    """Every node's class, type and value, children included: what an update could change."""
    children = getattr(node, "children", None)
    if isinstance(children, list):
        return (type(node).__name__, getattr(node, "type", None), [_tree_shape(child) for child in children])
    return (type(node).__name__, getattr(node, "type", None), getattr(node, "value", node))


def test_an_expression_tree_copies_as_the_generic_deepcopy_does(runtime):
    import copy

    from moto.dynamodb.parsing.ast_nodes import Node
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    tree = UpdateExpressionParser.make("SET #a = list_append(if_not_exists(#a, :e), :v), #b = :b REMOVE #c[1]")
    # when copied by the patch and by copy's generic path (the patch's method out of the way)
    ours = copy.deepcopy(tree)
    patched = Node.__deepcopy__
    del Node.__deepcopy__
    try:
        theirs = copy.deepcopy(tree)
    finally:
        Node.__deepcopy__ = patched
    # then the copies are alike, share no node with the original, and each child points at its new parent
    assert _tree_shape(ours) == _tree_shape(theirs) == _tree_shape(tree)
    originals = {id(node) for node in _nodes(tree)}
    copied = list(_nodes(ours))
    assert len(copied) == len(originals) and not originals & {id(node) for node in copied}
    assert all(child.parent is node for node in copied for child in node.children if isinstance(child, Node))


def _nodes(node):
    from moto.dynamodb.parsing.ast_nodes import Node

    yield node
    for child in node.children or []:
        if isinstance(child, Node):
            yield from _nodes(child)


@pytest.fixture
def scratch_table(runtime):
    """A table of this test's own (hash and range key), dropped afterwards."""
    ddb = runtime.client("dynamodb")
    name = f"patch-transactions-{time.monotonic_ns()}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    yield ddb, name
    ddb.delete_table(TableName=name)


def _key(pk, sk):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


@contextmanager
def _hash_key_table(ddb, key: str, **settings):
    """A table of the test's own whose key is the string attribute `key` alone, dropped afterwards."""
    name = f"patch-{key}-{time.monotonic_ns()}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **settings,
    )
    try:
        yield name
    finally:
        ddb.delete_table(TableName=name)


def test_a_cancelled_transaction_leaves_every_item_as_it_was(scratch_table):
    ddb, table = scratch_table
    # given an item with a counter at 1 and a map inside it
    ddb.put_item(TableName=table, Item={**_key("a", "1"), "n": {"N": "1"}, "m": {"M": {"x": {"S": "before"}}}})
    before = ddb.get_item(TableName=table, Key=_key("a", "1"))["Item"]
    # when a transaction updates it, creates another and then fails a condition on a third
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("a", "1"),
                        "UpdateExpression": "SET n = n + :one, m.x = :after",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":after": {"S": "after"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {**_key("b", "1"), "n": {"N": "9"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": _key("c", "1"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    # then the first item is as it was, the second was never written
    assert ddb.get_item(TableName=table, Key=_key("a", "1"))["Item"] == before
    assert "Item" not in ddb.get_item(TableName=table, Key=_key("b", "1"))
    # and a transaction that passes writes as moto always did
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": {**_key("b", "1"), "n": {"N": "9"}}}}])
    assert ddb.get_item(TableName=table, Key=_key("b", "1"))["Item"]["n"] == {"N": "9"}


def test_a_transaction_copies_the_items_it_writes_not_its_tables(scratch_table, monkeypatch):
    from moto.dynamodb.models.table import Table

    ddb, table = scratch_table
    for i in range(50):  # a table with more in it than the transaction touches
        ddb.put_item(TableName=table, Item={**_key("bulk", str(i)), "n": {"N": str(i)}})

    def whole_table_copied(self, memo):
        raise AssertionError("a transaction deep-copied a whole table")

    # given copying a whole table fails loudly
    monkeypatch.setattr(Table, "__deepcopy__", whole_table_copied, raising=False)
    # when a transaction writes one item and one is cancelled
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": {**_key("one", "1"), "n": {"N": "1"}}}}]
    )
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**_key("one", "2"), "n": {"N": "2"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": _key("none", "1"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    # then both answered as DynamoDB does, without a copy of the table
    assert ddb.get_item(TableName=table, Key=_key("one", "1"))["Item"]["n"] == {"N": "1"}
    assert "Item" not in ddb.get_item(TableName=table, Key=_key("one", "2"))
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 51


def test_an_event_targets_paths_are_parsed_once_and_read_as_upstream_does(runtime):
    import jsonpath_ng.ext
    from moto.events.utils import EventTemplateParser

    event = {
        "id": "e-1",
        "time": 1764669600,  # moto keeps an event's time as a number until it delivers it
        "detail-type": "CaseClosed",
        "source": "switchboard.cases",
        "region": "us-east-1",
        "account": ACCOUNT,
        "resources": [],
        "detail": {"caseId": "SB261202-ABCDEF", "eventKey": "SB261202-ABCDEF#CaseClosed"},
        "ingestion-time": "2026-12-02T10:00:00Z",
    }
    # given the default target input built once (its paths parsed)
    first = EventTemplateParser.parse(input_template=None, input_paths_map={}, event=event)
    misses = jsonpath_ng.ext.parse.cache_info().misses
    # when another event goes to a target
    again = EventTemplateParser.parse(input_template=None, input_paths_map={}, event={**event, "id": "e-2"})
    # then no path was parsed again, and the input is what upstream's parser reads
    assert jsonpath_ng.ext.parse.cache_info().misses == misses
    assert again == {**first, "id": "e-2"}
    upstream = moto_patches.upstream["jsonpath_ng_ext_parse"]
    assert [m.value for m in upstream("$.detail").find(event)] == [first["detail"]]


UPDATES = [
    # (update expression, None or what DynamoDB's refusal says): what the workflow writes, and refusals
    ("SET #n = if_not_exists(#n, :zero) + :one, #l = list_append(if_not_exists(#l, :empty), :l)", None),
    ("SET #m.#x = :s, #c = #c - :one REMOVE #gone", None),
    ("ADD #tags :tags, #c :one DELETE #old :tags", None),
    ("SET #l[0] = :s, #n = :one", None),
    ("SET #missing = #nothing + :one", "does not exist in the item"),
    ("SET #s = :s, #s = :s", "Two document paths overlap"),
    ("SET #pk = :s", "part of the key"),
    ("SET #m.#x = :empty, #tags = :tags ADD #c :s", "incorrect data type"),
    ("SET #s = :s SET #n = :one", 'The "SET" section can only be used once'),
    # two refusals: the one found lowest in the tree wins (the SETs parse below the ADDs)
    ("ADD #c :one ADD #n :one SET #s = :s SET #l = :l", 'The "SET" section can only be used once'),
    ("SET #s = :s ADD #c :one, #c :one REMOVE #s", "Two document paths overlap"),
]


def _apply_updates(ddb, table, pk):
    names = {
        "#n": "n", "#l": "l", "#m": "m", "#x": "x", "#c": "c", "#gone": "gone", "#tags": "tags",
        "#old": "old", "#missing": "missing", "#nothing": "nothing", "#s": "s", "#pk": "pk",
    }  # fmt: skip
    values = {
        ":zero": {"N": "0"}, ":one": {"N": "1"}, ":empty": {"L": []}, ":l": {"L": [{"S": "x"}]},
        ":s": {"S": "v"}, ":tags": {"SS": ["a", "b"]},
    }  # fmt: skip
    ddb.put_item(
        TableName=table,
        Item={**_key(pk, "1"), "m": {"M": {}}, "c": {"N": "5"}, "gone": {"S": "x"}, "old": {"SS": ["a", "z"]}},
    )
    outcomes = []
    for expression, _ in UPDATES:
        used = set(re.findall(r"[#:][a-z]+", expression))
        try:
            ddb.update_item(
                TableName=table,
                Key=_key(pk, "1"),
                UpdateExpression=expression,
                ExpressionAttributeNames={k: v for k, v in names.items() if k in used},
                ExpressionAttributeValues={k: v for k, v in values.items() if k in used},
            )
            outcomes.append("ok")
        except ddb.exceptions.ClientError as exc:
            outcomes.append(f"{exc.response['Error']['Code']}: {exc.response['Error']['Message']}")
        item = ddb.get_item(TableName=table, Key=_key(pk, "1"))["Item"]
        outcomes.append({k: v for k, v in item.items() if k != "pk"})
    return outcomes


def test_update_expressions_validate_as_upstreams_traversal_does(scratch_table, monkeypatch):
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
    from moto.dynamodb.parsing.validators import ActionCountValidator, OverlappingPathsValidator

    ddb, table = scratch_table
    # when the same updates run through the patched traversals (15, 17) and through upstream's
    ours = _apply_updates(ddb, table, "ours")
    with monkeypatch.context() as upstreams:
        upstreams.setattr(
            DepthFirstTraverser, "traverse_node_recursively", moto_patches.upstream["traverse_node_recursively"]
        )
        upstreams.setattr(ActionCountValidator, "traverse", moto_patches.upstream["action_count_traverse"])
        upstreams.setattr(OverlappingPathsValidator, "traverse", moto_patches.upstream["overlapping_paths_traverse"])
        theirs = _apply_updates(ddb, table, "theirs")
    # then every item and every refusal is the same, and each refusal is the one its case names
    assert ours == theirs
    for (expression, refusal), outcome in zip(UPDATES, ours[::2], strict=True):
        if refusal is None:
            assert outcome == "ok", expression
        else:
            assert outcome.startswith("ValidationException") and refusal in outcome, (expression, outcome)


def _clause_searches(ddb, table, monkeypatch, actions):
    """How many subtrees an UpdateItem of `actions` SET actions searched for clauses."""
    from moto.dynamodb.parsing.ast_nodes import Node

    searched = []
    monkeypatch.setattr(moto_patches._ClausesOnce, "_clauses", _counted(moto_patches._ClausesOnce._clauses, searched))
    monkeypatch.setattr(Node, "find_clauses", _counted(Node.find_clauses, searched))
    ddb.update_item(
        TableName=table,
        Key=_key("searched", str(actions)),
        UpdateExpression="SET " + ", ".join(f"a{i} = :v" for i in range(actions)),
        ExpressionAttributeValues={":v": {"N": "1"}},
    )
    monkeypatch.undo()
    return len(searched)


def _counted(function, calls):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return counted


def test_an_update_searches_each_subtree_for_clauses_once(scratch_table, monkeypatch):
    ddb, table = scratch_table
    # when updates of 10 and of 40 SET actions run
    small, large = (_clause_searches(ddb, table, monkeypatch, n) for n in (10, 40))
    # then the clause searches grow with the tree (x4), not with its square (x16, as every node of the
    # SET list searched its whole subtree again for each of its ancestors)
    assert large <= 5 * small, (small, large)


def test_a_traverser_builds_its_processing_map_once(scratch_table, monkeypatch):
    from moto.dynamodb.parsing.validators import ExecuteOperations

    ddb, table = scratch_table
    built, made = [], []
    original_map, original_init = ExecuteOperations._processing_map, ExecuteOperations.__init__

    def counted_map(self):
        built.append(self)
        return original_map(self)

    def counted_init(self, *args, **kwargs):
        made.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(ExecuteOperations, "_processing_map", counted_map)
    monkeypatch.setattr(ExecuteOperations, "__init__", counted_init)
    # when an update with a few dozen nodes runs three times
    _apply_updates(ddb, table, "counted")
    # then each traverser that got to work asked for its map once, however many nodes it visited (one
    # of an update refused earlier never starts)
    assert built and len({id(t) for t in built}) == len(built)
    assert {id(t) for t in built} <= {id(t) for t in made}


def _returned_by_every_kind_of_update(ddb, table, pk):
    """What UpdateItem answers for each ReturnValues, on an item with a list and a map in it."""
    ddb.put_item(
        TableName=table,
        Item={**_key(pk, "1"), "n": {"N": "1"}, "l": {"L": [{"S": "a"}]}, "m": {"M": {"x": {"S": "before"}}}},
    )
    answers = []
    for returned in ("NONE", "ALL_OLD", "UPDATED_OLD", "UPDATED_NEW", "ALL_NEW"):
        answer = ddb.update_item(
            TableName=table,
            Key=_key(pk, "1"),
            UpdateExpression="SET n = n + :one, l = list_append(l, :l), m.x = :x",
            ExpressionAttributeValues={":one": {"N": "1"}, ":l": {"L": [{"S": returned}]}, ":x": {"S": returned}},
            ReturnValues=returned,
        )
        answers.append({k: v for k, v in answer.get("Attributes", {}).items() if k != "pk"})
    return answers


def test_an_update_answers_as_upstream_does_without_copying_the_item(scratch_table, monkeypatch):
    from moto.dynamodb import models, responses
    from moto.dynamodb.models.dynamo_type import Item

    ddb, table = scratch_table
    copied = []
    original_copy = Item.__deepcopy__

    def counted(self, memo):
        copied.append(self)
        return original_copy(self, memo)

    monkeypatch.setattr(Item, "__deepcopy__", counted)
    # when every kind of update runs with the patch, and with moto's own copies
    ours = _returned_by_every_kind_of_update(ddb, table, "ours")
    ours_copied = len(copied)
    import copy

    backend_copies, response_copies = models.copy, responses.copy
    models.copy, responses.copy = copy, copy
    try:
        theirs = _returned_by_every_kind_of_update(ddb, table, "theirs")
    finally:
        models.copy, responses.copy = backend_copies, response_copies
    # then the answers are the same (old values stay old: nothing read the item after it changed),
    # and the patched updates copied no item where moto's copied each twice
    assert ours == theirs
    assert ours[1]["m"] == {"M": {"x": {"S": "NONE"}}} and ours[4]["n"] == {"N": "6"}
    assert ours_copied == 0 and len(copied) == 2 * 5


def test_a_table_with_a_stream_still_gets_the_old_image(runtime):
    from moto.dynamodb.models import dynamodb_backends

    ddb = runtime.client("dynamodb")
    stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    with _hash_key_table(ddb, "pk", StreamSpecification=stream) as name:
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "m": {"M": {"x": {"S": "before"}}}})
        # when the item is updated
        ddb.update_item(
            TableName=name,
            Key={"pk": {"S": "a"}},
            UpdateExpression="SET m.x = :x",
            ExpressionAttributeValues={":x": {"S": "after"}},
        )
        # then the stream's record of the update has the item before and after it (the runtime serves
        # no DynamoDB Streams API: the record is read off moto's table)
        table = dynamodb_backends[ACCOUNT][REGION].get_table(name)
        modify = next(r.record for r in table.stream_shard.items if r.record["eventName"] == "MODIFY")["dynamodb"]
        assert modify["OldImage"]["m"] == {"M": {"x": {"S": "before"}}}
        assert modify["NewImage"]["m"] == {"M": {"x": {"S": "after"}}}


def test_each_endpoint_is_resolved_to_its_handler_once(runtime, monkeypatch):
    import moto.backends

    ddb, events = runtime.client("dynamodb"), runtime.client("events")
    looked_up = []
    monkeypatch.setattr(moto.backends, "get_backend", _counted(moto.backends.get_backend, looked_up))
    # when DynamoDB and EventBridge are called a few times each
    for _ in range(3):
        ddb.list_tables()
        events.list_event_buses()
    # then each endpoint's backend was looked up at most once (none if an earlier call resolved it), and
    # each call still reached its own service
    assert len(looked_up) <= 2
    assert runtime.refs["CasesTable"] in ddb.list_tables()["TableNames"]
    assert any(bus["Name"] == "default" for bus in events.list_event_buses()["EventBuses"])


def test_a_resolved_endpoint_still_honours_moto_s_service_allow_list(runtime, monkeypatch):
    from moto.core.config import default_user_config
    from moto.core.exceptions import ServiceNotWhitelisted

    ddb = runtime.client("dynamodb")
    ddb.list_tables()  # resolved
    # when moto is told to serve only S3
    monkeypatch.setitem(
        default_user_config, "core", {**default_user_config.get("core", {}), "service_whitelist": ["s3"]}
    )
    # then a DynamoDB call is refused as upstream refuses it, and served again once the list is gone
    with pytest.raises(ServiceNotWhitelisted):
        ddb.list_tables()
    monkeypatch.undo()
    assert ddb.list_tables()["TableNames"]


def test_a_url_no_backend_serves_gets_upstream_s_answer(runtime):
    from botocore.awsrequest import AWSPreparedRequest
    from moto.core.botocore_stubber import BotocoreStubber

    request = AWSPreparedRequest("GET", "https://nothing-here.us-east-1.amazonaws.com/x", {}, b"", False)
    # when moto is asked for an endpoint no backend serves
    ours = BotocoreStubber().process_request(request)
    theirs = moto_patches.upstream["process_request"](BotocoreStubber(), request)
    # then it answers as upstream does: not implemented
    assert ours == theirs == (404, {}, "Not yet implemented")


def test_random_strings_keep_their_length_and_alphabet():
    import string

    from moto.moto_api._internal import mock_random

    # when moto draws request ids and names
    drawn = [mock_random.get_random_string(length=52) for _ in range(200)]
    lower = mock_random.get_random_string(length=30, lower_case=True)
    letters = mock_random.get_random_string(length=30, include_digits=False)
    # then each has the length and the characters asked for, and they differ
    assert {len(s) for s in drawn} == {52} and len(set(drawn)) == 200
    assert set("".join(drawn)) <= set(string.ascii_letters + string.digits)
    assert len(set("".join(drawn))) == 62  # every character can be drawn
    assert lower == lower.lower() and len(lower) == 30
    assert set(letters) <= set(string.ascii_letters) and len(letters) == 30


CONDITIONS = [
    # (condition, whether it holds for the item n=5, s="v", l=[x]): what the workflow asks, and refusals
    ("attribute_not_exists(pk)", False),
    ("attribute_exists(#n) AND (attribute_not_exists(#m) OR #m = :one)", True),
    ("size(#l) < :five AND #n BETWEEN :one AND :five", True),
    ("#s IN (:s, :one) AND NOT begins_with(#s, :z)", True),
    ("#n <> :five OR contains(#l, :x)", True),
    ("#n >= :six", False),
    ("#n = = :one", "ValueError: Bad comparison"),  # moto raises it as it is, in this process
    ("#n ! :one", "ValueError: Cannot parse condition"),  # a refusal of the lexer itself
]


def _conditional_writes(ddb, table, pk):
    names = {"#n": "n", "#m": "m", "#l": "l", "#s": "s"}
    values = {
        ":one": {"N": "1"}, ":five": {"N": "5"}, ":six": {"N": "6"}, ":s": {"S": "v"}, ":z": {"S": "z"},
        ":x": {"S": "x"},
    }  # fmt: skip
    outcomes = []
    for condition, _ in CONDITIONS:
        ddb.put_item(
            TableName=table, Item={**_key(pk, "c"), "n": {"N": "5"}, "s": {"S": "v"}, "l": {"L": [{"S": "x"}]}}
        )
        used = set(re.findall(r"[#:][a-z]+", condition))
        try:
            ddb.update_item(
                TableName=table,
                Key=_key(pk, "c"),
                UpdateExpression="SET #w = :w",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#w": "w", **{k: v for k, v in names.items() if k in used}},
                ExpressionAttributeValues={":w": {"S": "written"}, **{k: v for k, v in values.items() if k in used}},
            )
            outcomes.append(True)
        except ddb.exceptions.ConditionalCheckFailedException:
            outcomes.append(False)
        except ValueError as exc:
            outcomes.append(f"ValueError: {exc}")
    return outcomes


def test_conditions_lex_once_and_decide_as_upstream_does(scratch_table, monkeypatch):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    ddb, table = scratch_table
    lexed = []
    monkeypatch.setattr(
        ConditionExpressionParser, "_lex_one_node", _counted(ConditionExpressionParser._lex_one_node, lexed)
    )
    # when the conditions are written twice with the patch, then once with upstream's lexing
    ours = _conditional_writes(ddb, table, "ours")
    first = len(lexed)
    again = _conditional_writes(ddb, table, "again")
    second = len(lexed) - first
    monkeypatch.setattr(
        ConditionExpressionParser, "_lex_condition_expression", moto_patches.upstream["lex_condition_expression"]
    )
    theirs = _conditional_writes(ddb, table, "theirs")
    # then every write is decided alike and as its case says, and the second round lexed only the
    # expression the lexer refuses (a refusal is not kept: it is refused again)
    assert ours == again == theirs
    for (condition, holds), outcome in zip(CONDITIONS, ours, strict=True):
        assert outcome == holds if isinstance(holds, bool) else outcome.startswith(holds), (condition, outcome)
    assert first > 10 * len(CONDITIONS) and 0 < second <= 3  # "#n", " ", and "!", where lexing stops


def test_state_paths_are_parsed_once_and_place_results_as_upstream_does(runtime, client):
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    # given one case through the workflow (its states' paths parsed)
    first = _auto_resolved_case(runtime, client, "paths-once-1")
    assert runtime.wait_for_execution(first)["status"] == "SUCCEEDED"
    misses = json_path.parse.cache_info().misses, result_path.parse.cache_info().misses
    # when another case goes through the same states
    again = _auto_resolved_case(runtime, client, "paths-once-2")
    assert runtime.wait_for_execution(again)["status"] == "SUCCEEDED"
    # then no path was parsed again, though both kinds of path were read
    assert (json_path.parse.cache_info().misses, result_path.parse.cache_info().misses) == misses
    assert json_path.parse.cache_info().hits and result_path.parse.cache_info().hits
    # and a kept path places a result as a freshly parsed one does, into a fresh document each time
    kept, fresh = result_path.parse("$.outcome.notice"), moto_patches.upstream["result_path_parse"]("$.outcome.notice")
    ours = kept.update_or_create({"caseId": "c"}, {"sent": True})
    assert (
        ours
        == fresh.update_or_create({"caseId": "c"}, {"sent": True})
        == {"caseId": "c", "outcome": {"notice": {"sent": True}}}
    )
    assert kept.update_or_create({"caseId": "d"}, 1) == {"caseId": "d", "outcome": {"notice": 1}}


def _shape_checks_counted(monkeypatch):
    """The shape checks' traversals (21), counted: one entry per check run."""
    from moto.dynamodb.parsing.validators import (
        ActionCountValidator,
        OverlappingPathsValidator,
        UpdateHashRangeKeyValidator,
    )

    ran = []
    for check in (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator):
        monkeypatch.setattr(check, "traverse", _counted(check.traverse, ran))
    return ran


# how many of the three shape checks (21) run for an update, by the refusal its case names: all three
# when they pass, up to the one that refuses otherwise
SHAPE_CHECKS_RUN = {"Two document paths overlap": 2, "part of the key": 3, "can only be used once": 1}


def _refused_by_shape(refusal):
    return bool(refusal) and any(text in refusal for text in SHAPE_CHECKS_RUN)


def _shape_checks_run(refusal):
    return next((n for text, n in SHAPE_CHECKS_RUN.items() if refusal and text in refusal), 3)


def test_update_shape_checks_pass_once_and_refuse_every_time_as_upstream_does(scratch_table, monkeypatch):
    from moto.dynamodb.parsing.validators import UpdateExpressionValidator

    ddb, table = scratch_table
    upstreams = moto_patches.upstream["update_expression_validator_init"]
    # given the patch with nothing known yet (earlier tests ran these expressions on the same key schema)
    monkeypatch.setattr(UpdateExpressionValidator, "__init__", moto_patches._shape_checked_once(upstreams))
    ran = _shape_checks_counted(monkeypatch)
    # when the updates run twice with the patch (the second time their shapes are known), then with upstream's
    ours = _apply_updates(ddb, table, "shape-ours")
    first = len(ran)
    again = _apply_updates(ddb, table, "shape-again")
    second = len(ran) - first
    monkeypatch.setattr(UpdateExpressionValidator, "__init__", upstreams)
    theirs = _apply_updates(ddb, table, "shape-theirs")
    # then every item and refusal is the same, each as its case says
    assert ours == again == theirs
    for (expression, refusal), outcome in zip(UPDATES, again[::2], strict=True):
        assert outcome == "ok" if refusal is None else refusal in outcome, (expression, outcome)
    # and the first round ran every check up to a refusal, the second only those of the shapes refused
    # (checked, and refused, every time); an update refused after the checks skips them once they passed
    assert first == sum(_shape_checks_run(refusal) for _, refusal in UPDATES)
    assert second == sum(_shape_checks_run(refusal) for _, refusal in UPDATES if _refused_by_shape(refusal))
    assert second < first


def test_a_known_shape_is_checked_again_for_other_names_or_another_table(runtime, scratch_table, monkeypatch):
    ddb, table = scratch_table
    ran = _shape_checks_counted(monkeypatch)

    def update(table_name, key, names):
        try:
            ddb.update_item(
                TableName=table_name,
                Key=key,
                UpdateExpression="SET #k = :s",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={":s": {"S": "v"}},
            )
            return "ok"
        except ddb.exceptions.ClientError as exc:
            return exc.response["Error"]["Message"]

    # given an expression whose shape passed on this table, and passes again without being checked
    assert update(table, _key("k", "1"), {"#k": "other"}) == "ok"
    checked = len(ran)
    assert update(table, _key("k", "1"), {"#k": "other"}) == "ok" and len(ran) == checked
    # when the same text names the table's range key, then it is refused as part of the key
    assert "part of the key" in update(table, _key("k", "1"), {"#k": "sk"})
    # and when it runs on a table whose key is the attribute it passed with, it is refused there
    with _hash_key_table(ddb, "other") as other:
        assert "part of the key" in update(other, {"other": {"S": "k"}}, {"#k": "other"})


def test_moto_leaves_an_invoke_the_runtime_answered_and_serves_every_other_request(runtime, monkeypatch):
    from moto.core.botocore_stubber import BotocoreStubber

    served = []
    process = BotocoreStubber.process_request
    monkeypatch.setattr(
        BotocoreStubber, "process_request", lambda self, request: served.append(request.url) or process(self, request)
    )
    lam, ddb = runtime.client("lambda"), runtime.client("dynamodb")
    invoked = runtime.functions["CloseFunction"].invocations
    # when a function the runtime runs is invoked, one it does not know is invoked, and DynamoDB is called
    answer = lam.invoke(FunctionName=runtime.functions["CloseFunction"].name, Payload=b'{"caseId": "NOPE"}')
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="no-such-function", Payload=b"{}")
    tables = ddb.list_tables()["TableNames"]
    # then the runtime's answers stand (the handler ran: its error is the function's), moto served
    # only DynamoDB (the handler's calls and ours), and answered it
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert runtime.functions["CloseFunction"].invocations == invoked + 1
    assert [url for url in served if "/functions/" in url] == []
    assert served and all(url.startswith("https://dynamodb.") for url in served)
    assert runtime.refs["CasesTable"] in tables
