"""CustomerDirectory.one_view: inside the block an item is read from DynamoDB once; outside it, and
in the next block, every lookup reads again (contact details on file may change between invocations)."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber
from switchboard.adapters.repository.directory import CustomerDirectory

ALIAS = {"pk": {"S": "EMAIL#li@example.com"}, "customerId": {"S": "C-1"}}
CUSTOMER = {"pk": {"S": "CUSTOMER#C-1"}, "customerId": {"S": "C-1"}, "email": {"S": "li@example.com"}}
WEB_CASE = {"channel": "web", "contact": {"email": "Li@example.com"}}


def _reads(stub: Stubber, *items: dict) -> None:
    for item in items:
        stub.add_response(
            "get_item",
            {"Item": item},
            {"TableName": "customers", "Key": {"pk": item["pk"]}, "ConsistentRead": True},
        )


def test_one_view_reads_each_item_once_and_never_past_its_block():
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    directory = CustomerDirectory(client=client, table="customers")
    with Stubber(client) as stub:
        # the block's two matches of the same web form: the alias and the customer, read once
        _reads(stub, ALIAS, CUSTOMER)
        with directory.one_view():
            first = directory.match(WEB_CASE)
            again = directory.match(WEB_CASE)
            by_id = directory.by_id("C-1")
        stub.assert_no_pending_responses()
        assert first == again == ("EMAIL", by_id)
        assert by_id is not None and by_id["customerId"] == "C-1"
        # after the block: read again, and again in a new block
        _reads(stub, CUSTOMER, CUSTOMER)
        assert directory.by_id("C-1")["email"] == "li@example.com"
        with directory.one_view():
            directory.by_id("C-1")
        stub.assert_no_pending_responses()
