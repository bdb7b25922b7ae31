"""The picture of the centre (issue 14) on the real ASL: a scripted set of cases runs through the
workflow, the bus's rule delivers their events to the projection, and GET /reports must answer the
figures this test works out by hand from what it did (and from the times the tasks recorded); then
replaying the bus archive, onto the figures and into an emptied table, answers the same figures.

The scripted cases:
  A  web, product_info: answered automatically (contained), rated 5
  B1 app chat, transaction_history (Zhang Wei): answered automatically, but he comes back...
  B2 ...about the same intent 10 minutes later: B1 is not contained, B2 is
  C  app chat, duplicate_payment (Li Na): payments task claimed, the agent asks, the clocks pause,
     she answers in the chat, the clocks resume, resolved; rated 1 (a supervisors' follow-up)
  D  web complaint: the complaints task is claimed after its firstResponse clock came due and
     completed after its regulatory clock (moved into the past by the test: 15 days cannot pass here)
  F  app chat, unrecognized_transaction (Emily): a disputes task left open (the backlog)
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import timedelta

import pytest

from local_runtime.client import LocalClient
from local_runtime.runtime import LocalRuntime
from tests.conftest import EVENTS
from tests.workflow.helpers import (
    COMPLAINTS,
    PAYMENTS,
    SUPERVISOR,
    bearer,
    case_of,
    open_task,
    post_contact,
    wait_status,
)

pytestmark = pytest.mark.workflow

ZHANG_WEI = {"X-App-User": "app-zhangwei"}
LI_NA = {"X-App-User": "app-lina"}


@pytest.fixture(scope="module")
def centre():
    """A runtime of its own: the report covers every case it ran, and only those."""
    with LocalRuntime() as rt:
        yield rt, LocalClient(rt)


def body_of(name):
    return json.loads(json.loads((EVENTS / "api" / f"{name}.json").read_text(encoding="utf-8"))["body"])


def china_today():
    from switchboard.domain.clock import now
    from switchboard.reports.projection import CHINA

    return now().astimezone(CHINA).date()


def period():
    today = china_today()  # a day either side: the test may run across midnight in Beijing
    return f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"


def report(client, query=None, headers=SUPERVISOR):
    answer = client.request("GET", "/reports", headers=headers, query=query or period())
    assert answer.status == 200, answer.body
    return answer.json()


def task_item(runtime, task_id):
    from switchboard.adapters.repository.tasks import TaskRepository

    return TaskRepository().get(task_id)


def seconds(start, end):
    from switchboard.domain.clock import parse_iso

    return (parse_iso(end) - parse_iso(start)).total_seconds()


def done(runtime, case_id):
    execution = runtime.wait_for_execution(case_id, timeout=60)
    assert execution["status"] == "SUCCEEDED", execution
    return execution


def move_due_into_the_past(runtime, task_id, *names):
    """The named clocks of a waiting task came due a minute ago (what 15 days of waiting would do)."""
    from switchboard.adapters.repository.tasks import TaskRepository
    from switchboard.domain.clock import iso, now

    tasks = TaskRepository()
    clocks = tasks.get(task_id)["clocks"]
    past = iso(now() - timedelta(minutes=1))
    tasks.set_clocks(task_id, [{**c, "dueAt": past} if c["name"] in names else c for c in clocks])


class Publishers:
    """Which function published which case event: each invocation's function, per thread (handlers run
    on the caller's thread; an API call runs its authorizer, then its function), seen at the publish."""

    def __init__(self, monkeypatch):
        import threading

        from switchboard.adapters import events

        from local_runtime import lambda_hook

        self.seen: dict[str, set[str]] = {}
        running = threading.local()
        invoke, put = lambda_hook.invoke, events._put

        def invoking(function, event):
            running.stack = [*getattr(running, "stack", []), function.logical_id]
            try:
                return invoke(function, event)
            finally:
                running.stack = running.stack[:-1]

        def putting(facts, client):  # (detail type, detail, key, extra) each, in one PutEvents
            self.seen.setdefault(getattr(running, "stack", ["?"])[-1], set()).update(kind for kind, *_ in facts)
            return put(facts, client)

        monkeypatch.setattr(lambda_hook, "invoke", invoking)
        monkeypatch.setattr(events, "_put", putting)


