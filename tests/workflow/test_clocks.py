"""Every task carries its clocks (firstResponse, resolution, and for a complaint the regulator's deadline);
a supervisor extends a complaint's regulatory deadline once, with a reason, and the customer is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from switchboard.domain.clock import parse_iso

from tests.workflow.helpers import (
    COMPLAINTS,
    SUPERVISOR,
    case_of,
    details,
    event_body,
    messages_for,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow


def complaint(runtime, client, key):
    case_id = post_contact(client, {**event_body("contact_web_complaint"), "submissionId": key}).json()["caseId"]
    return case_id, open_task(runtime, client, case_id, COMPLAINTS)


def test_a_complaint_task_carries_three_clocks_and_the_regulators_deadline_is_15_calendar_days(runtime, client):
    # given a web complaint in the complaints queue
    case_id, task = complaint(runtime, client, "clocks-1")
    clocks = {c["name"]: c for c in task["clocks"]}
    # then it has a first response, a resolution and a regulatory clock, none paused or breached yet
    assert set(clocks) == {"firstResponse", "resolution", "regulatory"}
    assert not any(c["paused"] or c["breached"] for c in clocks.values())
    assert parse_iso(clocks["firstResponse"]["dueAt"]) <= parse_iso(clocks["resolution"]["dueAt"])
    # and the regulator's deadline is 15 calendar days after the case was opened (the policy's figure)
    opened = parse_iso(case_of(client, case_id)["timeline"][0]["at"])
    assert abs(parse_iso(clocks["regulatory"]["dueAt"]) - (opened + timedelta(days=15))) < timedelta(seconds=5)
    # and the task's SLA due time is the earliest deadline that ends the wait
    assert task["slaDueAt"] == min(clocks["resolution"]["dueAt"], clocks["regulatory"]["dueAt"], key=parse_iso)


def test_a_supervisor_extends_the_regulatory_deadline_once_and_the_customer_is_told(runtime, client):
    # given a complaint task
    case_id, task = complaint(runtime, client, "clocks-extend")
    path = f"/tasks/{task['taskId']}/extend"
    due = parse_iso(next(c for c in task["clocks"] if c["name"] == "regulatory")["dueAt"])
    # then an agent who is not a supervisor may not extend it, and bad input is a 400 naming the field
    assert client.request("POST", path, {"days": 10, "reason": "needs the bank's records"}, COMPLAINTS).status == 403
    too_long = client.request("POST", path, {"days": 99, "reason": "x"}, SUPERVISOR)
    assert too_long.status == 400 and too_long.json()["error"]["details"][0]["field"] == "days"
    # when a supervisor extends it by 10 days with a reason
    extended = client.request("POST", path, {"days": 10, "reason": "needs the bank's records"}, SUPERVISOR)
    # then the regulatory clock is 10 days later and marked extended, on the case's timeline with who
    assert extended.status == 200, extended.body
    clock = next(c for c in extended.json()["clocks"] if c["name"] == "regulatory")
    assert parse_iso(clock["dueAt"]) - due == timedelta(days=10) and clock["extended"]
    case = case_of(client, case_id)
    entry = next(t for t in case["timeline"] if "regulatory deadline extended" in t["detail"])
    assert entry["actor"] == "agent:sup-zhao" and "needs the bank's records" in entry["detail"]
    # and the customer is told in their language, on the email on file
    [notice] = runtime.wait_for(lambda: messages_for(runtime, case_id, "regulatory_extension"), what="the notice")
    assert notice["channel"] == "email" and "extending our answer by 10 days" in notice["body"]
    # when a supervisor tries a second time, then it is a conflict and nothing changes
    again = client.request("POST", path, {"days": 5, "reason": "more"}, SUPERVISOR)
    assert again.status == 409
    assert details(case_of(client, case_id)).count("regulatory deadline extended") == 1


def test_a_task_without_a_regulatory_clock_cannot_be_extended(runtime, client):
    # given a refund task in payments (no regulator's deadline)
    from tests.workflow.helpers import PAYMENTS

    body = {**event_body("contact_app_chat_duplicate"), "sessionId": "clocks-chat", "messageId": "m-1"}
    case_id = post_contact(client, body, {"X-App-User": "app-lina"}).json()["caseId"]
    task = open_task(runtime, client, case_id, PAYMENTS)
    assert {c["name"] for c in task["clocks"]} == {"firstResponse", "resolution"}
    answer = client.request("POST", f"/tasks/{task['taskId']}/extend", {"days": 3, "reason": "x"}, SUPERVISOR)
    assert answer.status == 409


def test_a_task_opened_the_evening_before_national_day_is_due_on_the_next_working_day(runtime, client, monkeypatch):
    # given the workflow's clock frozen at 2026-09-30 18:00 in Shanghai (the clocks module's `now`)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from switchboard.workflow import clocks

    shanghai = ZoneInfo("Asia/Shanghai")
    monkeypatch.setattr(clocks, "now", lambda: datetime(2026, 9, 30, 18, 0, tzinfo=shanghai))
    # when a complaint reaches the complaints queue (business hours 9-18 on China's calendar)
    _, task = complaint(runtime, client, "clocks-national-day")
    due = {c["name"]: parse_iso(c["dueAt"]).astimezone(shanghai) for c in task["clocks"]}
    # then its first response is due 30 business minutes into 8 October, the first working day after
    # the National Day holiday, and its resolution (24 business hours) three working days later
    assert due["firstResponse"] == datetime(2026, 10, 8, 9, 30, tzinfo=shanghai)
    assert due["resolution"] == datetime(2026, 10, 10, 15, 0, tzinfo=shanghai)  # Saturday 10 October is worked


def test_clocks_that_cannot_be_planned_put_the_case_in_front_of_the_supervisors(runtime, client, monkeypatch):
    # given PlanClocks raises for this case (after its retries)
    from tests.workflow.helpers import break_handler, marked

    key = "catch-PlanClocks"
    break_handler(monkeypatch, runtime, "PlanClocksFunction", key)
    case_id = post_contact(client, marked("contact_web_complaint", key)).json()["caseId"]
    # then the supervisors get the case, with the reason on its timeline
    task = open_task(runtime, client, case_id, SUPERVISOR, timeout=40)
    assert task["queue"] == "supervisors"
    assert "could not be opened (RuntimeError)" in details(case_of(client, case_id))


# ---- clocks that end the wait, and clocks that only flag it ---------------------------------------


@pytest.fixture
def round_the_clock(monkeypatch):
    """The clocks module on 24x7 hours, so seconds-long clocks run whatever the hour of the test run."""
    from switchboard.domain.business_time import BusinessHours
    from switchboard.workflow import clocks

    monkeypatch.setattr(clocks, "business_hours", lambda queue: BusinessHours())
    return clocks


def claim_and_resolve(client, task, headers):
    assert client.request("POST", f"/tasks/{task['taskId']}/claim", None, headers).status == 200
    done = {"outcome": "RESOLVED", "resolution": "apologised and explained"}
    answer = client.request("POST", f"/tasks/{task['taskId']}/complete", done, headers)
    assert answer.status == 200, answer.body


def test_a_first_response_due_with_nobody_on_the_task_is_flagged_and_the_same_task_waits_on(
    runtime, client, monkeypatch, round_the_clock
):
    # given a calm web complaint (high priority) whose first response is due 2 seconds after its task opens
    monkeypatch.setattr(round_the_clock, "first_response_seconds", lambda queue: 2)
    calm = "I would like to make a complaint about how my call with your hotline was handled last week."
    body = {**event_body("contact_web_complaint"), "submissionId": "clocks-first-response", "message": calm}
    case_id = post_contact(client, body).json()["caseId"]
    task = open_task(runtime, client, case_id, COMPLAINTS)

    # when nobody takes it in time, then the same task waits again, raised one priority step, in its queue
    runtime.wait_for(lambda: "waits again" in details(case_of(client, case_id)), timeout=30, what="the new wait")
    flagged = open_task(runtime, client, case_id, COMPLAINTS)
    assert flagged["taskId"] == task["taskId"] and flagged["status"] == "OPEN"
    assert (task["priority"], flagged["priority"]) == ("high", "urgent")
    first = next(c for c in flagged["clocks"] if c["name"] == "firstResponse")
    assert first["breached"] and not any(c["breached"] for c in flagged["clocks"] if c is not first)
    # and the case says so, with no supervisors' task and the case still ESCALATED
    case = case_of(client, case_id)
    assert "passed with nobody on the task: task " in details(case)
    assert [t["queue"] for t in case["tasks"]] == ["complaints"] and case["status"] == "ESCALATED"
    # when the agent then takes and resolves it, the workflow takes the decision on the new wait
    claim_and_resolve(client, flagged, COMPLAINTS)
    wait_status(runtime, client, case_id, "CLOSED")


def test_a_regulatory_deadline_extended_during_the_wait_keeps_the_task_with_its_queue(
    runtime, client, monkeypatch, round_the_clock
):
    # given a complaint whose regulator's deadline is 8 seconds away when its task opens
    from switchboard.domain.clock import iso, now

    def soon(case):
        due = iso(now() + timedelta(seconds=8))
        return {"name": "regulatory", "dueAt": due, "paused": False, "breached": False, "basis": "calendar"}

    monkeypatch.setattr(round_the_clock, "regulatory_clock", soon)
    case_id, task = complaint(runtime, client, "clocks-extended-wait")
    # when a supervisor extends it by a day before it comes due
    extended = client.request(
        "POST", f"/tasks/{task['taskId']}/extend", {"days": 1, "reason": "bank records"}, SUPERVISOR
    )
    assert extended.status == 200, extended.body
    # then the wait that was set for the old deadline ends, and the same task waits on for the new one
    runtime.wait_for(lambda: "waits again" in details(case_of(client, case_id)), timeout=40, what="the new wait")
    case = case_of(client, case_id)
    assert [(t["queue"], t["status"]) for t in case["tasks"]] == [("complaints", "OPEN")]
    assert "SLA expired" not in details(case) and case["status"] == "ESCALATED"
    # and it can still be resolved by its agent
    claim_and_resolve(client, open_task(runtime, client, case_id, COMPLAINTS), COMPLAINTS)
    wait_status(runtime, client, case_id, "CLOSED")


def test_a_clock_check_that_fails_hands_the_case_to_the_supervisors(runtime, client, monkeypatch, round_the_clock):
    # given ClockDue raises for this case (after its retries) and a first response due in 2 seconds
    from tests.workflow.helpers import break_handler, marked

    key = "catch-ClockDue"
    monkeypatch.setattr(round_the_clock, "first_response_seconds", lambda queue: 2)
    break_handler(monkeypatch, runtime, "ClockDueFunction", key)
    case_id = post_contact(client, marked("contact_web_complaint", key)).json()["caseId"]
    # then the wait ends as if it expired: the supervisors get the case, with the failure named
    task = open_task(runtime, client, case_id, SUPERVISOR, timeout=60)
    deadline = runtime.wait_for(
        lambda: next((t for t in case_of(client, case_id)["tasks"] if t["queue"] == "supervisors"), None),
        timeout=60,
        what="the supervisors' task",
    )
    assert deadline and task
    assert "step ClockDue failed: RuntimeError" in details(case_of(client, case_id))
