"""Human tasks. The task token lives only here (never in a view); open tasks sit in a sparse
queue index (openQueue, queueOrder) that orders them by priority, then SLA due time.

A task's holder counts against their capacity: every transition that gives a task to an agent or
takes it from one (claim, complete, reopen, expire, take-over, reassign) writes the task and the
agents' loads in one TransactWriteItems, so a load is always the number of tasks its agent holds."""

from __future__ import annotations

from typing import Any

from ...config import settings
from ...domain.clock import iso
from ...domain.errors import AtCapacity, ConcurrentUpdate, TaskConflict, TaskNotFound
from ...domain.models import PRIORITY_RANK
from ..dynamo import marshal, marshal_value, unmarshal
from .agents import load_change
from .base import TableRepository

OPEN = "OPEN"
CLAIMED = "CLAIMED"
COMPLETED = "COMPLETED"
EXPIRED = "EXPIRED"
AWAITING = "AWAITING_CUSTOMER"  # the claiming agent asked the customer; the workflow waits on the answer


def queue_order(priority: str, sla_due_at: str, task_id: str) -> str:
    return f"{PRIORITY_RANK.get(priority, 9)}#{sla_due_at}#{task_id}"


class TaskRepository(TableRepository):
    table_setting = "tasks_table"

    def __init__(self, client: Any | None = None, table: str | None = None, agents_table: str | None = None) -> None:
        super().__init__(client, table)
        self._agents_table = agents_table  # else the settings' name, read on first use (cold start)

    @property
    def agents_table(self) -> str:
        return self._agents_table or settings().agent_load_table

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

    def note(self, task_id: str, **fields: Any) -> None:
        """Set fields the agent reads on a task (e.g. repeatContact), whatever its status."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        self.client.update_item(
            TableName=self.table,
            Key={"taskId": {"S": task_id}},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))),
            ConditionExpression="attribute_exists(taskId)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":f{i}": marshal_value(v) for i, v in enumerate(fields.values())},
        )

    def details(self, task_ids: list[str], names: tuple[str, ...], attempts: int = 3) -> dict[str, dict[str, Any]]:
        """These attributes of each task, which the queue index does not carry (its projection is fixed
        once deployed), in one BatchGetItem per 100 tasks."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(task_ids))
        aliases = {f"#a{i}": name for i, name in enumerate(names)}
        for start in range(0, len(unique), 100):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [{"taskId": {"S": t}} for t in unique[start : start + 100]],
                    "ProjectionExpression": ", ".join(["taskId", *aliases]),
                    "ExpressionAttributeNames": aliases,
                }
            }
            for _ in range(attempts):  # unprocessed keys (throttling) are asked again, a bounded number of times
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    task = unmarshal(item)
                    found[task.pop("taskId")] = task
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
        return found

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

    # ---- transitions that move an agent's load -------------------------------------------------

    def _change(self, task_id: str, expression: str, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"taskId": {"S": task_id}},
                "UpdateExpression": expression,
                "ConditionExpression": f"attribute_exists(taskId) AND ({condition})",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {k: marshal_value(v) for k, v in values.items()},
            }
        }

    def _transact(self, task_id: str, change: dict[str, Any], loads: list[dict[str, Any]]) -> dict[str, Any]:
        """The task's transition and the loads it moves, all or nothing; answers the task after it."""
        try:
            self.client.transact_write_items(TransactItems=[change, *loads])
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
            if codes and codes[0] == "ConditionalCheckFailed":
                raise TaskConflict(self.get(task_id)["status"]) from None
            for load, code in zip(loads, codes[1:], strict=False):
                if code == "ConditionalCheckFailed":  # only a claim's load carries a condition
                    update = load["Update"]
                    capacity = int(update["ExpressionAttributeValues"][":capacity"]["N"])
                    raise AtCapacity(update["Key"]["agentId"]["S"], capacity) from None
            raise ConcurrentUpdate(f"task {task_id}: {', '.join(str(c) for c in codes)}") from exc
        return self.get(task_id)

    def _load(self, agent_id: str, delta: int, capacity: int | None = None) -> dict[str, Any]:
        return load_change(self.agents_table, agent_id, delta, capacity)

    def claim(self, task_id: str, agent_id: str, capacity: int) -> dict[str, Any]:
        """An open task becomes this agent's, while they hold fewer than `capacity` tasks."""
        change = self._change(
            task_id,
            "SET #status = :claimed, claimedBy = :agent, claimedAt = :now",
            "#status = :open",
            {":claimed": CLAIMED, ":open": OPEN, ":agent": agent_id, ":now": iso()},
        )
        return self._transact(task_id, change, [self._load(agent_id, 1, capacity)])

    def complete(self, task_id: str, agent_id: str, decision: dict[str, Any], held: bool = False) -> dict[str, Any]:
        """Close the task for this agent; the conditional write is what makes a second complete a 409.
        `held`: the agent holds it claimed (their load goes down); else it is open and unclaimed."""
        expression = (
            "SET #status = :done, completedBy = :agent, completedAt = :now, decision = :decision REMOVE openQueue"
        )
        values = {":done": COMPLETED, ":agent": agent_id, ":now": iso(), ":decision": decision}
        if not held:
            return self._transition(
                task_id, expression, "#status = :open AND attribute_not_exists(claimedBy)", {**values, ":open": OPEN}
            )
        change = self._change(
            task_id, expression, "#status = :claimed AND claimedBy = :agent", {**values, ":claimed": CLAIMED}
        )
        return self._transact(task_id, change, [self._load(agent_id, -1)])

    def reopen(self, task_id: str, agent_id: str) -> None:
        """Undo a completion whose SendTaskSuccess was refused, so the task is not lost: the agent holds
        it again (their load counts it again)."""
        change = self._change(
            task_id,
            "SET #status = :claimed, claimedBy = :agent, openQueue = #queue REMOVE completedBy, completedAt, decision",
            "#status = :done AND completedBy = :agent",
            {":claimed": CLAIMED, ":done": COMPLETED, ":agent": agent_id},
        )
        change["Update"]["ExpressionAttributeNames"]["#queue"] = "queue"
        self._transact(task_id, change, [self._load(agent_id, 1)])

    def _from_holder(
        self, task: dict[str, Any], expression: str, values: dict[str, Any], loads: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A transition of `task` as it was read: still open, or still held by the same agent (whose
        load goes down); a change in between is a TaskConflict the caller may read again after."""
        holder = task.get("claimedBy") if task["status"] in (CLAIMED, AWAITING) else None
        if holder:  # a task waiting on the customer is still its agent's
            condition = "#status = :held AND claimedBy = :holder"
            values = {**values, ":held": task["status"], ":holder": holder}
            loads = [self._load(holder, -1), *loads]
        elif task["status"] == OPEN:
            condition = "#status = :open AND attribute_not_exists(claimedBy)"
            values = {**values, ":open": OPEN}
        else:
            raise TaskConflict(task["status"])
        if not loads:
            return self._transition(task["taskId"], expression, condition, values)
        return self._transact(task["taskId"], self._change(task["taskId"], expression, condition, values), loads)

    def expire(self, task_id: str, reason: str, attempts: int = 3) -> dict[str, Any] | None:
        """Mark an open or claimed task expired (SLA passed), its holder's load released; None when it
        was completed in the meantime."""
        for _ in range(attempts):
            task = self.get(task_id)
            if task["status"] not in (OPEN, CLAIMED, AWAITING):
                return None
            try:
                return self._from_holder(
                    task,
                    "SET #status = :expired, expiredAt = :now, expiryReason = :reason REMOVE openQueue",
                    {":expired": EXPIRED, ":now": iso(), ":reason": reason},
                    [],
                )
            except TaskConflict:
                continue  # claimed or completed in between: read it again
        return None

    def give(self, task: dict[str, Any], agent_id: str | None, capacity: int | None = None) -> dict[str, Any]:
        """A supervisor's move of a task as it was read: to `agent_id` (within `capacity` when given;
        a take-over names none), or back to its queue (None), the previous holder's load released."""
        if task["status"] == AWAITING:
            raise TaskConflict(f"{AWAITING}: the task waits on the customer's answer")
        if agent_id is None:
            if task["status"] != CLAIMED:
                raise TaskConflict(f"{task['status']}: only a claimed task goes back to its queue")
            return self._from_holder(
                task, "SET #status = :reopened REMOVE claimedBy, claimedAt", {":reopened": OPEN}, []
            )
        return self._from_holder(
            task,
            "SET #status = :taken, claimedBy = :to, claimedAt = :now",
            {":taken": CLAIMED, ":to": agent_id, ":now": iso()},
            [self._load(agent_id, 1, capacity)],
        )

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

    def flag_unanswered(self, task: dict[str, Any], clocks: list[dict[str, Any]], priority: str) -> dict[str, Any]:
        """Its first response came due with nobody on it: the clock flagged breached and the task one
        priority up (its place in the queue follows); a conflict when someone claimed it meanwhile."""
        return self._transition(
            task["taskId"],
            "SET clocks = :clocks, priority = :priority, queueOrder = :order",
            "#status = :open AND attribute_not_exists(claimedBy)",
            {
                ":clocks": clocks,
                ":priority": priority,
                ":order": queue_order(priority, task["slaDueAt"], task["taskId"]),
                ":open": OPEN,
            },
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
        """The customer did not answer in time: the waiting task goes back to its queue, unclaimed (its
        agent's load released)."""
        task = self.get(task_id)
        if task["status"] != AWAITING:
            return  # no longer waiting (expired meanwhile): nothing to release
        try:
            self._from_holder(task, "REMOVE claimedBy, claimedAt", {}, [])
        except TaskConflict:
            pass  # answered or expired meanwhile

    def rearm(
        self, task: dict[str, Any], task_token: str, clocks: list[dict[str, Any]], sla_due_at: str
    ) -> dict[str, Any]:
        """The same task waits on the workflow's new token: after the customer answered (or the answer
        was given up on), or after its wait timed out for a clock that does not end it (ClockDue). It
        stays with its agent when it still has one, else open in its queue; its clocks run again (and
        its place in the queue follows its due time and priority)."""
        status = CLAIMED if task.get("claimedBy") else OPEN
        order = queue_order(task["priority"], sla_due_at, task["taskId"])
        return self._transition(
            task["taskId"],
            "SET #status = :status, taskToken = :token, clocks = :clocks, slaDueAt = :due, "
            "openQueue = #queue, queueOrder = :order",
            "#status IN (:awaiting, :open, :claimed)",
            {
                ":status": status,
                ":awaiting": AWAITING,
                ":open": OPEN,
                ":claimed": CLAIMED,
                ":token": task_token,
                ":clocks": clocks,
                ":due": sla_due_at,
                ":order": order,
            },
            names={"#queue": "queue"},
        )
