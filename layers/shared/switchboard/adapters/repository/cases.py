"""The cases table: one item per case, with its timeline, messages and notifications as lists."""

from __future__ import annotations

from typing import Any

from ...domain.clock import iso
from ...domain.errors import CaseNotFound
from ..dynamo import marshal, marshal_value, unmarshal
from .base import TableRepository

OPEN_STATUSES = ("RECEIVED", "VERIFYING", "AWAITING_CUSTOMER", "CLASSIFIED", "ESCALATED", "RESOLVED", "FAILED")


def timeline_entry(stage: str, detail: str, actor: str = "system") -> dict[str, str]:
    return {"at": iso(), "stage": stage, "detail": detail, "actor": actor}


class CaseRepository(TableRepository):
    table_setting = "cases_table"

    def create(self, item: dict[str, Any]) -> bool:
        """Write a new case; False when the case id exists already (a retried intake)."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=marshal(item),
                ConditionExpression="attribute_not_exists(caseId)",
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def get(self, case_id: str) -> dict[str, Any]:
        found = self.client.get_item(TableName=self.table, Key={"caseId": {"S": case_id}}, ConsistentRead=True)
        if "Item" not in found:
            raise CaseNotFound(case_id)
        return unmarshal(found["Item"])

    def find(self, case_id: str) -> dict[str, Any] | None:
        try:
            return self.get(case_id)
        except CaseNotFound:
            return None

    def update(
        self,
        case_id: str,
        *,
        fields: dict[str, Any] | None = None,
        timeline: list[dict[str, str]] | None = None,
        append: dict[str, list[Any]] | None = None,
        remove: list[str] | None = None,
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        condition_names: dict[str, str] | None = None,
        answer_item: bool = True,
    ) -> dict[str, Any]:
        """Set fields and append to list attributes in one atomic write; answers the new item (an empty
        dict with `answer_item=False`: a write whose caller reads nothing back need not carry the whole
        case back through DynamoDB's answer)."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":now": marshal_value(iso())}
        sets = ["#updatedAt = :now"]
        names["#updatedAt"] = "updatedAt"
        for i, (name, value) in enumerate((fields or {}).items()):
            names[f"#f{i}"] = name
            values[f":f{i}"] = marshal_value(value)
            sets.append(f"#f{i} = :f{i}")
        lists = dict(append or {})
        if timeline:
            lists["timeline"] = [*lists.get("timeline", []), *timeline]
        if lists:
            values[":empty"] = {"L": []}
        for i, (name, entries) in enumerate(lists.items()):
            names[f"#l{i}"] = name
            values[f":l{i}"] = marshal_value(entries)
            sets.append(f"#l{i} = list_append(if_not_exists(#l{i}, :empty), :l{i})")
        expression = "SET " + ", ".join(sets)
        if remove:
            for i, name in enumerate(remove):
                names[f"#r{i}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
        for key, value in (condition_values or {}).items():
            values[key] = marshal_value(value)
        names.update(condition_names or {})
        names["#caseId"] = "caseId"
        cond = "attribute_exists(#caseId)" + (f" AND ({condition})" if condition else "")
        try:
            answer = self.client.update_item(
                TableName=self.table,
                Key={"caseId": {"S": case_id}},
                UpdateExpression=expression,
                ConditionExpression=cond,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW" if answer_item else "NONE",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            if self.find(case_id) is None:
                raise CaseNotFound(case_id) from None
            raise
        return unmarshal(answer["Attributes"]) if answer_item else {}

    def open_cases_of(self, customer_id: str, since: str, until: str) -> list[dict[str, Any]]:
        """The customer's cases created between `since` and `until` (the byCustomer index: caseId,
        createdAt, status, intent, channel), oldest first."""
        answer = self.client.query(
            TableName=self.table,
            IndexName="byCustomer",
            KeyConditionExpression="customerId = :c AND createdAt BETWEEN :since AND :until",
            ExpressionAttributeValues={":c": {"S": customer_id}, ":since": {"S": since}, ":until": {"S": until}},
        )
        return [unmarshal(item) for item in answer.get("Items", [])]

    def add_repeat_contact(self, case_id: str, from_case: str, message: dict[str, Any]) -> dict[str, Any] | None:
        """The open case `case_id` takes a repeat contact (the case `from_case`) once: its message joins
        the conversation and `repeatContacts` (1 = the first contact) goes up by one, atomically. None
        when the case has closed meanwhile; the case as it is when `from_case` had joined it already."""
        try:
            answer = self.client.update_item(
                TableName=self.table,
                Key={"caseId": {"S": case_id}},
                UpdateExpression=(
                    "SET repeatContacts = if_not_exists(repeatContacts, :one) + :one, "
                    "messages = list_append(if_not_exists(messages, :empty), :message), "
                    "joinedCases = list_append(if_not_exists(joinedCases, :empty), :from), updatedAt = :now"
                ),
                ConditionExpression="attribute_exists(caseId) AND #status <> :closed AND NOT contains(joinedCases, :fromId)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":empty": {"L": []},
                    ":message": marshal_value([message]),
                    ":from": marshal_value([from_case]),
                    ":fromId": {"S": from_case},
                    ":closed": {"S": "CLOSED"},
                    ":now": {"S": iso()},
                },
                ReturnValues="ALL_NEW",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            current = self.find(case_id)
            return current if current and from_case in current.get("joinedCases", []) else None
        return unmarshal(answer["Attributes"])

    def record(self, case_id: str, stage: str, detail: str, actor: str = "system", **fields: Any) -> None:
        """The common write: set some fields and add one timeline entry (nothing read back)."""
        self.update(case_id, fields=fields, timeline=[timeline_entry(stage, detail, actor)], answer_item=False)

    def claim_once(self, case_id: str, marker: str, value: Any, reclaimable: Any = None) -> bool:
        """Set `marker` only if it is absent (or still `reclaimable`): the dedupe key of a one-time
        effect. False if already set."""
        condition = "attribute_exists(caseId) AND attribute_not_exists(#m)"
        values = {":v": marshal_value(value)}
        if reclaimable is not None:
            condition = "attribute_exists(caseId) AND (attribute_not_exists(#m) OR #m = :again)"
            values[":again"] = marshal_value(reclaimable)
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"caseId": {"S": case_id}},
                UpdateExpression="SET #m = :v",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#m": marker},
                ExpressionAttributeValues=values,
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            if self.find(case_id) is None:
                raise CaseNotFound(case_id) from None
            return False

    def release(self, case_id: str, marker: str) -> None:
        self.client.update_item(
            TableName=self.table,
            Key={"caseId": {"S": case_id}},
            UpdateExpression="REMOVE #m",
            ExpressionAttributeNames={"#m": marker},
        )
