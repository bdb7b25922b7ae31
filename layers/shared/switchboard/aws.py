"""Lazily created boto3 clients, shared per process: cold start pays only for what a handler uses."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _client(service: str) -> Any:
    import boto3  # imported on first use: keeps handler import time low

    with _lock:  # boto3's default session is not thread-safe while it creates clients
        # stubs type client() per literal service name; the accessors below name theirs
        return boto3.session.Session().client(service)  # type: ignore[call-overload]


def dynamodb() -> Any:
    return _client("dynamodb")


def stepfunctions() -> Any:
    return _client("stepfunctions")


def sns() -> Any:
    return _client("sns")


def ses() -> Any:
    return _client("ses")


def sqs() -> Any:
    return _client("sqs")


def events() -> Any:
    return _client("events")


def cloudwatch() -> Any:
    return _client("cloudwatch")


def reset_clients() -> None:
    """Forget cached clients (tests and the local runtime start a fresh moto world)."""
    _client.cache_clear()
