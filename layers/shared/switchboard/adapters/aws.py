"""Lazily created boto3 clients, shared per process: cold start pays only for what a handler uses.

Every client has an explicit botocore Config (short connect/read timeouts, standard retry mode) and
answers a throttled or failed call (after botocore's own retries) with a named transient domain error,
DependencyThrottled or DependencyUnavailable, which the API answers 503 and the ASL retries with
backoff and jitter. Errors that are the caller's business (ConditionalCheckFailed...) pass as they are."""

from __future__ import annotations

import functools
import threading
from functools import cache
from typing import Any

from ..domain.errors import DependencyThrottled, DependencyUnavailable, TransientError

_lock = threading.Lock()

# DynamoDB, SNS, SES, SQS, EventBridge and Step Functions answer in milliseconds: a hung call gives up
# after connect + read and is tried again. Three attempts of at most 1.5 s plus standard backoff stay
# within the tightest function timeout (Connect: 6 s, Connect itself waits 8 s); workflow functions have 10 s.
CONNECT_TIMEOUT_SECONDS = 0.5
READ_TIMEOUT_SECONDS = 1.0
TOTAL_ATTEMPTS = 3


def client_config() -> Any:
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
        max_pool_connections=50,  # moto's engine and the local server run many calls at once
    )


def transient_error(exc: Exception) -> TransientError | None:
    """The domain error for a throttled, 5xx or connection failure; None for anything else.
    botocore's own standard-mode checkers decide what is throttling and what is transient."""
    from botocore.exceptions import ClientError
    from botocore.retries.standard import RetryContext, ThrottledRetryableChecker, TransientRetryableChecker

    if isinstance(exc, ClientError):
        context = RetryContext(1, parsed_response=exc.response)
        code = context.get_error_code()
        if ThrottledRetryableChecker().is_retryable(context):
            return DependencyThrottled(f"{exc.operation_name}: {code}")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if status >= 500 or TransientRetryableChecker().is_retryable(context):
            return DependencyUnavailable(f"{exc.operation_name}: {code or status}")
        return None
    if TransientRetryableChecker().is_retryable(RetryContext(1, caught_exception=exc)):
        return DependencyUnavailable(type(exc).__name__)
    return None


class TranslatingClient:
    """A boto3 client whose API calls raise the named transient errors above; everything else
    (exceptions, meta, paginators) is the client's own."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._operations = set(client.meta.method_to_api_mapping)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in self._operations:
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                translated = transient_error(exc)
                if translated is None:
                    raise
                raise translated from exc

        return call


@cache
def _session() -> Any:
    import boto3  # imported on first use: keeps handler import time low

    return boto3.session.Session()  # our own: boto3's default one is shared with whatever else imports boto3


def new_client(service: str) -> Any:
    """A client of its own (connection pool, retry quota) on the process's one session, which loads the
    endpoint, partition and retry data once for all its clients: a session per client cost every client
    after the first 50-80 ms more on a cold start, while the caller on the phone waits."""
    with _lock:  # a session is not thread-safe while it creates clients
        return TranslatingClient(_session().client(service, config=client_config()))


@cache
def _client(service: str) -> Any:
    return new_client(service)


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


def secretsmanager() -> Any:
    return _client("secretsmanager")


def events() -> Any:
    return _client("events")


def cloudwatch() -> Any:
    return _client("cloudwatch")


def reset_clients() -> None:
    """Forget cached clients and their session (tests and the local runtime start a fresh moto world)."""
    _client.cache_clear()
    _session.cache_clear()
