"""adapters/events.py: case facts go to EventBridge keyed by the fact; a step that records several facts of
one case sends them in one PutEvents, and a failure there never fails the case."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from switchboard.adapters import events

CASE = {"caseId": "SB261202-ABC123", "channel": "web", "status": "CLOSED", "intent": "product_info"}


class Bus:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[dict]] = []
        self.fail = fail

    def put_events(self, Entries):  # boto3's parameter name
        self.calls.append(Entries)
        if self.fail:
            raise ConnectionError("EventBridge unreachable")
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i, _ in enumerate(Entries)]}


@pytest.fixture(autouse=True)
def bus_name(monkeypatch):
    monkeypatch.setattr(events, "settings", lambda: SimpleNamespace(event_bus_name="cases-bus"))


def test_a_cases_facts_go_in_one_put_each_keyed_by_its_fact():
    bus = Bus()
    # when Close records that the case was resolved and closed
    events.publish_facts(CASE, [("CaseResolved", {"handledBy": "automation"}), ("CaseClosed", {})], client=bus)
    # then one PutEvents carries both, each with its own key and the case's detail
    [entries] = bus.calls
    assert [e["DetailType"] for e in entries] == ["CaseResolved", "CaseClosed"]
    details = [json.loads(e["Detail"]) for e in entries]
    assert [d["eventKey"] for d in details] == [f"{CASE['caseId']}#CaseResolved", f"{CASE['caseId']}#CaseClosed"]
    assert details[0]["handledBy"] == "automation" and "handledBy" not in details[1]
    assert all(d["caseId"] == CASE["caseId"] and d["intent"] == "product_info" for d in details)
    assert all(e["EventBusName"] == "cases-bus" and e["Source"] == events.SOURCE for e in entries)


def test_one_fact_is_published_as_before():
    bus = Bus()
    events.publish("CaseClassified", CASE, client=bus, source="text", confidence=0.9)
    [[entry]] = bus.calls
    detail = json.loads(entry["Detail"])
    assert entry["DetailType"] == "CaseClassified" and detail["eventKey"] == f"{CASE['caseId']}#CaseClassified"
    assert detail["source"] == "text" and detail["confidence"] == 0.9


def test_an_unreachable_bus_never_fails_the_case(caplog):
    bus = Bus(fail=True)
    events.publish_facts(CASE, [("CaseClosed", {})], client=bus)  # no exception
    assert bus.calls and "case event publish failed" in caplog.text
