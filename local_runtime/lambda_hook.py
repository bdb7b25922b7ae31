"""A botocore before-send handler that answers Lambda Invoke calls by running our handlers in-process.

moto's Step Functions engine invokes Lambda through boto3; without Docker nothing could run the
code, so this hook, placed first among botocore's handlers, intercepts `.../functions/<name>/invocations`
and calls the registered handler, answering the way the Lambda service does (Unhandled errors
carry `X-Amz-Function-Error` and an `errorType` that the ASL's Retry/Catch match)."""

from __future__ import annotations

import io
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

_registry: dict[str, LocalFunction] = {}
_lock = threading.Lock()
_installed = False


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    handler: Callable[[dict[str, Any], Any], Any]
    timeout: int
    memory: int
    invocations: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class LambdaContext:
    """What Powertools reads from the Lambda context object."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    timeout_ms: int = 10_000  # the function's Timeout from the template
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.timeout_ms - int((time.monotonic() - self.started) * 1000))


class _Body(io.BytesIO):
    def stream(self, **_: Any):
        yield self.getvalue()


def register(function: LocalFunction) -> None:
    with _lock:
        _registry[function.name] = function
        _registry[function.arn] = function


def clear() -> None:
    with _lock:
        _registry.clear()


def lookup(name_or_arn: str) -> LocalFunction:
    key = name_or_arn
    if key not in _registry and key.startswith("arn:"):
        key = ":".join(key.split(":")[:7])  # drop a qualifier
    return _registry[key]


_in_flight = 0


def in_flight() -> int:
    """Handler invocations still running (the runtime waits for them before it stops moto)."""
    return _in_flight


def invoke(function: LocalFunction, event: Any) -> tuple[Any, str | None]:
    """Run the handler; answer (payload, function_error)."""
    global _in_flight
    context = LambdaContext(function.name, function.arn, function.memory, timeout_ms=function.timeout * 1000)
    with _lock:
        function.invocations += 1
        _in_flight += 1
    try:
        return function.handler(event, context), None
    except Exception as exc:  # noqa: BLE001 - mirrors the Lambda service: any exception is an Unhandled error
        function.errors.append(type(exc).__name__)
        return {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exception(exc)[-3:],
        }, "Unhandled"
    finally:
        with _lock:
            _in_flight -= 1


def _before_send(request: Any, **_: Any) -> Any:
    url = request.url
    if "/functions/" not in url or not url.split("?")[0].endswith("/invocations"):
        return None
    name = unquote(url.split("/functions/", 1)[1].split("/", 1)[0])
    try:
        function = lookup(name)
    except KeyError:
        from botocore.awsrequest import AWSResponse
        from botocore.compat import HTTPHeaders

        # never let a call meant for the local runtime leave the machine (e.g. after it stopped)
        body = json.dumps({"Type": "User", "message": f"Function not found: {name}"}).encode("utf-8")
        return AWSResponse(
            url, 404, HTTPHeaders.from_dict({"x-amzn-ErrorType": "ResourceNotFoundException"}), _Body(body)
        )
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    body = request.body or b"{}"
    event = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    payload, error = invoke(function, event)
    headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
    if error:
        headers["X-Amz-Function-Error"] = error
    return AWSResponse(
        url, 200, HTTPHeaders.from_dict(headers), _Body(json.dumps(payload, default=str).encode("utf-8"))
    )


def install() -> None:
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.insert(0, ("before-send", _before_send))
    _installed = True
