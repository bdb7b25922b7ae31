"""Fault injection for the chaos suite and `make chaos`: a botocore before-send hook that fails a share
of the calls (every attempt, so the SDK's own retries see them too) of chosen AWS operations, answering
with that service's own throttling or internal error, as the service would on a bad day.

The faulted call still reaches moto: botocore hands a request to every before-send handler and takes
the first answer, so the fault replaces moto's answer and the write has happened all the same. That is
the harder case, an answer lost on its way back (an idempotency record or a case already written when
the retry comes); a throttled call that AWS refused outright would be the easier one.

Inert until `inject()` is used; only the calls made while a plan is active are touched."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# operation -> (protocol, throttling error code); 5xx errors use the protocol's internal error
OPERATIONS: dict[str, tuple[str, str]] = {
    "dynamodb.PutItem": ("json", "ProvisionedThroughputExceededException"),
    "dynamodb.UpdateItem": ("json", "ProvisionedThroughputExceededException"),
    "dynamodb.GetItem": ("json", "ProvisionedThroughputExceededException"),
    "dynamodb.Query": ("json", "ProvisionedThroughputExceededException"),
    "sns.Publish": ("query", "Throttling"),
    "ses.SendEmail": ("query", "Throttling"),
    "eventbridge.PutEvents": ("json", "ThrottlingException"),
    "sfn.SendTaskSuccess": ("json", "ThrottlingException"),
}

_lock = threading.Lock()
_installed = False


@dataclass
class FaultPlan:
    operations: tuple[str, ...]
    rate: float
    seed: int = 0
    calls: Counter = field(default_factory=Counter)
    injected: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        unknown = [op for op in self.operations if op not in OPERATIONS]
        if unknown:
            raise ValueError(f"no fault defined for {unknown}; known: {sorted(OPERATIONS)}")
        # one sequence per operation: the n-th call of an operation meets the same fate in every run,
        # however the threads interleave
        self._random = {op: random.Random(f"{self.seed}:{op}") for op in self.operations}

    def decide(self, operation: str) -> str | None:
        """None: let the call through. Else how it fails: "throttle" or "error" (a 5xx)."""
        if operation not in self.operations:
            return None
        with _lock:
            self.calls[operation] += 1
            if self._random[operation].random() >= self.rate:
                return None
            self.injected[operation] += 1
            return "throttle" if self._random[operation].random() < 0.5 else "error"


_plan: FaultPlan | None = None
_local = threading.local()


@contextmanager
def exempt() -> Iterator[None]:
    """Calls made by this thread inside the block are never faulted (a chaos run's own observations)."""
    _local.exempt = True
    try:
        yield
    finally:
        _local.exempt = False


def _error_response(url: str, operation: str, throttle: bool) -> Any:
    from botocore.awsrequest import AWSResponse

    from .lambda_hook import _Body

    protocol, throttle_code = OPERATIONS[operation]
    status, code = (400, throttle_code) if throttle else (500, "InternalFailure")
    if protocol == "json":
        code = code if throttle else ("InternalServerError" if operation.startswith("dynamodb") else code)
        body = json.dumps({"__type": code, "message": "injected fault"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}
    else:
        body = (
            f"<ErrorResponse><Error><Type>{'Sender' if throttle else 'Receiver'}</Type><Code>{code}</Code>"
            "<Message>injected fault</Message></Error><RequestId>chaos</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    return AWSResponse(url, status, headers, _Body(body))  # type: ignore[arg-type]  # botocore reads it as a mapping


def _before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    plan = _plan
    if plan is None or getattr(_local, "exempt", False):
        return None
    operation = ".".join(event_name.split(".")[1:3])  # before-send.<service>.<Operation>
    failure = plan.decide(operation)
    if failure is None:
        return None
    return _error_response(request.url, operation, throttle=failure == "throttle")


@contextmanager
def inject(operations: str | tuple[str, ...], rate: float, seed: int = 0) -> Iterator[FaultPlan]:
    """Fail `rate` of the attempts of `operations` while the block runs; answers the plan (counts)."""
    global _plan
    install()
    plan = FaultPlan((operations,) if isinstance(operations, str) else tuple(operations), rate, seed)
    _plan = plan
    try:
        yield plan
    finally:
        _plan = None


def install() -> None:
    """Place the hook first among botocore's handlers; clients created afterwards carry it."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.insert(0, ("before-send", _before_send))
    _installed = True
