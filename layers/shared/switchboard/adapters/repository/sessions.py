"""Chat sessions: one conversation, one case. The session's open case is claimed with a conditional
write (a session item in the idempotency table, next to the request records it complements), so
concurrent first messages agree on one case; closing the case releases the claim."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from .base import TableRepository

CLAIM_TTL_SECONDS = 30 * 24 * 3600  # a backstop: closing the case releases the claim


def _key(session_key: str) -> dict[str, Any]:
    return {"id": {"S": "chat-session#" + hashlib.sha256(session_key.encode("utf-8")).hexdigest()}}


class ChatSessions(TableRepository):
    table_setting = "idempotency_table"

    def open_case(self, session_key: str) -> str | None:
        found = self.client.get_item(TableName=self.table, Key=_key(session_key), ConsistentRead=True)
        return found["Item"]["caseId"]["S"] if "Item" in found else None

    def claim(self, session_key: str, case_id: str) -> str:
        """Make `case_id` the session's open case unless it has one; answer the session's open case."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    **_key(session_key),
                    "caseId": {"S": case_id},
                    "expiration": {"N": str(int(time.time()) + CLAIM_TTL_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(id)",
            )
            return case_id
        except self.client.exceptions.ConditionalCheckFailedException:
            found = self.client.get_item(TableName=self.table, Key=_key(session_key), ConsistentRead=True)
            if "Item" not in found:  # released between our write and our read: claim again
                return self.claim(session_key, case_id)
            return found["Item"]["caseId"]["S"]

    def release(self, session_key: str, case_id: str) -> None:
        """The case is closed (or was never opened): the next message opens a new case."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=_key(session_key),
                ConditionExpression="caseId = :c",
                ExpressionAttributeValues={":c": {"S": case_id}},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # another case holds the session now


class SmsReplies(TableRepository):
    """Which case an SMS from a number answers: set when an agent's question goes to that number by
    SMS, so an inbound text finds its case by one read (the number is kept only as a hash)."""

    table_setting = "idempotency_table"

    @staticmethod
    def _key(phone: str) -> dict[str, Any]:
        return {"id": {"S": "sms-reply#" + hashlib.sha256(phone.strip().encode("utf-8")).hexdigest()}}

    def expect(self, phone: str, case_id: str, ttl_seconds: int) -> None:
        self.client.put_item(
            TableName=self.table,
            Item={
                **self._key(phone),
                "caseId": {"S": case_id},
                "expiration": {"N": str(int(time.time()) + max(ttl_seconds, 3600))},
            },
        )

    def case_for(self, phone: str) -> str | None:
        found = self.client.get_item(TableName=self.table, Key=self._key(phone), ConsistentRead=True)
        return found["Item"]["caseId"]["S"] if "Item" in found else None
