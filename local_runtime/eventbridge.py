"""EventBridge rules whose target is a function, as the service delivers them: moto keeps the buses,
rules, archives and replays, and matches each event against each rule's pattern, but it cannot deliver to
Lambda (it raises NotImplementedError). `install()` wraps moto's `Rule.send_to_targets` so that a rule's
Lambda targets get the event as EventBridge sends it (ISO time, no moto-internal keys), asynchronously and
in order, on one delivery thread, with EventBridge's retries; other targets (the archive) stay moto's.

The rules come from the template (a function's `EventBridgeRule` events: provision.create_event_rules)."""

from __future__ import annotations

import copy
import logging
import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

from . import lambda_hook

log = logging.getLogger(__name__)
ATTEMPTS = 3  # EventBridge retries a failed delivery (185 times over 24 h by default); a few here


class Delivery:
    """The runtime's delivery thread: events for functions, in the order they were put."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self.undelivered: list[tuple[str, dict[str, Any], Any]] = []  # what would go to the rule's DLQ
        self._thread = threading.Thread(target=self._run, name="eventbridge-delivery", daemon=True)
        self._thread.start()

    def put(self, arn: str, event: dict[str, Any]) -> None:
        self._queue.put((arn, event))

    def drain(self, timeout: float = 20.0) -> None:
        """Wait until every event put so far was delivered (or given up on)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout}s delivering {self._queue.unfinished_tasks} event(s)")
            time.sleep(0.02)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
            finally:
                self._queue.task_done()

    def _deliver(self, arn: str, event: dict[str, Any]) -> None:
        try:
            function = lambda_hook.lookup(arn)
        except KeyError:
            self.undelivered.append((arn, event, "no such function"))
            return
        error: Any = None
        for attempt in range(ATTEMPTS):
            payload, error = lambda_hook.invoke(function, event)
            if not error:
                return
            error = payload
            time.sleep(0.05 * 2**attempt)
        log.warning("event %s not delivered to %s: %s", event.get("id"), arn, error)
        self.undelivered.append((arn, event, error))


_delivery: Delivery | None = None
_installed = False


def start() -> Delivery:
    global _delivery
    _delivery = Delivery()
    return _delivery


def stop() -> None:
    global _delivery
    if _delivery is not None:
        _delivery.stop()
        _delivery = None


def as_delivered(event: dict[str, Any]) -> dict[str, Any]:
    """moto's event message as EventBridge hands it to a function."""
    delivered = {k: v for k, v in event.items() if k not in ("ingestion-time",)}
    if isinstance(delivered.get("time"), (int, float)):
        delivered["time"] = datetime.fromtimestamp(delivered["time"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return delivered


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.events.models import Rule
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        functions = [t for t in self.targets if parse_arn(t["Arn"]).service == "lambda"]
        if not functions:
            return original(self, original_event, transform_input)
        if self.event_pattern.matches_event(original_event) and _delivery is not None:
            for target in functions:
                _delivery.put(target["Arn"], as_delivered(copy.deepcopy(original_event)))
        others = [t for t in self.targets if t not in functions]
        if others:
            rest = copy.copy(self)
            rest.targets = others
            original(rest, original_event, transform_input)
        return None

    setattr(Rule, "send_to_targets", send_to_targets)  # noqa: B010 - moto's method, wrapped
    _installed = True
