"""The agent-load table: one item per agent with `load` (tasks they hold claimed now) and the profile
last seen in their token (queues, languages, capacity). The load only ever changes inside the same
TransactWriteItems as the task it counts (adapters/repository/tasks.py), so it cannot drift."""

from __future__ import annotations

from typing import Any

from ...domain.clock import iso
from ...domain.routing import policy
from ..dynamo import marshal_value, unmarshal
from .base import TableRepository


def default_capacity() -> int:
    return int(policy()["agents"]["defaultCapacity"])


def load_change(table: str, agent_id: str, delta: int, capacity: int | None = None) -> dict[str, Any]:
    """One TransactWriteItems entry: the agent's load moves by `delta`; with `capacity`, only while
    the load is below it (a claim), so concurrent claims never take an agent past their capacity."""
    update: dict[str, Any] = {
        "TableName": table,
        "Key": {"agentId": {"S": agent_id}},
        "UpdateExpression": "ADD #load :delta",
        "ExpressionAttributeNames": {"#load": "load"},
        "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
    }
    if capacity is not None:
        update["ConditionExpression"] = "attribute_not_exists(#load) OR #load < :capacity"
        update["ExpressionAttributeValues"][":capacity"] = {"N": str(capacity)}
    return {"Update": update}


class AgentLoad(TableRepository):
    table_setting = "agent_load_table"

    def remember(self, agent_id: str, queues: list[str], languages: list[str], capacity: int) -> None:
        """The profile as the agent's own token tells it (refreshed on each hand-out or claim): what a
        supervisor's reassignment to this agent is checked against. The load is not touched."""
        self.client.update_item(
            TableName=self.table,
            Key={"agentId": {"S": agent_id}},
            UpdateExpression="SET #queues = :q, #languages = :l, #capacity = :c, seenAt = :now",
            ExpressionAttributeNames={"#queues": "queues", "#languages": "languages", "#capacity": "capacity"},
            ExpressionAttributeValues={
                ":q": marshal_value(sorted(queues)),
                ":l": marshal_value(sorted(languages)),
                ":c": {"N": str(capacity)},
                ":now": {"S": iso()},
            },
        )

    def get(self, agent_id: str) -> dict[str, Any] | None:
        found = self.client.get_item(TableName=self.table, Key={"agentId": {"S": agent_id}}, ConsistentRead=True)
        return unmarshal(found["Item"]) if "Item" in found else None

    def load(self, agent_id: str) -> int:
        return int((self.get(agent_id) or {}).get("load", 0))

    def all(self) -> list[dict[str, Any]]:
        """Every agent's item (one per agent who ever signed in to work a task: a small table), by id."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": self.table}
        while True:
            answer = self.client.scan(**request)
            items.extend(unmarshal(item) for item in answer.get("Items", []))
            if not answer.get("LastEvaluatedKey"):
                return sorted(items, key=lambda item: item["agentId"])
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
