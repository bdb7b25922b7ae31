"""adapters/limits.py: a sliding window per limit and subject in the limits table. A use is one
conditional write while the record has room; a full record is read and its expired uses dropped.
Concurrent callers never get past the limit together."""

from __future__ import annotations

import threading
import time
from collections import Counter

import boto3
import pytest
from moto import mock_aws
from switchboard.adapters.limits import Limits
from switchboard.domain.routing import limit

from local_runtime import moto_patches

TABLE = "limits"
MOST = int(limit("messagesPerDestination")["max"])
WINDOW = int(limit("messagesPerDestination")["windowSeconds"])


@pytest.fixture
def limits():
    # DynamoDB applies each conditional write atomically; moto does so once the runtime's lock is on
    moto_patches.serialize_dynamodb()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        calls: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
        yield Limits(client=client, table=TABLE), client, calls


def _uses(client, key):
    item = client.get_item(TableName=TABLE, Key={"id": {"S": f"messagesPerDestination#{key}"}})["Item"]
    return [float(use["N"]) for use in item["uses"]["L"]]


def _expired_uses(client, key, count):
    """A record of `count` uses, all from before the window; answers when the first was."""
    old = time.time() - WINDOW - 60
    client.put_item(
        TableName=TABLE,
        Item={
            "id": {"S": f"messagesPerDestination#{key}"},
            "uses": {"L": [{"N": str(old + i)} for i in range(count)]},
            "version": {"N": "7"},
            "expiresAt": {"N": str(int(old) + WINDOW)},
        },
    )
    return old


def test_a_use_with_room_is_one_write_and_a_full_window_refuses(limits):
    store, client, calls = limits
    # when the destination is used up to its limit
    assert all(store.take("messagesPerDestination", "sms#a") for _ in range(MOST))
    # then each use was one conditional write
    assert calls == Counter({"UpdateItem": MOST})
    # and the next is refused after one read of the full record, which is left as it was
    calls.clear()
    assert store.take("messagesPerDestination", "sms#a") is False
    assert calls == Counter({"UpdateItem": 1, "GetItem": 1})
    assert len(_uses(client, "sms#a")) == MOST


def test_expired_uses_make_room_again(limits):
    store, client, calls = limits
    # given a record full of uses from before the window
    old = _expired_uses(client, "sms#b", MOST)
    # when it is used now
    assert store.take("messagesPerDestination", "sms#b") is True
    # then the expired uses are gone and this one is the only use on record
    uses = _uses(client, "sms#b")
    assert len(uses) == 1 and uses[0] > old + WINDOW
    # and the window has room again for the rest, one write each
    calls.clear()
    assert all(store.take("messagesPerDestination", "sms#b") for _ in range(MOST - 1))
    assert calls == Counter({"UpdateItem": MOST - 1})
    assert store.take("messagesPerDestination", "sms#b") is False


def test_concurrent_uses_never_get_past_the_limit_together(limits):
    store, client, _ = limits
    # when twenty callers use one destination at once, some while its record is full of expired uses
    _expired_uses(client, "sms#c", MOST - 1)
    answers: list[bool] = []
    start = threading.Barrier(20)

    def use() -> None:
        start.wait()
        answers.append(store.take("messagesPerDestination", "sms#c"))

    threads = [threading.Thread(target=use) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly the limit got through, and the record holds exactly those uses in the window
    assert answers.count(True) == MOST
    assert len([u for u in _uses(client, "sms#c") if u > time.time() - WINDOW]) == MOST
