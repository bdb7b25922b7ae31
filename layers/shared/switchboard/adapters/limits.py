"""Abuse limits (codes per customer, messages per destination) as sliding windows in the limits
table; the numbers come from the routing policy. A use is one conditional write while fewer uses are on
record than the limit (expired ones counted too, so it never lets one more through); only a full record
is read, its expired uses dropped and written back, if its version has not moved meanwhile. Either way
concurrent callers never get past the limit together."""

from __future__ import annotations

import hashlib
import time

from ..domain.errors import TransientError
from ..domain.routing import limit
from .dynamo import marshal, marshal_value, unmarshal
from .repository.base import TableRepository

MAX_WRITE_ATTEMPTS = 20


def subject_key(kind: str, value: str) -> str:
    """The limits table never holds a phone number or email in clear: a hash of it."""
    return f"{kind}#{hashlib.sha256(value.strip().lower().encode('utf-8')).hexdigest()[:32]}"


class Limits(TableRepository):
    table_setting = "limits_table"

    def take(self, name: str, key: str) -> bool:
        """Count one use of `name` (a policy limit) for `key`; False when the window is full."""
        rule = limit(name)
        window, most = int(rule["windowSeconds"]), int(rule["max"])
        item_id = f"{name}#{key}"
        if self._append_while_room(item_id, window, most):
            return True
        for _ in range(MAX_WRITE_ATTEMPTS):
            found = unmarshal(
                self.client.get_item(TableName=self.table, Key={"id": {"S": item_id}}, ConsistentRead=True).get("Item")
            )
            now = time.time()
            uses = [t for t in (found or {}).get("uses", []) if t > now - window]
            if len(uses) >= most:
                return False
            version = (found or {}).get("version", 0)
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=marshal(
                        {"id": item_id, "uses": [*uses, now], "version": version + 1, "expiresAt": int(now) + window}
                    ),
                    ConditionExpression="attribute_not_exists(id) OR version = :v",
                    ExpressionAttributeValues={":v": {"N": str(version)}},
                )
                return True
            except self.client.exceptions.ConditionalCheckFailedException:
                continue  # another caller counted a use first: read again
        raise TransientError(f"limit {name}: too much contention")

    def _append_while_room(self, item_id: str, window: int, most: int) -> bool:
        """One use appended in one write, if fewer than `most` uses are on record (expired or not)."""
        now = time.time()
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"id": {"S": item_id}},
                UpdateExpression=(
                    "SET uses = list_append(if_not_exists(uses, :none), :now),"
                    " version = if_not_exists(version, :zero) + :one, expiresAt = :expires"
                ),
                ConditionExpression="attribute_not_exists(id) OR size(uses) < :most",
                ExpressionAttributeValues={
                    ":none": {"L": []},
                    ":now": marshal_value([now]),
                    ":zero": {"N": "0"},
                    ":one": {"N": "1"},
                    ":expires": {"N": str(int(now) + window)},
                    ":most": {"N": str(most)},
                },
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False  # full: the expired uses are dropped by reading it
