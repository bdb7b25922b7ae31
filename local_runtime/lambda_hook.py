"""A botocore before-send handler that answers Lambda Invoke calls by running our handlers in-process.

moto's Step Functions engine invokes Lambda through boto3; without Docker nothing could run the
code, so this hook, placed first among botocore's handlers, intercepts `.../functions/<name>/invocations`
and calls the registered handler, answering the way the Lambda service does (Unhandled errors
carry `X-Amz-Function-Error` and an `errorType` that the ASL's Retry/Catch match)."""

from __future__ import annotations

import functools
import io
import itertools
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .moto_patches import ANSWERED

_registry: dict[str, LocalFunction] = {}
_lock = threading.Lock()
_installed = False


class Environments:
    """A function's execution environments, as Lambda keeps them: an invocation takes an idle one or,
    when every one is busy, starts another (a cold start: the handler module runs afresh). A module's
    globals (Powertools' resolver and its current_event, a use case object) are therefore never
    shared by two invocations at once, which in-process threads would otherwise do, and each
    environment makes its own AWS clients (see _clients_per_environment)."""

    def __init__(self, load: Callable[[int], Callable[[Any, Any], Any]]) -> None:
        self._load = load  # builds environment n: runs the handler module, answers its handler
        self._idle: list[tuple[int, Callable[[Any, Any], Any]]] = []
        self._lock = threading.Lock()
        self.started = 0
        self._idle.append(self._start())  # the first one at registration, like the template's deploy

    def _start(self) -> tuple[int, Callable[[Any, Any], Any]]:
        """A new environment: its number, unique in the process (its clients are its own), and its handler."""
        with self._lock:
            self.started += 1
            number = self.started
        environment = next(_environment_numbers)
        with _in_environment(environment):
            return environment, self._load(number)

    def __call__(self, event: Any, context: Any) -> Any:
        with self._lock:
            taken = self._idle.pop() if self._idle else None
        environment, handler = taken or self._start()
        try:
            with _in_environment(environment):
                return handler(event, context)
        finally:
            with self._lock:
                self._idle.append((environment, handler))


_environment_numbers = itertools.count(1)
_environment = threading.local()  # the execution environment whose code this thread is running


@contextmanager
def _in_environment(environment: int) -> Iterator[None]:
    outer = getattr(_environment, "current", None)  # an invocation nested in another's returns to it
    _environment.current = environment
    try:
        yield
    finally:
        _environment.current = outer


def _clients_per_environment() -> None:
    """Our layer keeps one client per service per process (switchboard.adapters.aws), which on Lambda is
    one per execution environment. Here environments share a process, and sharing clients would share
    each client's retry quota too: botocore's standard mode stops retrying once a client's quota is
    spent, so a burst of faults across every environment (`make chaos`) starved them all of retries,
    which Lambda's separate environments never do. Each environment makes its own, as a cold start does;
    code outside any invocation (the runtime, tests) shares the process's."""
    from switchboard.adapters import aws

    if getattr(aws._client, "per_environment", False):
        return

    @functools.cache
    def environment_client(environment: int | None, service: str) -> Any:
        return aws.new_client(service)

    def client(service: str) -> Any:
        return environment_client(getattr(_environment, "current", None), service)

    client.cache_clear = environment_client.cache_clear  # type: ignore[attr-defined]  # reset_clients' call
    client.per_environment = True  # type: ignore[attr-defined]
    aws._client = client  # type: ignore[assignment]


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
    cpu_seconds: float = 0.0  # its handlers' own CPU (their threads', less any invocation nested in them)


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
_cpu = threading.local()  # per thread: the CPU of invocations nested in the one running (not counted twice)


def nested_cpu_seconds() -> float:
    """CPU of the invocations that have run nested in this thread's current one (or, outside any, on this
    thread so far): a meter around other work subtracts what handlers took inside it."""
    return getattr(_cpu, "nested", 0.0)


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
    outer_nested = getattr(_cpu, "nested", 0.0)
    _cpu.nested = 0.0
    started = time.thread_time()
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
        spent = time.thread_time() - started
        own = spent - _cpu.nested
        _cpu.nested = outer_nested + spent
        with _lock:
            function.cpu_seconds += own
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
        request.context[ANSWERED] = True
        return AWSResponse(
            url, 404, HTTPHeaders.from_dict({"x-amzn-ErrorType": "ResourceNotFoundException"}), _Body(body)
        )
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    body = request.body or b"{}"
    event = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    payload, error = invoke(function, event)
    request.context[ANSWERED] = True  # botocore asks moto too and keeps this answer: moto leaves it (patch 22)
    headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
    if error:
        headers["X-Amz-Function-Error"] = error
    return AWSResponse(
        url, 200, HTTPHeaders.from_dict(headers), _Body(json.dumps(payload, default=str).encode("utf-8"))
    )


_per_thread = threading.local()


def _isolate_powertools_routers() -> None:
    """Powertools' resolver keeps the request being answered in class attributes
    (`BaseRouter.current_event`, `.lambda_context`): one per process, which on Lambda serves one
    invocation at a time. Here concurrent invocations share a process on different threads, so a
    handler could read another request's event (its body, its Authorization). Each thread gets its
    own, as each Lambda execution environment has."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    if type(BaseRouter).__name__ == "_PerThreadRequest":
        return

    def per_thread(name: str) -> property:
        return property(lambda _: getattr(_per_thread, name, None), lambda _, value: setattr(_per_thread, name, value))

    class _PerThreadRequest(type(BaseRouter)):  # type: ignore[misc]  # the metaclass: class-level get and set
        current_event = per_thread("current_event")
        lambda_context = per_thread("lambda_context")

    # instance-level reads (self.current_event) find these in the class; then the class's own get and set
    # go through the metaclass (setattr: the stubs type these attributes as the values they hold)
    setattr(BaseRouter, "current_event", per_thread("current_event"))  # noqa: B010
    setattr(BaseRouter, "lambda_context", per_thread("lambda_context"))  # noqa: B010
    setattr(BaseRouter, "__class__", _PerThreadRequest)  # noqa: B010


def _discard_disabled_metrics() -> None:
    """With POWERTOOLS_METRICS_DISABLED (the local default) Powertools' flush prints nothing but keeps
    the metric set, so every invocation's metrics pile up in the process until add_metric prints the
    pile once a metric reaches 100 values (a burst of EMF JSON in `make chaos`'s table). On Lambda the
    flush prints and clears; here a disabled flush clears too, and an empty one (most invocations) is
    silent instead of warning."""
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled
    from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

    flush = AmazonCloudWatchEMFProvider.flush_metrics
    if getattr(flush, "_clears_when_disabled", False):
        return

    def flush_metrics(self: AmazonCloudWatchEMFProvider, raise_on_empty_metrics: bool = False) -> None:
        if is_metrics_disabled() or not self.metric_set:
            self.clear_metrics()
            return
        flush(self, raise_on_empty_metrics)

    flush_metrics._clears_when_disabled = True  # type: ignore[attr-defined]
    AmazonCloudWatchEMFProvider.flush_metrics = flush_metrics  # type: ignore[method-assign]


def install() -> None:
    global _installed
    if _installed:
        return
    _isolate_powertools_routers()
    _discard_disabled_metrics()
    _clients_per_environment()
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.insert(0, ("before-send", _before_send))
    _installed = True
