"""local_runtime/faults.py, the chaos suite's fault injection: what a faulted call answers and does."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from local_runtime import faults


@pytest.fixture
def table(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        # one attempt per call: what the plan does to each attempt, without the SDK's retries
        ddb = boto3.session.Session().client(
            "dynamodb", region_name="us-east-1", config=Config(retries={"mode": "standard", "total_max_attempts": 1})
        )
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield ddb


def test_a_faulted_call_answers_the_services_error_yet_reaches_moto_like_a_lost_answer(table):
    # given every PutItem failing
    with faults.inject("dynamodb.PutItem", rate=1.0) as plan:
        # when an item is put, then the caller gets the service's throttling or internal error
        with pytest.raises(ClientError) as raised:
            table.put_item(TableName="t", Item={"id": {"S": "a"}})
        # and a call the chaos run makes to observe is never faulted
        with faults.exempt():
            table.put_item(TableName="t", Item={"id": {"S": "b"}})
    assert raised.value.response["Error"]["Code"] in {"ProvisionedThroughputExceededException", "InternalServerError"}
    assert plan.injected["dynamodb.PutItem"] == 1
    # and the write was made all the same: the answer was lost, the harder case for the caller's retry
    assert table.get_item(TableName="t", Key={"id": {"S": "a"}})["Item"] == {"id": {"S": "a"}}
    # and once the plan ends nothing is faulted
    table.put_item(TableName="t", Item={"id": {"S": "c"}})
    assert plan.calls["dynamodb.PutItem"] == 1


def test_the_nth_call_of_an_operation_meets_the_same_fate_in_every_plan_of_a_seed():
    first = faults.FaultPlan(("dynamodb.GetItem",), 0.3, seed=7)
    again = faults.FaultPlan(("dynamodb.GetItem",), 0.3, seed=7)
    fates = [first.decide("dynamodb.GetItem") for _ in range(50)]
    assert fates == [again.decide("dynamodb.GetItem") for _ in range(50)]
    assert {"throttle", "error", None} == set(fates)  # both kinds of failure, and calls let through
    assert first.decide("dynamodb.PutItem") is None  # an operation outside the plan is never faulted
