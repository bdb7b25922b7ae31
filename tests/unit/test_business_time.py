"""Clocks on business time: a queue's opening hours from the routing data, China's statutory holidays
and adjusted working days from chinese-calendar, pauses that push the due time by the business time
that was left, and a complaint's regulatory deadline in calendar days, extended once. `now` is
injected (`at=`), as parse_period takes it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from switchboard.domain.business_time import BusinessHours
from switchboard.domain.clock import iso, parse_iso
from switchboard.domain.models import ResolutionResult
from switchboard.domain.routing import business_hours, policy
from switchboard.workflow import clocks

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def local(value):
    return parse_iso(value).astimezone(SH)


def request(queue, sla_seconds):
    return ResolutionResult(outcome="ESCALATE", summary="s", queue=queue, priority="high", slaSeconds=sla_seconds)


@pytest.fixture
def office(monkeypatch):
    """The deployed settings (no SLA override): the queues' real business hours."""
    from switchboard import config

    for name in config.REQUIRED:
        monkeypatch.setenv(name, "table")
    monkeypatch.setenv("SLA_SECONDS_OVERRIDE", "0")
    config.settings.cache_clear()
    yield business_hours("complaints")
    config.settings.cache_clear()


def test_the_default_hours_are_data_in_the_routing_policy(office):
    # given the routing data's default schedule, when read for a queue without its own
    hours = policy()["businessHours"]
    # then the complaints queue works 9-18 Shanghai time on China's calendar, disputes round the clock
    assert "complaints" not in hours["queues"] and hours["default"]["calendar"] == "CN"
    assert office.opens.seconds == 9 * 3600 and office.closes.seconds == 18 * 3600
    assert business_hours("disputes").always


def test_a_task_opened_the_evening_before_national_day_is_due_on_the_next_working_day(office):
    # given a complaint task opened on 2026-09-30 at 18:00 in Shanghai (National Day: 1-7 October off)
    case = {"caseId": "SB260930-AAAAAA", "intent": "complaint", "createdAt": iso(at(2026, 9, 30, 18, 0))}
    # when its clocks are planned at that moment
    planned = {c["name"]: c for c in clocks.plan(case, request("complaints", 4 * 3600), at=at(2026, 9, 30, 18, 0))}
    # then the first response (30 business minutes) and resolution (4 business hours) fall on 8 October
    assert local(planned["firstResponse"]["dueAt"]) == at(2026, 10, 8, 9, 30)
    assert local(planned["resolution"]["dueAt"]) == at(2026, 10, 8, 13, 0)
    # and the regulator's 15 calendar days run through the holiday
    assert local(planned["regulatory"]["dueAt"]) == at(2026, 10, 15, 18, 0)
    assert planned["regulatory"]["basis"] == "calendar"
    # and the human task waits until the earliest deadline that ends it once someone has claimed it
    planned_at = at(2026, 9, 30, 18, 0)
    assert clocks.wait_seconds(list(planned.values()), at=planned_at, claimed=True) == (8 * 24 - 5) * 3600
    # and, while nobody has, until its first response is due (to flag it), 8 October 09:30
    assert clocks.wait_seconds(list(planned.values()), at=planned_at) == (7 * 24 + 15.5) * 3600


def test_an_adjusted_saturday_is_a_working_day_and_an_ordinary_one_is_not(office):
    # given 2026-10-10, a Saturday worked in exchange for the National Day holiday
    # when two business hours are added from Friday 17:00, then they end on that Saturday
    assert office.add(at(2026, 10, 9, 17, 0), 2 * 3600).astimezone(SH) == at(2026, 10, 10, 10, 0)
    # and from the next Friday 17:00 they end on Monday (17 October is an ordinary Saturday)
    assert office.add(at(2026, 10, 16, 17, 0), 2 * 3600).astimezone(SH) == at(2026, 10, 19, 10, 0)


def test_a_round_the_clock_schedule_counts_every_second():
    hours = BusinessHours.from_policy("24x7")
    assert hours.add(at(2026, 10, 1, 23, 0), 7200) == at(2026, 10, 2, 1, 0)
    assert hours.between(at(2026, 10, 1, 23, 0), at(2026, 10, 2, 1, 0)) == 7200


def test_a_paused_clock_resumes_with_the_business_time_it_had_left(office):
    # given a resolution clock due Tuesday 2026-09-29 12:00, paused on Monday at 16:00 (5 business hours left)
    running = [{"name": "resolution", "dueAt": iso(at(2026, 9, 29, 12, 0)), "basis": "business", "paused": False}]
    [paused] = clocks.pause(running, "complaints", at=at(2026, 9, 28, 16, 0))
    assert paused["paused"] and paused["remainingSeconds"] == 5 * 3600
    # when the customer answers on Thursday 8 October at 10:00 (after the holiday)
    [resumed] = clocks.resume([paused], "complaints", at=at(2026, 10, 8, 10, 0))
    # then the due time is pushed by the paused business time: 5 business hours later, 15:00
    assert not resumed["paused"] and "remainingSeconds" not in resumed
    assert local(resumed["dueAt"]) == at(2026, 10, 8, 15, 0)


def test_the_regulatory_deadline_extends_once_by_calendar_days():
    clock = {"name": "regulatory", "dueAt": iso(at(2026, 10, 15, 18, 0)), "basis": "calendar", "paused": False}
    extended = clocks.extend(clock, 10)
    assert local(extended["dueAt"]) == at(2026, 10, 25, 18, 0) and extended["extended"]
    paused = clocks.extend({**clock, "paused": True, "remainingSeconds": 3600}, 1)
    assert paused["remainingSeconds"] == 3600 + 86400


def test_a_clock_shows_breached_only_when_it_came_due_unmet():
    task = {
        "claimedAt": iso(at(2026, 10, 8, 9, 10)),
        "clocks": [
            {"name": "firstResponse", "dueAt": iso(at(2026, 10, 8, 9, 30))},
            {"name": "resolution", "dueAt": iso(at(2026, 10, 8, 13, 0))},
            {"name": "regulatory", "dueAt": iso(at(2026, 10, 8, 12, 0)), "paused": True, "remainingSeconds": 60},
        ],
    }
    shown = {c.name: c for c in clocks.views(task, at=at(2026, 10, 8, 14, 0))}
    assert not shown["firstResponse"].breached and shown["firstResponse"].metAt == task["claimedAt"]
    assert shown["resolution"].breached
    assert not shown["regulatory"].breached and shown["regulatory"].paused


def test_bad_hours_in_the_policy_are_refused_naming_them():
    with pytest.raises(ValueError, match="opens 18:00 must be before closes 09:00"):
        BusinessHours.from_policy({"timeZone": "Asia/Shanghai", "opens": "18:00", "closes": "09:00"})
