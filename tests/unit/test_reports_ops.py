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


def test_a_fact_is_counted_once_whatever_eventbridge_id_it_comes_with():
    from moto import mock_aws
    from switchboard.adapters.repository.reports import ReportStore
    from switchboard.reports.projection import CaseEvent, Projection

    table = RESOURCES["ReportsTable"]["Properties"]
    with mock_aws():
        import boto3

        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="reports",
            BillingMode="PAY_PER_REQUEST",
            **{k: table[k] for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")},
        )
        projection = Projection(ReportStore(ddb, "reports"))
        received = event("CaseReceived", "C1#CaseReceived", caseId="C1", channel="web", at="2026-12-01T20:00:00.000Z")
        # when the same fact arrives twice (a retried step publishes it again: a new EventBridge id)
        assert projection.apply(CaseEvent.from_eventbridge(received)) is True
        again = {**received, "id": "eb-other"}
        assert projection.apply(CaseEvent.from_eventbridge(again)) is False
        # then it is counted once, on its China day (20:00 UTC is 04:00 the next day in Beijing)
        [counter] = ReportStore(ddb, "reports").counters_of_day("2026-12-02")
        assert (counter["sk"], counter["count"]) == ("contacts|channel=web", 1)
        assert ReportStore(ddb, "reports").counters_of_day("2026-12-01") == []
