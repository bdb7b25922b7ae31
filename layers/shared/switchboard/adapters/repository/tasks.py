"""Human tasks. The task token lives only here (never in a view); open tasks sit in a sparse
queue index (openQueue, queueOrder) that orders them by priority, then SLA due time."""

from __future__ import annotations

from typing import Any

from ...config import settings
from ...domain.clock import iso
from ...domain.errors import TaskConflict, TaskNotFound
from ...domain.models import PRIORITY_RANK
from .. import aws
from ..dynamo import marshal, marshal_value, unmarshal

OPEN = "OPEN"
CLAIMED = "CLAIMED"
COMPLETED = "COMPLETED"
EXPIRED = "EXPIRED"
AWAITING = "AWAITING_CUSTOMER"  # the claiming agent asked the customer; the workflow waits on the answer


def queue_order(priority: str, sla_due_at: str, task_id: str) -> str:
    return f"{PRIORITY_RANK.get(priority, 9)}#{sla_due_at}#{task_id}"


class TaskRepository:
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        self._client = client
        self.table = table or settings().tasks_table

    @property
    def client(self) -> Any:
        return self._client or aws.dynamodb()

    def create(self, task: dict[str, Any]) -> bool:
        item = {
            **task,
            "status": OPEN,
            "openQueue": task["queue"],
            "queueOrder": queue_order(task["priority"], task["slaDueAt"], task["taskId"]),
        }
        try:
            self.client.put_item(
                TableName=self.table, Item=marshal(item), ConditionExpression="attribute_not_exists(taskId)"
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def get(self, task_id: str) -> dict[str, Any]:
        found = self.client.get_item(TableName=self.table, Key={"taskId": {"S": task_id}}, ConsistentRead=True)
        if "Item" not in found:
            raise TaskNotFound(task_id)
        return unmarshal(found["Item"])

    def open_tasks(self, queue: str, limit: int = 50, after: str | None = None) -> list[dict[str, Any]]:
        """Up to `limit` open tasks of a queue in queue order, those after the `after` queueOrder."""
        condition, values = "openQueue = :q", {":q": {"S": queue}}
        if after:
            condition += " AND queueOrder > :after"
            values[":after"] = {"S": after}
        answer = self.client.query(
            TableName=self.table,
            IndexName="byOpenQueue",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            Limit=limit,
        )
        return [unmarshal(item) for item in answer.get("Items", [])]

    def _transition(
        self,
        task_id: str,
        expression: str,
        condition: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            answer = self.client.update_item(
                TableName=self.table,
                Key={"taskId": {"S": task_id}},
                UpdateExpression=expression,
                ConditionExpression=f"attribute_exists(taskId) AND ({condition})",
                ExpressionAttributeNames={"#status": "status", **(names or {})},
                ExpressionAttributeValues={k: marshal_value(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            current = self.get(task_id)  # raises TaskNotFound when it is not there at all
            raise TaskConflict(current["status"]) from None
        return unmarshal(answer["Attributes"])

    def claim(self, task_id: str, agent_id: str) -> dict[str, Any]:
        return self._transition(
            task_id,
            "SET #status = :claimed, claimedBy = :agent, claimedAt = :now",
            "#status = :open OR (#status = :claimed AND claimedBy = :agent)",
            {":claimed": CLAIMED, ":open": OPEN, ":agent": agent_id, ":now": iso()},
        )

    def complete(self, task_id: str, agent_id: str, decision: dict[str, Any]) -> dict[str, Any]:
        """Close the task for this agent; the conditional write is what makes a second complete a 409."""
        return self._transition(
            task_id,
            "SET #status = :done, completedBy = :agent, completedAt = :now, decision = :decision REMOVE openQueue",
            "(#status = :open AND attribute_not_exists(claimedBy)) OR (#status = :claimed AND claimedBy = :agent)",
            {
                ":done": COMPLETED,
                ":open": OPEN,
                ":claimed": CLAIMED,
                ":agent": agent_id,
                ":now": iso(),
                ":decision": decision,
            },
        )

    def reopen(self, task_id: str, agent_id: str) -> None:
        """Undo a completion whose SendTaskSuccess was refused, so the task is not lost."""
        self.client.update_item(
            TableName=self.table,
            Key={"taskId": {"S": task_id}},
            UpdateExpression=(
                "SET #status = :claimed, claimedBy = :agent, openQueue = #queue REMOVE completedBy, completedAt, decision"
            ),
            ConditionExpression="#status = :done AND completedBy = :agent",
            ExpressionAttributeNames={"#status": "status", "#queue": "queue"},
            ExpressionAttributeValues={
                ":claimed": {"S": CLAIMED},
                ":done": {"S": COMPLETED},
                ":agent": {"S": agent_id},
            },
        )

    def expire(self, task_id: str, reason: str) -> dict[str, Any] | None:
        """Mark an open task expired (SLA passed); None when it was completed in the meantime."""
        try:
            return self._transition(
                task_id,
                "SET #status = :expired, expiredAt = :now, expiryReason = :reason REMOVE openQueue",
                "#status IN (:open, :claimed, :awaiting)",
                {
                    ":expired": EXPIRED,
                    ":open": OPEN,
                    ":claimed": CLAIMED,
                    ":awaiting": AWAITING,
                    ":now": iso(),
                    ":reason": reason,
                },
            )
        except TaskConflict:
            return None

    # ---- the conversation with the customer and the task's clocks ----------------------------------

    def await_customer(self, task_id: str, agent_id: str) -> dict[str, Any]:
        """The claiming agent asked the customer: the task waits (a second ask of the same round is a 409)."""
        return self._transition(
            task_id,
            "SET #status = :awaiting",
            "#status = :claimed AND claimedBy = :agent",
            {":awaiting": AWAITING, ":claimed": CLAIMED, ":agent": agent_id},
        )

    def back_to_agent(self, task_id: str, agent_id: str) -> None:
        """Undo await_customer when the workflow could not be told (the agent may try again)."""
        self._transition(
            task_id,
            "SET #status = :claimed",
            "#status = :awaiting AND claimedBy = :agent",
            {":awaiting": AWAITING, ":claimed": CLAIMED, ":agent": agent_id},
        )

    def add_to_conversation(self, task_id: str, entry: dict[str, Any]) -> None:
        self.client.update_item(
            TableName=self.table,
            Key={"taskId": {"S": task_id}},
            UpdateExpression="SET conversation = list_append(if_not_exists(conversation, :empty), :entry)",
            ConditionExpression="attribute_exists(taskId)",
            ExpressionAttributeValues={":empty": {"L": []}, ":entry": marshal_value([entry])},
        )

    def set_clocks(self, task_id: str, clocks: list[dict[str, Any]]) -> dict[str, Any]:
        answer = self.client.update_item(
            TableName=self.table,
            Key={"taskId": {"S": task_id}},
            UpdateExpression="SET clocks = :clocks",
            ConditionExpression="attribute_exists(taskId)",
            ExpressionAttributeValues={":clocks": marshal_value(clocks)},
            ReturnValues="ALL_NEW",
        )
        return unmarshal(answer["Attributes"])

    def release_claim(self, task_id: str) -> None:
        """The customer did not answer in time: the waiting task goes back to its queue, unclaimed."""
        try:
            self._transition(task_id, "REMOVE claimedBy, claimedAt", "#status = :awaiting", {":awaiting": AWAITING})
        except TaskConflict:
            pass  # no longer waiting (expired meanwhile): nothing to release

    def rearm(
        self, task: dict[str, Any], task_token: str, clocks: list[dict[str, Any]], sla_due_at: str
    ) -> dict[str, Any]:
        """The customer answered (or the answer was given up on): the same task waits on the new token,
        with its agent when it still has one, else open in its queue; its clocks run again (and its
        place in the queue follows its new due time)."""
        status = CLAIMED if task.get("claimedBy") else OPEN
        order = queue_order(task["priority"], sla_due_at, task["taskId"])
        return self._transition(
            task["taskId"],
            "SET #status = :status, taskToken = :token, clocks = :clocks, slaDueAt = :due, "
            "openQueue = #queue, queueOrder = :order",
            "#status = :awaiting",
            {
                ":status": status,
                ":awaiting": AWAITING,
                ":token": task_token,
                ":clocks": clocks,
                ":due": sla_due_at,
                ":order": order,
            },
            names={"#queue": "queue"},
        )
