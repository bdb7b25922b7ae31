"""Plain-dict <-> DynamoDB attribute conversion for the low-level client (no resource layer: lighter)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


@cache
def _types() -> tuple[Any, Any]:
    """boto3's (de)serializer, imported on first use: importing boto3 costs a handler's cold start."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    if isinstance(value, set):
        return sorted(_from_dynamo(v) for v in value)
    return value


def marshal(item: dict[str, Any]) -> dict[str, Any]:
    serializer = _types()[0]
    return {k: serializer.serialize(_to_dynamo(v)) for k, v in item.items() if v is not None}


def marshal_value(value: Any) -> AttributeValueTypeDef:
    return _types()[0].serialize(_to_dynamo(value))


@overload
def unmarshal(item: dict[str, Any]) -> dict[str, Any]: ...
@overload
def unmarshal(item: None) -> None: ...
def unmarshal(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    deserializer = _types()[1]
    return {k: _from_dynamo(deserializer.deserialize(v)) for k, v in item.items()}
