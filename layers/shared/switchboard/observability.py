"""The one place that makes Logger, Tracer and Metrics (service name and namespace come from Globals).

Every log line is redacted before it is written (phone numbers, emails, card numbers, one-time
codes in any wording), whatever a caller passes as message, extra keys or exception text."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord
from aws_lambda_powertools.metrics import MetricUnit

from .masking import redact_text

# Powertools' own keys: ids and timestamps, never customer text (a trace id may hold digit runs)
_OWN_KEYS = frozenset(
    {"level", "location", "timestamp", "service", "sampling_rate", "xray_trace_id", "cold_start", "function_name"}
    | {"function_memory_size", "function_arn", "function_request_id", "correlation_id"}
)


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


logger = Logger(log_uncaught_exceptions=True, logger_formatter=RedactingFormatter())
tracer = Tracer()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