@pytest.fixture(scope="module")
def scripted(centre):
    """Runs the scripted cases; answers what the test did and saw, to work the figures out from."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        publishers = Publishers(monkeypatch)
        ran, tasks = run_the_script(*centre)
    return ran, tasks, publishers.seen


def run_the_script(runtime, client):
    ran = {}
    # A: a product question on the web form, answered by the workflow
    opened_a = post_contact(client, body_of("contact_web_product_info")).json()
    ran["A"] = opened_a["caseId"]
    # B1: Zhang Wei asks for his transactions in the app, answered by the workflow
    history = {
        "channel": "app_chat",
        "sessionId": "rep-b1",
        "messageId": "m-1",
        "message": "我想查一下上个月的交易记录",
    }
    ran["B1"] = post_contact(client, history, ZHANG_WEI).json()["caseId"]
    # C: Li Na was charged twice; F: Emily reports a charge she did not make; D: a formal complaint
    refund = {**body_of("contact_app_chat_duplicate"), "sessionId": "rep-c", "messageId": "m-1"}
    ran["C"] = post_contact(client, refund, LI_NA).json()["caseId"]
    ran["F"] = post_contact(
        client, {**body_of("contact_app_chat_fraud"), "sessionId": "rep-f"}, {"X-App-User": "app-emily"}
    ).json()["caseId"]
    ran["D"] = post_contact(client, body_of("contact_web_complaint")).json()["caseId"]
    done(runtime, ran["A"])
    done(runtime, ran["B1"])
    # B2: Zhang Wei comes back about the same thing in a new chat
    again = {**history, "sessionId": "rep-b2", "message": "还是想再查一下上个月的交易记录"}
    ran["B2"] = post_contact(client, again, ZHANG_WEI).json()["caseId"]

    # C: liu claims, asks, Li Na answers in the chat (clocks paused, then resumed), liu resolves
    task_c = open_task(runtime, client, ran["C"], PAYMENTS)
    assert client.request("POST", f"/tasks/{task_c['taskId']}/claim", headers=PAYMENTS).status == 200
    asked = client.request(
        "POST", f"/tasks/{task_c['taskId']}/messages", {"text": "Which of the two charges?"}, PAYMENTS
    )
    assert asked.status == 200, asked.body
    wait_status(runtime, client, ran["C"], "AWAITING_CUSTOMER")
    post_contact(client, {**refund, "messageId": "m-2", "message": "The second one, thanks"}, LI_NA)
    runtime.wait_for(lambda: task_item(runtime, task_c["taskId"])["status"] == "CLAIMED", what="C's task back with liu")
    resolved = {"outcome": "RESOLVED", "resolution": "The duplicate charge is refunded."}
    finished = client.request("POST", f"/tasks/{task_c['taskId']}/complete", resolved, PAYMENTS)
    assert finished.status == 200, finished.body

    # D: the complaint's firstResponse and regulatory clocks come due before smith claims it
    task_d = open_task(runtime, client, ran["D"], COMPLAINTS)
    move_due_into_the_past(runtime, task_d["taskId"], "firstResponse", "regulatory")
    assert client.request("POST", f"/tasks/{task_d['taskId']}/claim", headers=COMPLAINTS).status == 200
    answered = {"outcome": "RESOLVED", "resolution": "We apologise; the hotline team called you back."}
    assert client.request("POST", f"/tasks/{task_d['taskId']}/complete", answered, COMPLAINTS).status == 200

    for name in ("B2", "C", "D"):
        done(runtime, ran[name])
    # surveys: A rates 5, C rates 1
    assert (
        client.request("POST", f"/cases/{ran['A']}/feedback", {"score": 5}, bearer(opened_a["caseToken"])).status == 201
    )
    low = client.request("POST", f"/cases/{ran['C']}/feedback", {"score": 1, "comment": "too slow"}, LI_NA)
    assert low.status == 201, low.body
    open_task(runtime, client, ran["F"], SUPERVISOR)  # F waits in disputes (the supervisor sees every queue)
    runtime.deliver_events()
    return ran, {"C": task_item(runtime, task_c["taskId"]), "D": task_item(runtime, task_d["taskId"])}


def test_every_function_that_published_a_case_event_may_put_events_on_the_bus(scripted):
    from local_runtime import template
    from local_runtime.runtime import DEFAULT_TEMPLATE

    resources = template.load(DEFAULT_TEMPLATE)["Resources"]
    _, _, seen = scripted
    assert {
        "TaskOpened",
        "TaskClaimed",
        "TaskCompleted",
        "ClocksPaused",
        "CustomerReplied",
        "RepeatContact",
    } <= set().union(*seen.values())
    missing = {
        function: sorted(detail_types)
        for function, detail_types in seen.items()
        if {"EventBusName": {"Ref": "CaseEventBus"}}
        not in [p.get("EventBridgePutEventsPolicy") for p in resources[function]["Properties"]["Policies"]]
    }
    assert missing == {}, f"publishing with no EventBridgePutEventsPolicy on CaseEventBus: {missing}"


def expected_figures(runtime, client, ran, tasks):
    """The figures, worked out from the script above and the times the two tasks recorded."""
    from switchboard.adapters.repository.cases import CaseRepository

    cases = {name: CaseRepository().get(case_id) for name, case_id in ran.items()}
    complaint = cases["D"]
    first_response = [seconds(t["createdAt"], t["claimedAt"]) for t in tasks.values()]
    handling = [seconds(t["claimedAt"], t["completedAt"]) for t in tasks.values()]
    handling_days = round(seconds(complaint["createdAt"], complaint["closedAt"]) / 86400, 2)
    return {
        "contactsByChannel": {"app_chat": 4, "web": 2},
        "contactsByLanguage": dict(Counter(case_of(client, c)["language"] for c in ran.values())),
        # six cases; A and B2 answered with no person and no repeat contact; B1 was repeated by B2
        "containment": {"cases": 6, "contained": 2, "rate": round(2 / 6, 4)},
        "firstContactResolution": {"resolved": 5, "firstContact": 4, "rate": 0.8},
        "escalationsByQueue": {"complaints": 1, "disputes": 1, "payments": 1},
        "serviceLevel": [
            {"queue": "complaints", "clock": "firstResponse", "met": 0, "breached": 1, "rate": 0.0},
            {"queue": "complaints", "clock": "regulatory", "met": 0, "breached": 1, "rate": 0.0},
            {"queue": "complaints", "clock": "resolution", "met": 1, "breached": 0, "rate": 1.0},
            {"queue": "payments", "clock": "firstResponse", "met": 1, "breached": 0, "rate": 1.0},
            {"queue": "payments", "clock": "resolution", "met": 1, "breached": 0, "rate": 1.0},  # paused, resumed, met
        ],
        "firstResponse": {
            "count": 2,
            "medianSeconds": round(statistics.mean(first_response), 3),
            "p90Seconds": round(max(first_response), 3),
        },
        "handling": {
            "count": 2,
            "medianSeconds": round(statistics.mean(handling), 3),
            "p90Seconds": round(max(handling), 3),
        },
        "backlog": [{"queue": "disputes", "age": "under1h", "tasks": 1}],
        "csat": {
            "distribution": {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1},
            "average": 3.0,
            "closed": 5,
            "answered": 2,
            "responseRate": 0.4,
        },
        "complaints": {
            "count": 1,
            "byType": {complaint.get("secondaryIntent") or "general": 1},
            "closed": 1,
            "shareClosed": 1.0,
            "medianHandlingDays": handling_days,
            "maxHandlingDays": handling_days,
            "withinRegulatory": 0,  # closed after its regulatory clock came due
            "shareWithinRegulatory": 0.0,
        },
        "agents": [
            {"agentId": tasks["C"]["claimedBy"], "claimed": 1, "completed": 1},
            {"agentId": tasks["D"]["claimedBy"], "claimed": 1, "completed": 1},
        ],
    }


def test_each_figure_matches_the_scripted_cases(centre, scripted):
    runtime, client = centre
    ran, tasks, _ = scripted
    figures = report(client)
    expected = expected_figures(runtime, client, ran, tasks)
    assert sorted(a["agentId"] for a in expected["agents"]) == ["agent-liu", "agent-smith"]
    expected["agents"].sort(key=lambda a: a["agentId"])
    for name, value in expected.items():
        assert figures[name] == value, name
    daily = figures["daily"]
    assert len(daily) == 3  # the three days asked for, from the day counters
    assert sum(d["contacts"] for d in daily) == 6
    assert sum(d["escalations"] for d in daily) == 3
    assert sum(d["breaches"] for d in daily) == 2  # D's firstResponse and regulatory clocks
    assert sum(d["csatAnswers"] for d in daily) == 2


def test_a_queue_narrows_the_figures_to_its_cases_and_tasks(centre, scripted):
    _, client = centre
    figures = report(client, period() + "&queue=payments")
    assert figures["queue"] == "payments"
    assert figures["escalationsByQueue"] == {"payments": 1}
    assert [(s["clock"], s["met"], s["breached"]) for s in figures["serviceLevel"]] == [
        ("firstResponse", 1, 0),
        ("resolution", 1, 0),
    ]
    assert figures["containment"] == {"cases": 1, "contained": 0, "rate": 0.0}
    assert figures["csat"]["distribution"]["1"] == 1 and figures["complaints"]["count"] == 0
    assert figures["backlog"] == []


def test_the_yearly_complaint_table_is_csv_for_supervisors_only(centre, scripted):
    _, client = centre
    ran, _, _ = scripted
    from switchboard.adapters.repository.cases import CaseRepository

    complaint = CaseRepository().get(ran["D"])
    kind = complaint.get("secondaryIntent") or "general"
    days = round(seconds(complaint["createdAt"], complaint["closedAt"]) / 86400, 2)
    year = china_today().year
    answer = client.request("GET", "/reports/complaints", headers=SUPERVISOR, query=f"year={year}")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = [line.split(",") for line in answer.body.strip().split("\r\n")]
    assert rows[0][:4] == ["year", "type", "received", "closed"]
    cell = f"{days:g}"
    assert rows[1:] == [
        [str(year), kind, "1", "1", "1", "0", "0", cell, cell],
        [str(year), "total", "1", "1", "1", "0", "0", cell, cell],
    ]
    last_year = client.request("GET", "/reports/complaints", headers=SUPERVISOR, query=f"year={year - 1}")
    assert last_year.body.strip().split("\r\n")[1] == f"{year - 1},total,0,0,,0,,,"
    assert client.request("GET", "/reports/complaints", headers=PAYMENTS, query=f"year={year}").status == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2026-01-31", "from"),
        ("from=2026-02-30&to=2026-03-01", "from"),
        ("from=2026-03-01&to=2026-02-01", "to"),
        ("from=2024-01-01&to=2026-01-01", "to"),
        ("from=2026-01-01&to=2026-01-02&queue=billing", "queue"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_field(centre, query, field):
    _, client = centre
    answer = client.request("GET", "/reports", headers=SUPERVISOR, query=query)
    assert answer.status == 400, answer.body
    assert answer.json()["error"]["details"][0]["field"] == field


def test_agents_may_not_read_the_reports(centre):
    _, client = centre
    denied = client.request("GET", "/reports", headers=PAYMENTS, query="from=2026-01-01&to=2026-01-02")
    assert denied.status == 403 and denied.json()["error"]["code"] == "FORBIDDEN"
    assert client.request("GET", "/reports", query="from=2026-01-01&to=2026-01-02").status == 401


def test_replaying_the_archive_counts_nothing_twice_and_rebuilds_the_same_figures(centre, scripted):
    runtime, client = centre
    before = report(client)
    # when the whole archive is replayed onto the bus, over the figures it made
    runtime.replay_archive()
    # then every event is a fact counted before: nothing changes
    assert report(client) == before
    # when the projection is lost and the archive replayed into the empty table
    ddb, table = runtime.client("dynamodb"), runtime.refs["ReportsTable"]
    for item in ddb.scan(TableName=table, ProjectionExpression="pk, sk")["Items"]:
        ddb.delete_item(TableName=table, Key=item)
    assert report(client)["containment"]["cases"] == 0
    runtime.replay_archive()
    # then the figures are rebuilt, the same
    assert report(client) == before
    assert runtime.events.undelivered == []
