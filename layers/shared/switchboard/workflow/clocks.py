"""A task's clocks: planned when a human task opens (PlanClocks, before the wait, so the wait's
timeout is computed from them), paused while the case waits on the customer, resumed on the answer
with the due times pushed by the business time that passed, and a regulator's deadline extended once.

Stored on the task as dicts: the view's fields (domain.models.Clock) plus `basis` (business or
calendar time) and, while paused, `remainingSeconds`."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from ..domain.business_time import CALENDAR, BusinessHours
from ..domain.clock import iso, now, parse_iso
from ..domain.models import Clock, ResolutionResult
from ..domain.routing import business_hours, first_response_seconds, queue_sla_seconds, regulatory_rule

WAIT_CLOCKS = ("resolution", "regulatory")  # the deadlines that end the human-task wait (the others show)


def _hours(clock: dict[str, Any], queue: str) -> BusinessHours:
    return CALENDAR if clock.get("basis") == "calendar" else business_hours(queue)


def regulatory_clock(case: dict[str, Any]) -> dict[str, Any] | None:
    """The case's regulator's deadline (complaints): as kept on the case once set, else counted in
    calendar days from the case's opening."""
    if case.get("regulatory"):
        return dict(case["regulatory"])
    rule = regulatory_rule(case.get("intent"))
    if not rule:
        return None
    opened = parse_iso(case.get("createdAt") or iso())
    due = opened + timedelta(days=int(rule["days"]))
    return {"name": "regulatory", "dueAt": iso(due), "paused": False, "breached": False, "basis": "calendar"}


def plan(case: dict[str, Any], request: ResolutionResult, at: datetime | None = None) -> list[dict[str, Any]]:
    """The clocks of a new task of `request`'s queue opened at `at`."""
    at = at or now()
    queue = request.queue or "general"
    hours = business_hours(queue)
    sla = request.slaSeconds or queue_sla_seconds(queue)
    clocks = [
        {"name": "firstResponse", "dueAt": iso(hours.add(at, first_response_seconds(queue))), "basis": "business"},
        {"name": "resolution", "dueAt": iso(hours.add(at, sla)), "basis": "business"},
    ]
    regulatory = regulatory_clock(case)
    if regulatory:
        clocks.append(regulatory)
    return [{"paused": False, "breached": False, **clock} for clock in clocks]


def pause(clocks: list[dict[str, Any]], queue: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """Stop every running clock, keeping the business time it had left."""
    at = at or now()
    paused = []
    for clock in clocks:
        if clock.get("paused") or clock.get("metAt"):
            paused.append(clock)
            continue
        left = _hours(clock, queue).between(at, parse_iso(clock["dueAt"]))
        paused.append({**clock, "paused": True, "remainingSeconds": math.ceil(left)})
    return paused


def resume(clocks: list[dict[str, Any]], queue: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """Start the paused clocks again: each is due after the business time it had left."""
    at = at or now()
    resumed = []
    for clock in clocks:
        if not clock.get("paused"):
            resumed.append(clock)
            continue
        due = _hours(clock, queue).add(at, int(clock.get("remainingSeconds") or 0))
        rest = {k: v for k, v in clock.items() if k != "remainingSeconds"}
        resumed.append({**rest, "dueAt": iso(due), "paused": False})
    return resumed


def extend(clock: dict[str, Any], days: int) -> dict[str, Any]:
    """The regulator's deadline `days` calendar days later (a paused one keeps that much more)."""
    extended = {**clock, "extended": True, "dueAt": iso(parse_iso(clock["dueAt"]) + timedelta(days=days))}
    if clock.get("paused"):
        extended["remainingSeconds"] = int(clock.get("remainingSeconds") or 0) + days * 86400
    return extended


def deadline(clocks: list[dict[str, Any]]) -> str | None:
    """The earliest of the deadlines that end the wait (resolution, regulatory)."""
    due = [c["dueAt"] for c in clocks if c["name"] in WAIT_CLOCKS]
    return min(due, key=parse_iso) if due else None


def watches_first_response(clock: dict[str, Any], claimed: bool) -> bool:
    """A first response still to be met: nobody has taken the task, and it is neither flagged nor paused."""
    return (
        clock["name"] == "firstResponse"
        and not claimed
        and not (clock.get("breached") or clock.get("metAt") or clock.get("paused"))
    )


def alarm(clocks: list[dict[str, Any]], claimed: bool = False) -> str | None:
    """When the human-task wait ends next: the earliest deadline that ends it (resolution, regulatory)
    or, while nobody has taken the task, its first response's due time (that one ends the wait only to
    flag the breach; the task then waits again, see Escalations.clock_due)."""
    due = [c["dueAt"] for c in clocks if c["name"] in WAIT_CLOCKS or watches_first_response(c, claimed)]
    return min(due, key=parse_iso) if due else None


def wait_seconds(clocks: list[dict[str, Any]], at: datetime | None = None, claimed: bool = False) -> int:
    """Seconds from `at` to the wait's next alarm (at least 1: a wait of 0 is no wait)."""
    due = alarm(clocks, claimed)
    if due is None:
        raise ValueError("clocks: no resolution clock")
    return max(1, math.ceil((parse_iso(due) - (at or now())).total_seconds()))


def first_response_breached(clocks: list[dict[str, Any]], at: datetime) -> list[dict[str, Any]] | None:
    """The clocks with the first response flagged breached when it came due unmet by `at`, else None."""
    first = next((c for c in clocks if watches_first_response(c, claimed=False)), None)
    if first is None or parse_iso(first["dueAt"]) > at:
        return None
    return [{**c, "breached": True} if c is first else c for c in clocks]


def views(task: dict[str, Any], at: datetime | None = None) -> list[Clock]:
    """The clocks as a task view shows them: firstResponse is met by the first claim; a clock is
    breached when it came due before it was met (or the task was done, or now)."""
    at = at or now()
    shown = []
    for clock in task.get("clocks") or []:
        met = clock.get("metAt") or (task.get("claimedAt") if clock["name"] == "firstResponse" else None)
        end = parse_iso(met or task.get("completedAt") or iso(at))
        breached = bool(clock.get("breached")) or (not clock.get("paused") and end > parse_iso(clock["dueAt"]))
        shown.append(Clock.model_validate({**clock, "metAt": met, "breached": breached}))
    return shown
