"""The figures of GET /reports and the yearly complaint table, read from the projection (projection.py);
each figure's definition is in domain/reports.py, where the OpenAPI document takes it from."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from ..adapters.repository.reports import ReportStore
from ..domain.clock import now, parse_iso
from ..domain.reports import (
    AgentFigures,
    BacklogBucket,
    Complaints,
    Containment,
    Csat,
    DailyFigures,
    Distribution,
    FirstContactResolution,
    Report,
    ServiceLevel,
)

MAX_DAYS = 366
QUEUES = ("account_support", "payments", "disputes", "complaints", "general", "supervisors")
AGES = (("under1h", 3600), ("1to4h", 4 * 3600), ("4to24h", 24 * 3600), ("over24h", math.inf))


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def distribution(seconds: list[float]) -> Distribution:
    if not seconds:
        return Distribution(count=0, medianSeconds=None, p90Seconds=None)
    ordered = sorted(seconds)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return Distribution(
        count=len(ordered), medianSeconds=round(statistics.median(ordered), 3), p90Seconds=round(p90, 3)
    )


def between(start: str, end: str) -> float:
    return (parse_iso(end) - parse_iso(start)).total_seconds()


def days(first: date, last: date) -> list[str]:
    if last < first:
        raise ValueError("to: must not be before from")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"to: at most {MAX_DAYS} days from `from`")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def complaint_type(case: dict[str, Any]) -> str:
    return str(case.get("secondaryIntent") or "general")


def complaint_figures(complaints: list[dict[str, Any]], at: datetime) -> Complaints:
    closed = [c for c in complaints if c.get("closedAt")]
    handling = sorted(round(between(c["openedAt"], c["closedAt"]) / 86400, 2) for c in closed if c.get("openedAt"))
    within = [c for c in closed if c.get("regulatoryDueAt") and c["closedAt"] <= c["regulatoryDueAt"]]
    judged = [
        c
        for c in complaints
        if c.get("closedAt") or (c.get("regulatoryDueAt") and parse_iso(c["regulatoryDueAt"]) < at)
    ]
    return Complaints(
        count=len(complaints),
        byType=dict(sorted(Counter(complaint_type(c) for c in complaints).items())),
        closed=len(closed),
        shareClosed=share(len(closed), len(complaints)),
        medianHandlingDays=round(statistics.median(handling), 2) if handling else None,
        maxHandlingDays=handling[-1] if handling else None,
        withinRegulatory=len(within),
        shareWithinRegulatory=share(len(within), len(judged)),
    )


class Reports:
    def __init__(self, store: ReportStore | None = None) -> None:
        self.store = store or ReportStore()

    def _facts(self, period: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        facts = [fact for day in period for fact in self.store.facts_of_day(day)]
        cases = [f for f in facts if f["pk"].startswith("CASE#") and f.get("openedAt")]
        tasks = [f for f in facts if f["pk"].startswith("TASK#")]
        return cases, tasks

    def report(self, first: date, last: date, queue: str | None = None) -> Report:
        period = days(first, last)
        at = now()
        cases, tasks = self._facts(period)
        if queue:
            cases = [c for c in cases if c.get("queue") == queue]
            tasks = [t for t in tasks if t.get("queue") == queue]
        own = [c for c in cases if not c.get("mergedInto")]  # a merged contact is part of its open case
        resolved = [c for c in own if c.get("resolvedAt")]
        first_contact = [c for c in resolved if not c.get("repeatedBy")]  # the customer did not come back
        contained = [c for c in first_contact if not c.get("escalated")]
        workflow_tasks = [t for t in tasks if t.get("kind", "workflow") == "workflow"]
        closed = [c for c in own if c.get("closedAt")]
        scores = [int(c["score"]) for c in own if c.get("score") is not None]
        counters = {day: self.store.counters_of_day(day) for day in period}
        return Report(
            from_=first,
            to=last,
            queue=queue,
            contactsByChannel=dict(sorted(Counter(str(c.get("channel")) for c in cases).items())),
            contactsByLanguage=dict(sorted(Counter(str(c["language"]) for c in cases if c.get("language")).items())),
            containment=Containment(cases=len(own), contained=len(contained), rate=share(len(contained), len(own))),
            firstContactResolution=FirstContactResolution(
                resolved=len(resolved), firstContact=len(first_contact), rate=share(len(first_contact), len(resolved))
            ),
            escalationsByQueue=dict(sorted(Counter(str(t.get("queue")) for t in workflow_tasks).items())),
            serviceLevel=self._service_level(workflow_tasks),
            firstResponse=distribution(
                [
                    between(t["openedAt"], t["firstClaimAt"])
                    for t in workflow_tasks
                    if t.get("firstClaimAt") and t.get("openedAt")
                ]
            ),
            handling=distribution(
                [
                    between(t["firstClaimAt"], t["completedAt"])
                    for t in workflow_tasks
                    if t.get("firstClaimAt") and t.get("completedAt")
                ]
            ),
            backlog=self._backlog(queue, at),
            csat=Csat(
                distribution={str(n): scores.count(n) for n in range(1, 6)},
                average=round(statistics.mean(scores), 2) if scores else None,
                closed=len(closed),
                answered=len(scores),
                responseRate=share(len(scores), len(closed)),
            ),
            complaints=complaint_figures([c for c in own if c.get("intent") == "complaint"], at),
            agents=self._agents(counters),
            daily=[self._daily(day, rows, queue) for day, rows in counters.items()],
        )

    @staticmethod
    def _service_level(tasks: list[dict[str, Any]]) -> list[ServiceLevel]:
        tally: Counter[tuple[str, str, str]] = Counter()
        for task in tasks:
            for clock, outcome in (task.get("clockResults") or {}).items():
                tally[(str(task.get("queue")), clock, outcome)] += 1
        pairs = sorted({(q, c) for q, c, _ in tally})
        return [
            ServiceLevel(
                queue=q,
                clock=c,
                met=tally[(q, c, "met")],
                breached=tally[(q, c, "breached")],
                rate=share(tally[(q, c, "met")], tally[(q, c, "met")] + tally[(q, c, "breached")]),
            )
            for q, c in pairs
        ]

    def _backlog(self, queue: str | None, at: datetime) -> list[BacklogBucket]:
        buckets = []
        for q in [queue] if queue else QUEUES:
            ages: Counter[str] = Counter()
            for task in self.store.backlog(q):
                if task.get("completedAt") or task.get("expiredAt"):
                    continue  # its end was projected before its opening (events out of order)
                age = (at - parse_iso(task["openedAt"])).total_seconds()
                ages[next(name for name, limit in AGES if age < limit)] += 1
            buckets += [BacklogBucket(queue=q, age=name, tasks=ages[name]) for name, _ in AGES if ages[name]]
        return buckets

    @staticmethod
    def _agents(counters: dict[str, list[dict[str, Any]]]) -> list[AgentFigures]:
        tally: Counter[tuple[str, str]] = Counter()
        for rows in counters.values():
            for row in rows:
                kind, _, agent = row["sk"].partition("|agent=")
                if agent:
                    tally[(agent, kind)] += int(row["count"])
        agents = sorted({a for a, _ in tally})
        return [
            AgentFigures(agentId=a, claimed=tally[(a, "claims")], completed=tally[(a, "completed")]) for a in agents
        ]

    @staticmethod
    def _daily(day: str, rows: list[dict[str, Any]], queue: str | None) -> DailyFigures:
        def total(prefix: str, by_queue: bool = False) -> int:
            return sum(
                int(r["count"])
                for r in rows
                if r["sk"].startswith(prefix) and (not (queue and by_queue) or f"|queue={queue}" in r["sk"])
            )

        return DailyFigures(
            day=date.fromisoformat(day),
            contacts=total("contacts|channel="),
            escalations=total("escalations|", by_queue=True),
            breaches=total("breaches|", by_queue=True),
            csatAnswers=total("csat|"),
        )

    def complaints_csv(self, year: int) -> str:
        """The regulator's yearly table: complaints opened in `year` by type, with a total row."""
        period = days(date(year, 1, 1), date(year, 12, 31))
        cases, _ = self._facts(period)
        complaints = [c for c in cases if c.get("intent") == "complaint" and not c.get("mergedInto")]
        at = now()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            [
                "year",
                "type",
                "received",
                "closed",
                "share_closed",
                "closed_within_regulatory_clock",
                "share_within_regulatory_clock",
                "median_handling_days",
                "max_handling_days",
            ]
        )
        groups = sorted({complaint_type(c) for c in complaints})
        for name, group in [
            *((g, [c for c in complaints if complaint_type(c) == g]) for g in groups),
            ("total", complaints),
        ]:
            f = complaint_figures(group, at)
            writer.writerow(
                [
                    year,
                    name,
                    f.count,
                    f.closed,
                    _cell(f.shareClosed),
                    f.withinRegulatory,
                    _cell(f.shareWithinRegulatory),
                    _cell(f.medianHandlingDays),
                    _cell(f.maxHandlingDays),
                ]
            )
        return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
