"""The projection of the case events (ProjectEventsFunction, subscribed to the case bus by a rule):
each event becomes changes to the case's and the task's facts and to the day's counters, applied once
per event key, so a retried step, a redelivery or a replay of the bus archive never counts twice.

Facts hold ids, vocabularies, times and scores only (the events carry no personal data). Days are
China Standard Time dates (UTC+8, no daylight saving), the centre's and the regulator's calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..adapters.repository.reports import Change, ReportStore
from ..domain.clock import parse_iso
from ..observability import MetricUnit, logger, metrics

CHINA = timezone(timedelta(hours=8))


def day_of(at: str) -> str:
    return parse_iso(at).astimezone(CHINA).date().isoformat()


class CaseEvent(BaseModel):
    """An EventBridge event of the case bus (source switchboard.cases) as the rule delivers it."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    id: str
    detail_type: str
    detail: dict[str, Any]

    @classmethod
    def from_eventbridge(cls, event: dict[str, Any]) -> CaseEvent:
        return cls(id=event["id"], detail_type=event["detail-type"], detail=event["detail"])

    @property
    def key(self) -> str:
        """The fact's own key (the publisher's); EventBridge's id only for an event that names none."""
        return str(self.detail.get("eventKey") or self.id)

    @property
    def at(self) -> str:
        return str(self.detail["at"])


def _case(d: dict[str, Any]) -> tuple[str, str]:
    return f"CASE#{d['caseId']}", "CASE"


def _task(d: dict[str, Any]) -> tuple[str, str]:
    return f"TASK#{d['taskId']}", "TASK"


def counter(day: str, name: str) -> Change:
    return Change(f"DAY#{day}", name, add={"count": 1})


