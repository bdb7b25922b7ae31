"""Routing policy as data (data/routing.json): intent -> queue, priority, SLAs, automation."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, get_args

from ..config import settings
from .business_time import BusinessHours
from .models import PRIORITY_RANK, Priority, Route

_POLICY_FILE = Path(__file__).parents[1] / "data" / "routing.json"


@cache
def policy() -> dict[str, Any]:
    return json.loads(_POLICY_FILE.read_text(encoding="utf-8"))


def _sla(seconds: int) -> int:
    override = settings().sla_seconds_override
    return override if override > 0 else seconds


def route_for(intent: str, priority: Priority | None = None) -> Route:
    rule = policy()["intents"][intent]
    return Route(
        queue=rule["queue"],
        priority=raise_priority(rule["priority"], priority) if priority else rule["priority"],
        slaSeconds=_sla(rule["slaSeconds"]),
        supervisorSlaSeconds=_sla(rule["supervisorSlaSeconds"]),
        automatic=rule["automatic"],
        requiresAuthentication=rule["requiresAuthentication"],
    )


def queue_sla_seconds(queue: str) -> int:
    return _sla(policy()["queueSlaSeconds"][queue])


def ivr_intent(choice: str | None) -> str | None:
    if not choice:
        return None
    return policy()["ivrMenu"].get(choice[:1])


def ivr_menu() -> dict[str, str]:
    return {k: v for k, v in policy()["ivrMenu"].items() if not k.startswith("_")}


def limit(name: str) -> dict[str, Any]:
    """An abuse limit of the policy: {"max": n, "windowSeconds": s}."""
    return policy()["limits"][name]


def confidence_threshold() -> float:
    return float(policy()["confidenceThreshold"])


def raise_priority(current: Priority, floor: Priority | None) -> Priority:
    """The more urgent of two priorities."""
    if floor is None:
        return current
    return min(current, floor, key=lambda p: PRIORITY_RANK[p])


def one_step_up(priority: Priority) -> Priority:
    order: list[Priority] = sorted(get_args(Priority), key=PRIORITY_RANK.__getitem__)
    return order[max(0, PRIORITY_RANK[priority] - 1)]


def business_hours(queue: str) -> BusinessHours:
    """The queue's opening hours (routing data); 24x7 when SLAs are overridden (local runs in seconds)."""
    if settings().sla_seconds_override > 0:
        return BusinessHours()
    hours = policy()["businessHours"]
    return BusinessHours.from_policy(hours.get("queues", {}).get(queue, hours["default"]))


def first_response_seconds(queue: str) -> int:
    rule = policy()["clocks"]["firstResponseSeconds"]
    return _sla(int(rule.get(queue, rule["default"])))


def at_risk_seconds() -> int:
    """A running clock due within this many seconds is at risk (GET /queues, the desk's amber)."""
    return int(policy()["clocks"]["atRiskSeconds"])


def regulatory_rule(intent: str | None) -> dict[str, Any] | None:
    """{"days", "maxExtensionDays"} when the intent carries a regulator's deadline (complaints), else None."""
    rule = policy()["clocks"]["regulatory"]
    return rule if intent in rule["intents"] else None
