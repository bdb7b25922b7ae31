"""Named domain exceptions. Their class names are the error names the ASL Retry/Catch matches."""

from __future__ import annotations

import json
from typing import Any


class SwitchboardError(Exception):
    """Base of every domain error."""


class TransientError(SwitchboardError):
    """A dependency was briefly unavailable; the state machine retries with backoff."""


class CaseNotFound(SwitchboardError):
    pass


class TaskNotFound(SwitchboardError):
    pass


class CustomerNotFound(SwitchboardError):
    pass


class VerificationFailed(SwitchboardError):
    """The customer failed the one-time-code check (too many wrong codes)."""


class NotificationDeliveryError(SwitchboardError):
    """The channel refused or failed to deliver a message; retried, then recorded."""


# Intake: a request that repeats another.
class IdempotencyConflict(SwitchboardError):
    """The same idempotency key came with a different body."""

    def __init__(self, key: str, field: str) -> None:
        super().__init__(key)
        self.field = field


class DuplicateInProgress(SwitchboardError):
    """The same request is still being processed by another call."""


# One-time codes: what the customer's answer ran into.
class CodeRejected(SwitchboardError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"incorrect code; {attempts_left} attempt(s) left")
        self.attempts_left = attempts_left


class NoCodePending(SwitchboardError):
    """No verification is waiting on this case (never asked, already passed, failed or expired)."""


class TooManyAttempts(SwitchboardError):
    """Every guess this code allows has been taken (the case is with a human now)."""


class CustomerUnreachable(SwitchboardError):
    """An agent's message could not go to the customer (no contact on file, or its message limit
    reached): the case goes back to the agent instead of waiting for an answer that cannot come."""


class CaseAlreadyClosed(SwitchboardError):
    """A customer's message on a case that is closed."""


class TaskConflict(SwitchboardError):
    """An agent action that the task's state does not allow (already done, claimed by another, expired)."""


class Forbidden(SwitchboardError):
    """The caller may not act on this resource."""


class AtCapacity(SwitchboardError):
    """The agent already holds as many claimed tasks as their capacity allows."""

    def __init__(self, agent_id: str, capacity: int) -> None:
        super().__init__(f"agent {agent_id} holds {capacity} claimed task(s), their capacity")
        self.capacity = capacity


# Transient errors by cause: the adapters raise them (see aws.py), the ASL retries each by name with
# backoff and full jitter, the API answers 503 with Retry-After.
class DependencyThrottled(TransientError):
    """An AWS service throttled the call (after the SDK's own retries)."""


class DependencyUnavailable(TransientError):
    """An AWS service failed (5xx), timed out or could not be reached (after the SDK's own retries)."""


class ConcurrentUpdate(TransientError):
    """A conditional write lost a race that a fresh attempt wins (e.g. a session's case not written yet)."""


def failure_message(failure: dict[str, Any]) -> str:
    """The readable part of a Catch's Cause (a Lambda error's errorMessage, not its stack trace)."""
    cause = str(failure.get("Cause") or "")
    try:
        return str(json.loads(cause).get("errorMessage", cause))
    except (ValueError, AttributeError):
        return cause