def _known(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _received(e: CaseEvent) -> list[Change]:
    d, day = e.detail, day_of(e.at)
    fact = Change(
        *_case(d),
        set=_known(channel=d.get("channel")),
        set_if_absent={"caseId": d["caseId"], "openedAt": e.at, "day": day},
    )
    return [fact, counter(day, f"contacts|channel={d.get('channel')}")]


def _classified(e: CaseEvent) -> list[Change]:
    d, day = e.detail, day_of(e.at)
    fact = Change(
        *_case(d),
        set=_known(
            intent=d.get("intent"),
            language=d.get("language"),
            queue=d.get("queue"),
            secondaryIntent=d.get("secondaryIntent"),
            channel=d.get("channel"),
        ),
        set_if_absent={"caseId": d["caseId"]},
    )
    return [
        fact,
        counter(day, f"contacts|language={d.get('language')}"),
        counter(day, f"contacts|intent={d.get('intent')}"),
    ]


def _repeat(e: CaseEvent) -> list[Change]:
    d = e.detail
    earlier = [
        Change(f"CASE#{other}", "CASE", add={"repeatedBy": {d["caseId"]}}, set_if_absent={"caseId": other})
        for other in d.get("repeatOf") or []
    ]
    return [
        *earlier,
        Change(*_case(d), set={"repeatContact": True}),
        counter(day_of(e.at), f"repeats|channel={d.get('channel')}"),
    ]


def _merged(e: CaseEvent) -> list[Change]:
    d = e.detail
    into = Change(f"CASE#{d['into']}", "CASE", add={"repeatedBy": {d["caseId"]}}, set_if_absent={"caseId": d["into"]})
    return [Change(*_case(d), set={"mergedInto": d["into"]}), into]


def _escalated(e: CaseEvent) -> list[Change]:
    d = e.detail
    fact = Change(*_case(d), set=_known(escalated=True, queue=d.get("queue")), add={"escalatedQueues": {d["queue"]}})
    return [fact, counter(day_of(e.at), f"escalations|queue={d['queue']}")]


def _resolved(e: CaseEvent) -> list[Change]:
    return [
        Change(*_case(e.detail), set_if_absent={"resolvedAt": e.at}, set=_known(handledBy=e.detail.get("handledBy")))
    ]


def _closed(e: CaseEvent) -> list[Change]:
    return [Change(*_case(e.detail), set_if_absent={"closedAt": e.at})]


def _feedback(e: CaseEvent) -> list[Change]:
    score = int(e.detail["score"])
    return [Change(*_case(e.detail), set={"score": score}), counter(day_of(e.at), f"csat|score={score}")]


def _replied(e: CaseEvent) -> list[Change]:
    return [Change(*_case(e.detail), add={"customerReplies": 1})]


def _regulatory_due(clocks: list[dict[str, Any]]) -> str | None:
    return next((c["dueAt"] for c in clocks if c["name"] == "regulatory"), None)


def _task_opened(e: CaseEvent) -> list[Change]:
    d, day = e.detail, day_of(e.at)
    clocks = d.get("clocks") or []
    fact = Change(
        *_task(d),
        set=_known(
            caseId=d["caseId"], queue=d.get("queue"), tier=d.get("tier"), kind=d.get("kind"), intent=d.get("intent")
        ),
        set_if_absent={
            "taskId": d["taskId"],
            "openedAt": e.at,
            "day": day,
            "backlogQueue": d.get("queue"),
            "clocksDue": {c["name"]: c["dueAt"] for c in clocks},
        },
    )
    changes = [fact, counter(day, f"tasks|queue={d.get('queue')}")]
    due = _regulatory_due(clocks)
    if due:
        changes.append(Change(*_case(d), set_if_absent={"regulatoryDueAt": due}))
    return changes


def _claimed(e: CaseEvent) -> list[Change]:
    d = e.detail
    fact = Change(*_task(d), set={"claimedBy": d["agentId"]}, set_if_absent={"firstClaimAt": e.at})
    return [fact, counter(day_of(e.at), f"claims|agent={d['agentId']}")]


def _outcomes(d: dict[str, Any], detail_type: str) -> dict[str, str]:
    """Each clock the task's end settled: at completion every clock is met or breached; at expiry only the
    breached ones are settled (a regulatory clock not yet due goes on with the supervisors' task)."""
    results = {c["name"]: "breached" if c.get("breached") else "met" for c in d.get("clocks") or []}
    if detail_type == "TaskExpired":
        return {name: outcome for name, outcome in results.items() if outcome == "breached"}
    return results if detail_type == "TaskCompleted" else {}


def _new_breaches(d: dict[str, Any], detail_type: str) -> list[str]:
    """The clocks whose breach is counted by this event: each breach once, when ClockDue flags it while
    the task is open (ClockBreached), else when the task's end settles it."""
    if detail_type == "ClockBreached":
        return [str(d["clock"])]
    flagged = {c["name"] for c in d.get("clocks") or [] if c.get("flagged")}
    return [n for n, outcome in _outcomes(d, detail_type).items() if outcome == "breached" and n not in flagged]


def _breach_counters(e: CaseEvent) -> list[Change]:
    d, day = e.detail, day_of(e.at)
    return [counter(day, f"breaches|queue={d.get('queue')}|clock={name}") for name in _new_breaches(d, e.detail_type)]


def _completed(e: CaseEvent) -> list[Change]:
    d, day = e.detail, day_of(e.at)
    fact = Change(
        *_task(d),
        set={
            "completedAt": e.at,
            "completedBy": d["agentId"],
            "outcome": d.get("outcome"),
            "clockResults": _outcomes(d, e.detail_type),
        },
        remove=["backlogQueue"],
    )
    changes = [fact, counter(day, f"completed|agent={d['agentId']}"), counter(day, f"completed|queue={d.get('queue')}")]
    due = _regulatory_due(d.get("clocks") or [])
    if due:  # as the task ends: a supervisor's extension is in it
        changes.append(Change(*_case(d), set={"regulatoryDueAt": due}))
    return changes + _breach_counters(e)


def _expired(e: CaseEvent) -> list[Change]:
    d = e.detail
    fact = Change(
        *_task(d), set={"expiredAt": e.at, "clockResults": _outcomes(d, e.detail_type)}, remove=["backlogQueue"]
    )
    return [fact, *_breach_counters(e)]


def _flagged(e: CaseEvent) -> list[Change]:
    """ClockDue flagged a clock breached on an open task (its first response came due unclaimed)."""
    d = e.detail
    return [Change(*_task(d), set={f"flagged_{d['clock']}": e.at}), *_breach_counters(e)]


def _paused(e: CaseEvent) -> list[Change]:
    return [Change(*_task(e.detail), add={"pauses": 1}), counter(day_of(e.at), f"paused|queue={e.detail.get('queue')}")]


def _resumed(e: CaseEvent) -> list[Change]:
    return [Change(*_task(e.detail), add={"resumes": 1})]


HANDLERS: dict[str, Callable[[CaseEvent], list[Change]]] = {
    "CaseReceived": _received,
    "CaseClassified": _classified,
    "RepeatContact": _repeat,
    "CaseMerged": _merged,
    "CaseEscalated": _escalated,
    "CaseResolved": _resolved,
    "CaseClosed": _closed,
    "CaseFeedback": _feedback,
    "CustomerReplied": _replied,
    "TaskOpened": _task_opened,
    "TaskClaimed": _claimed,
    "TaskCompleted": _completed,
    "TaskExpired": _expired,
    "ClockBreached": _flagged,
    "ClocksPaused": _paused,
    "ClocksResumed": _resumed,
}

# The same counters as CloudWatch metrics (EMF), for the dashboard and the alarms.
METRICS = {
    "CaseReceived": "Contacts",
    "CaseEscalated": "Escalations",
    "RepeatContact": "RepeatContacts",
    "TaskOpened": "TasksOpened",
    "TaskCompleted": "TasksCompleted",
    "CaseFeedback": "SurveysAnswered",
}
RESOLVED_METRICS = {"automation": "ResolvedAutomatically", "agent": "ResolvedByAgent"}
CLOCK_METRICS = {"met": "ClocksMet", "breached": "ClocksBreached"}


class Projection:
    def __init__(self, store: ReportStore | None = None) -> None:
        self.store = store or ReportStore()

    def apply(self, event: CaseEvent) -> bool:
        """True when the event changed the figures; False for a fact counted before or a type no figure uses."""
        handler = HANDLERS.get(event.detail_type)
        if handler is None:
            return False
        changes = handler(event)
        if not self.store.apply_once(event.key, event.detail_type, event.at, changes):
            logger.info("case event counted before", extra={"eventKey": event.key})
            return False
        self._measure(event)
        return True

    @staticmethod
    def _measure(event: CaseEvent) -> None:
        """Counted once, like the table: a replay never inflates the dashboard either."""
        names = [METRICS[event.detail_type]] if event.detail_type in METRICS else []
        if event.detail_type == "CaseResolved":  # containment on the dashboard: automated / contacts
            names.append(RESOLVED_METRICS[event.detail.get("handledBy") or "agent"])
        # service level: met / (met + breached), each breach once (as the day counters count it)
        met = [o for o in _outcomes(event.detail, event.detail_type).values() if o == "met"]
        names += [CLOCK_METRICS["met"] for _ in met]
        names += [CLOCK_METRICS["breached"] for _ in _new_breaches(event.detail, event.detail_type)]
        for name in names:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
