"""Business time: a queue's opening hours (time zone, days, hours, or 24x7, from the routing data) and
China's statutory holidays and adjusted working days (the `chinese-calendar` package, imported only
here, where due times are computed, never on a contact's path)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

MAX_DAYS = 800  # a due time further than this many days away is a policy error, not a wait


@dataclass(frozen=True)
class BusinessHours:
    """When a queue's clocks run. `always`: 24x7. `calendar` "CN": chinese-calendar says which days
    work (holidays off, adjusted Saturdays and Sundays on), else the week `days` (1 = Monday)."""

    zone: tzinfo = UTC
    days: frozenset[int] = frozenset(range(1, 8))
    opens: timedelta = timedelta()
    closes: timedelta = timedelta(days=1)
    calendar: str | None = None
    always: bool = True

    @classmethod
    def from_policy(cls, spec: str | dict[str, Any]) -> BusinessHours:
        if spec == "24x7":
            return cls()
        if not isinstance(spec, dict):
            raise ValueError(f"business hours: {spec!r} is neither 24x7 nor a schedule")
        opens, closes = _clock_time(spec["opens"]), _clock_time(spec["closes"])
        if not timedelta() <= opens < closes <= timedelta(days=1):
            raise ValueError(f"business hours: opens {spec['opens']} must be before closes {spec['closes']}")
        return cls(
            zone=ZoneInfo(spec["timeZone"]),
            days=frozenset(int(d) for d in spec.get("days", (1, 2, 3, 4, 5))),
            opens=opens,
            closes=closes,
            calendar=spec.get("calendar"),
            always=False,
        )

    def is_working_day(self, day: date) -> bool:
        if self.calendar == "CN":
            import chinese_calendar  # ~10 ms, loaded where due times are computed only

            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:  # a year the package does not cover yet: the week's days
                pass
        return day.isoweekday() in self.days

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The opening windows from `start`'s day on, clipped to begin no earlier than `start`."""
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                midnight = datetime.combine(day, time(), self.zone)
                begin, end = max(midnight + self.opens, local), midnight + self.closes
                if begin < end:
                    yield begin, end
            day += timedelta(days=1)
        raise ValueError(f"no due time within {MAX_DAYS} days of {start.isoformat()}")

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of business time after `start` (the next opening when none is left)."""
        if self.always:
            return start + timedelta(seconds=seconds)
        remaining = max(0.0, seconds)
        for begin, end in self.windows(start):
            available = (end - begin).total_seconds()
            if remaining <= available:
                return (begin + timedelta(seconds=remaining)).astimezone(UTC)
            remaining -= available
        raise AssertionError("unreachable: windows() raises first")

    def between(self, start: datetime, end: datetime) -> float:
        """Seconds of business time from `start` to `end` (0 when end is not after start)."""
        if end <= start:
            return 0.0
        if self.always:
            return (end - start).total_seconds()
        total = 0.0
        for begin, close in self.windows(start):
            if begin >= end:
                break
            total += (min(close, end) - begin).total_seconds()
        return total


def _clock_time(value: str) -> timedelta:
    hours, _, minutes = value.partition(":")
    return timedelta(hours=int(hours), minutes=int(minutes or 0))


CALENDAR = BusinessHours()  # calendar time: what a regulator's "15 days" counts
