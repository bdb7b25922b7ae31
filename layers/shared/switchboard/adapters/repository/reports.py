"""The reports' projection table (ReportsTable): facts per case and per task, counters per day and
dimension, and one marker per event key, so an event delivered or replayed twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..dynamo import marshal_value, unmarshal
from .base import TableRepository


@dataclass
class Change:
    """One item's update: SET (or SET if absent), ADD (numbers, string sets), REMOVE."""

    pk: str
    sk: str
    set: dict[str, Any] = field(default_factory=dict)
    set_if_absent: dict[str, Any] = field(default_factory=dict)
    add: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)

    def update(self, table: str) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets, adds = [], []
        for n, (name, value) in enumerate(self.set.items()):
            names[f"#s{n}"], values[f":s{n}"] = name, marshal_value(value)
            sets.append(f"#s{n} = :s{n}")
        for n, (name, value) in enumerate(self.set_if_absent.items()):
            names[f"#f{n}"], values[f":f{n}"] = name, marshal_value(value)
            sets.append(f"#f{n} = if_not_exists(#f{n}, :f{n})")
        for n, (name, value) in enumerate(self.add.items()):
            names[f"#a{n}"] = name
            values[f":a{n}"] = {"SS": sorted(value)} if isinstance(value, (set, frozenset)) else marshal_value(value)
            adds.append(f"#a{n} :a{n}")
        removes = []
        for n, name in enumerate(self.remove):
            names[f"#r{n}"] = name
            removes.append(f"#r{n}")
        expression = " ".join(
            part
            for part in (
                "SET " + ", ".join(sets) if sets else "",
                "ADD " + ", ".join(adds) if adds else "",
                "REMOVE " + ", ".join(removes) if removes else "",
            )
            if part
        )
        update: dict[str, Any] = {
            "TableName": table,
            "Key": {"pk": {"S": self.pk}, "sk": {"S": self.sk}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
        }
        if values:
            update["ExpressionAttributeValues"] = values
        return update


MAX_CHANGES = 99  # a transaction takes 100 items: the changes and the event's marker


class ReportStore(TableRepository):
    table_setting = "reports_table"

    def apply_once(self, event_key: str, detail_type: str, at: str, changes: list[Change]) -> bool:
        """The event's changes and its marker in one transaction; False when the key was applied before."""
        if len(changes) > MAX_CHANGES:
            raise ValueError(f"changes: at most {MAX_CHANGES} per event")
        marker = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    "pk": {"S": f"EVENT#{event_key}"},
                    "sk": {"S": "EVENT"},
                    "detailType": {"S": detail_type},
                    "at": {"S": at},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        items = [marker, *({"Update": change.update(self.table)} for change in changes)]
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False  # the marker exists: this fact was counted already
            raise
        return True

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            answer = self.client.query(TableName=self.table, **kwargs)
            items += [unmarshal(item) for item in answer.get("Items", [])]
            if "LastEvaluatedKey" not in answer:
                return items
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def facts_of_day(self, day: str) -> list[dict[str, Any]]:
        """The case and task facts opened on `day` (the byDay index)."""
        return self._query(
            IndexName="byDay",
            KeyConditionExpression="#d = :d",
            ExpressionAttributeNames={"#d": "day"},
            ExpressionAttributeValues={":d": {"S": day}},
        )

    def counters_of_day(self, day: str) -> list[dict[str, Any]]:
        return self._query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": f"DAY#{day}"}})

    def backlog(self, queue: str) -> list[dict[str, Any]]:
        """The tasks of `queue` still open (the sparse byBacklog index)."""
        return self._query(
            IndexName="byBacklog",
            KeyConditionExpression="backlogQueue = :q",
            ExpressionAttributeValues={":q": {"S": queue}},
        )

    def cases(self, case_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Case facts by id (a task's case, when it opened on another day than its task)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(case_ids), 100):
            keys = [{"pk": {"S": f"CASE#{c}"}, "sk": {"S": "CASE"}} for c in case_ids[start : start + 100]]
            request: dict[str, Any] = {self.table: {"Keys": keys}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    fact = unmarshal(item)
                    found[fact["caseId"]] = fact
                request = answer.get("UnprocessedKeys") or {}
        return found
