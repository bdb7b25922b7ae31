"""The one place that makes Logger, Tracer and Metrics (service name and namespace come from Globals).

Every log line is redacted before it is written (phone numbers, emails, card numbers, one-time
codes in any wording), whatever a caller passes as message, extra keys or exception text.

The tracer is Powertools' Tracer made on the first traced call instead of at import: with tracing on,
making it imports the X-Ray SDK and patches botocore, most of a handler's cold import, and the Connect
caller waits on it. Only botocore is patched (every AWS call goes through it); `patch_all` would also
import and patch requests, httplib, sqlite3... which no function uses. With SnapStart, `warm()` runs it
before the snapshot instead (functions/connect/app.py)."""

from __future__ import annotations

import functools
import threading
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord
from aws_lambda_powertools.metrics import MetricUnit

from .domain.masking import redact_text

# Powertools' own keys: ids and timestamps, never customer text (a trace id may hold digit runs)
_OWN_KEYS = frozenset(
    {"level", "location", "timestamp", "service", "sampling_rate", "xray_trace_id", "cold_start", "function_name"}
    | {"function_memory_size", "function_arn", "function_request_id", "correlation_id"}
)

PATCHED_MODULES = ("botocore",)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact_text(str(value))  # an exception or any object the serializer would str()


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize({k: v if k in _OWN_KEYS else _redacted(v) for k, v in log.items()})


class LazyTracer:
    """Powertools' Tracer behind the same decorator, made once, on first use (thread-safe)."""

    def __init__(self, patch_modules: tuple[str, ...] = PATCHED_MODULES) -> None:
        self._patch_modules = patch_modules
        self._tracer: Any = None
        self._lock = threading.Lock()

    def warm(self) -> Any:
        """Make the Tracer now (import the X-Ray SDK, patch botocore); answers it."""
        if self._tracer is None:
            with self._lock:
                if self._tracer is None:
                    from aws_lambda_powertools import Tracer

                    self._tracer = Tracer(patch_modules=self._patch_modules)
        return self._tracer

    def capture_lambda_handler(self, handler: Any) -> Any:
        traced: list[Any] = []

        @functools.wraps(handler)
        def capture(event: Any, context: Any) -> Any:
            if not traced:
                traced.append(self.warm().capture_lambda_handler(handler))
            return traced[0](event, context)

        return capture

    def __getattr__(self, name: str) -> Any:  # put_annotation, capture_method, ... on the real Tracer
        return getattr(self.warm(), name)


def before_snapshot(warm: Any) -> None:
    """With SnapStart (template.yaml), run `warm` before the snapshot is taken, so a restored environment
    answers its first call warm. The runtime's hook module exists only on Lambda (Python 3.12+)."""
    try:
        from snapshot_restore_py import register_before_snapshot  # type: ignore[import-not-found]
    except ImportError:
        return
    register_before_snapshot(warm)


logger = Logger(log_uncaught_exceptions=True, logger_formatter=RedactingFormatter())
tracer = LazyTracer()
metrics = Metrics()

__all__ = ["MetricUnit", "before_snapshot", "logger", "metrics", "tracer"]
