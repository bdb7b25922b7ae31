"""Customer directory and ledger.

Customers live in one table under key `pk`: the customer item (`CUSTOMER#<id>`) and alias items
(`PHONE#`, `EMAIL#`, `APPUSER#`, `ACCOUNT#`) that point at it, so every identity lookup is one
consistent GetItem instead of a scan or an eventually-consistent index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ...domain.clock import iso
from ..dynamo import marshal, marshal_value, unmarshal
from .base import TableRepository

ALIAS_KINDS = ("PHONE", "EMAIL", "APPUSER", "ACCOUNT")

# the items read inside a CustomerDirectory.one_view() block, by key
_view: ContextVar[dict[str, dict[str, Any] | None] | None] = ContextVar("customer_directory_view", default=None)


def channel_aliases(case: dict[str, Any]) -> list[tuple[str, str | None]]:
    """What a case's channel says about who it is, in the order it is trusted."""
    contact = case.get("contact", {})
    if case["channel"] == "phone":
        return [("PHONE", contact.get("callerNumber"))]
    if case["channel"] == "app_chat":
        return [("APPUSER", contact.get("appUserId"))]
    return [("EMAIL", contact.get("email")), ("ACCOUNT", contact.get("accountId")), ("PHONE", contact.get("phone"))]


def alias_key(kind: str, value: str) -> str:
    value = value.strip()
    return f"{kind}#{value.lower() if kind == 'EMAIL' else value}"


class CustomerDirectory(TableRepository):
    table_setting = "customers_table"

    @contextmanager
    def one_view(self) -> Iterator[None]:
        """Inside the block each directory item is read once: one invocation that looks the same
        customer up twice (Triage's received notice, then its verification) asks DynamoDB once. Never
        wider than an invocation: contact details on file may change between two."""
        token = _view.set({})
        try:
            yield
        finally:
            _view.reset(token)

    def _get(self, pk: str) -> dict[str, Any] | None:
        view = _view.get()
        if view is not None and pk in view:
            return view[pk]
        found = self.client.get_item(TableName=self.table, Key={"pk": {"S": pk}}, ConsistentRead=True)
        item = unmarshal(found.get("Item"))
        if view is not None:
            view[pk] = item
        return item

    def by_id(self, customer_id: str) -> dict[str, Any] | None:
        return self._get(f"CUSTOMER#{customer_id}")

    def by_alias(self, kind: str, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        alias = self._get(alias_key(kind, value))
        return self.by_id(alias["customerId"]) if alias else None

    def match(self, case: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """(alias kind, customer) of the first of the case's channel aliases on file, or None."""
        for kind, value in channel_aliases(case):
            customer = self.by_alias(kind, value)
            if customer:
                return kind, customer
        return None

    def put_customer(self, customer: dict[str, Any]) -> None:
        """Write a customer and its aliases (seeding and admin tools)."""
        cid = customer["customerId"]
        self.client.put_item(TableName=self.table, Item=marshal({**customer, "pk": f"CUSTOMER#{cid}"}))
        aliases = [
            ("PHONE", customer.get("phone")),
            ("EMAIL", customer.get("email")),
            ("APPUSER", customer.get("appUserId")),
        ]
        aliases += [("ACCOUNT", account) for account in customer.get("accounts", [])]
        for kind, value in aliases:
            if value:
                self.client.put_item(
                    TableName=self.table, Item=marshal({"pk": alias_key(kind, value), "customerId": cid})
                )

    def set_account_status(self, customer_id: str, status: str, actor: str, reason: str) -> dict[str, Any]:
        answer = self.client.update_item(
            TableName=self.table,
            Key={"pk": {"S": f"CUSTOMER#{customer_id}"}},
            UpdateExpression="SET accountStatus = :s, statusChangedAt = :now, statusChangedBy = :who, statusReason = :why",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={
                ":s": marshal_value(status),
                ":now": marshal_value(iso()),
                ":who": marshal_value(actor),
                ":why": marshal_value(reason),
            },
            ReturnValues="ALL_NEW",
        )
        return unmarshal(answer["Attributes"])

    def block_card(self, customer_id: str, account_id: str, actor: str, reason: str) -> bool:
        """Block one of the customer's cards (accounts on file) in one conditional write; False when the
        card is not theirs or is blocked already."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"pk": {"S": f"CUSTOMER#{customer_id}"}},
                UpdateExpression="SET blockedCards = list_append(if_not_exists(blockedCards, :none), :card), "
                "cardBlocks = list_append(if_not_exists(cardBlocks, :none), :entry)",
                ConditionExpression="attribute_exists(pk) AND contains(accounts, :acct) "
                "AND (attribute_not_exists(blockedCards) OR NOT contains(blockedCards, :acct))",
                ExpressionAttributeValues={
                    ":none": {"L": []},
                    ":card": marshal_value([account_id]),
                    ":acct": marshal_value(account_id),
                    ":entry": marshal_value([{"accountId": account_id, "at": iso(), "by": actor, "reason": reason}]),
                },
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False


class Ledger(TableRepository):
    """Transactions of a customer, sorted by time (`sk` = createdAt#transactionId)."""

    table_setting = "transactions_table"

    def put(self, transaction: dict[str, Any]) -> None:
        sk = f"{transaction['createdAt']}#{transaction['transactionId']}"
        self.client.put_item(TableName=self.table, Item=marshal({**transaction, "sk": sk}))

    def for_customer(
        self, customer_id: str, start: str | None = None, end: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Newest first, within [start, end) when given."""
        condition = "customerId = :c"
        values: dict[str, Any] = {":c": {"S": customer_id}}
        if start and end:
            condition += " AND sk BETWEEN :a AND :b"
            values.update({":a": {"S": start}, ":b": {"S": end}})
        elif start:
            condition += " AND sk >= :a"
            values[":a"] = {"S": start}
        elif end:
            condition += " AND sk < :b"
            values[":b"] = {"S": end}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        items: list[dict[str, Any]] = []
        while True:
            answer = self.client.query(**kwargs)
            items.extend(unmarshal(i) for i in answer.get("Items", []))
            if (limit and len(items) >= limit) or "LastEvaluatedKey" not in answer:
                break
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        items = [i for i in items if not end or i["createdAt"] < end]
        return items[:limit] if limit else items

    def get(self, customer_id: str, transaction_id: str) -> dict[str, Any] | None:
        return next((t for t in self.for_customer(customer_id) if t["transactionId"] == transaction_id), None)

    def update(self, transaction: dict[str, Any], **fields: Any) -> None:
        sets = ", ".join(f"#{k} = :{k}" for k in fields)
        self.client.update_item(
            TableName=self.table,
            Key={"customerId": {"S": transaction["customerId"]}, "sk": {"S": transaction["sk"]}},
            UpdateExpression=f"SET {sets}",
            ExpressionAttributeNames={f"#{k}": k for k in fields},
            ExpressionAttributeValues={f":{k}": marshal_value(v) for k, v in fields.items()},
        )
