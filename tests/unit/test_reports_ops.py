"""Issue 14, for ops and for the projection's own rules, read from template.yaml: the dashboard is valid
JSON over metrics the code emits, the alarms watch what means customers are waiting, the projection's
and the reports' functions may do only what they do, and the projection counts a fact once."""

from __future__ import annotations

import json
import re

import pytest

from local_runtime import template
from local_runtime.runtime import ROOT, LocalRuntime

TEMPLATE = template.load(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
CODE = ROOT / "layers" / "shared" / "switchboard"


def emitted_metrics():
    """Every metric name the code adds: add_metric(name="...") literals and the projection's tables of them."""
    from switchboard.reports.projection import CLOCK_METRICS, METRICS, RESOLVED_METRICS

    names = {*METRICS.values(), *RESOLVED_METRICS.values(), *CLOCK_METRICS.values()}
    for path in CODE.rglob("*.py"):
        names |= set(re.findall(r'add_metric\(\s*name="(\w+)"', path.read_text(encoding="utf-8")))
    return names


def test_the_dashboard_is_json_over_metrics_the_code_emits():
    # given the dashboard's body, resolved as CloudFormation would
    runtime = LocalRuntime()
    runtime._assign_physical_ids()
    body = template.Resolver(runtime.refs, runtime.attrs, runtime.conditions())(
        RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]
    )
    widgets = json.loads(body)["widgets"]
    # then every Switchboard metric it draws is one the code emits
    drawn = {m[1] for w in widgets for m in w["properties"].get("metrics", []) if m and m[0] == "Switchboard"}
    assert drawn, "the dashboard draws none of the centre's own metrics"
    assert drawn <= emitted_metrics(), drawn - emitted_metrics()
    # and it shows each thing the issue names
    titles = " ".join(w["properties"]["title"].lower() for w in widgets)
    for subject in ("contacts", "containment", "service level", "breaches", "failed notifications", "stuck cases"):
        assert subject in titles, subject
    assert "lambda errors" in titles and "duration" in titles and "executions" in titles


def test_the_alarms_watch_waiting_customers_and_the_projection():
    alarms = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    assert {"ServiceLevelAlarm", "ContactsApiErrorsAlarm", "ProjectionDeadLettersAlarm", "SlaBreachedAlarm"} <= set(
        alarms
    )
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}], name
    metrics = {
        m.get("MetricStat", {}).get("Metric", {}).get("MetricName") for m in alarms["ServiceLevelAlarm"]["Metrics"]
    }
    assert {"ClocksMet", "ClocksBreached"} <= metrics <= emitted_metrics() | {None}


def test_the_projection_is_fed_by_a_rule_on_the_case_bus_with_an_archive_to_replay():
    events = RESOURCES["ProjectEventsFunction"]["Properties"]["Events"]
    (rule,) = [e["Properties"] for e in events.values() if e["Type"] == "EventBridgeRule"]
    assert rule["EventBusName"] == {"Ref": "CaseEventBus"}
    assert rule["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ProjectionDeadLetterQueue", "Arn"]}
    archive = RESOURCES["CaseEventArchive"]["Properties"]
    assert archive["SourceArn"] == {"Fn::GetAtt": ["CaseEventBus", "Arn"]}
    assert archive["EventPattern"] == rule["Pattern"]


@pytest.mark.parametrize(
    ("function", "actions"),
    [
        ("ProjectEventsFunction", {"dynamodb:PutItem", "dynamodb:UpdateItem"}),
        ("ReportsApiFunction", {"dynamodb:Query", "dynamodb:BatchGetItem"}),
    ],
)
def test_the_report_functions_may_only_do_what_they_do(function, actions):
    policies = RESOURCES[function]["Properties"]["Policies"]
    statements = [s for p in policies for s in p.get("Statement", [])]
    assert len(policies) == 1 and {a for s in statements for a in s["Action"]} == actions
    resources = json.dumps([s["Resource"] for s in statements])
    assert "ReportsTable" in resources and "*" not in resources.replace("/index/*", "")


def event(detail_type, key, **detail):
    return {"id": f"eb-{key}", "detail-type": detail_type, "detail": {"eventKey": key, **detail}}


@pytest.fixture
def projection():
    """The projection over a table made from the template's ReportsTable, on moto."""
    from moto import mock_aws
    from switchboard.adapters.repository.reports import ReportStore
    from switchboard.reports.projection import Projection

    table = RESOURCES["ReportsTable"]["Properties"]
    with mock_aws():
        import boto3

        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="reports",
            BillingMode="PAY_PER_REQUEST",
            **{k: table[k] for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")},
        )
        store = ReportStore(ddb, "reports")
        yield Projection(store), store


def apply(projection, raw):
    from switchboard.reports.projection import CaseEvent

    return projection.apply(CaseEvent.from_eventbridge(raw))


def test_a_fact_is_counted_once_whatever_eventbridge_id_it_comes_with(projection):
    projection, store = projection
    received = event("CaseReceived", "C1#CaseReceived", caseId="C1", channel="web", at="2026-12-01T20:00:00.000Z")
    # when the same fact arrives twice (a retried step publishes it again: a new EventBridge id)
    assert apply(projection, received) is True
    assert apply(projection, {**received, "id": "eb-other"}) is False
    # then it is counted once, on its China day (20:00 UTC is 04:00 the next day in Beijing)
    [counter] = store.counters_of_day("2026-12-02")
    assert (counter["sk"], counter["count"]) == ("contacts|channel=web", 1)
    assert store.counters_of_day("2026-12-01") == []


def test_a_first_response_flagged_while_open_is_one_breach_when_the_task_ends(projection):
    projection, store = projection
    task = {"caseId": "C2", "taskId": "C2-T1", "queue": "payments", "kind": "workflow"}
    clocks = [
        {"name": "firstResponse", "dueAt": "2026-12-02T02:00:00.000Z"},
        {"name": "resolution", "dueAt": "2026-12-02T09:00:00.000Z"},
    ]
    apply(projection, event("TaskOpened", "C2-T1#TaskOpened", **task, clocks=clocks, at="2026-12-02T01:00:00.000Z"))
    # when ClockDue flags its first response (nobody claimed it in time), then someone completes it
    flag = event("ClockBreached", "C2-T1#ClockBreached#firstResponse", **task, clock="firstResponse",
                 at="2026-12-02T02:00:01.000Z")  # fmt: skip
    assert apply(projection, flag) is True
    ended = [
        {**clocks[0], "breached": True, "flagged": True},
        {**clocks[1], "breached": False, "flagged": False},
    ]
    done = event("TaskCompleted", "C2-T1#TaskCompleted", **task, agentId="agent-liu", outcome="RESOLVED",
                 clocks=ended, at="2026-12-02T03:00:00.000Z")  # fmt: skip
    assert apply(projection, done) is True
    # then the day counts one breach (at the flag, not again at the end), and the task's clocks are settled
    counters = {c["sk"]: c["count"] for c in store.counters_of_day("2026-12-02")}
    assert counters["breaches|queue=payments|clock=firstResponse"] == 1
    assert not any(k.startswith("breaches|") and "resolution" in k for k in counters)
    [fact] = [f for f in store.facts_of_day("2026-12-02") if f["pk"] == "TASK#C2-T1"]
    assert fact["clockResults"] == {"firstResponse": "breached", "resolution": "met"}
    assert "backlogQueue" not in fact
