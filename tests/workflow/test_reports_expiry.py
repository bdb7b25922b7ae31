"""Reports (issue 14) when nobody takes a task: on a runtime whose SLAs are 2 seconds, a complaint's task
and then the supervisors' task expire; the projection counts the clocks the expiry breached (and not the
regulatory clock, which is not due), the escalations, and nothing left in the backlog."""

from __future__ import annotations

import pytest

from local_runtime.client import LocalClient
from local_runtime.runtime import LocalRuntime
from tests.workflow.helpers import post_contact
from tests.workflow.test_reports import body_of, report, task_item

pytestmark = pytest.mark.workflow


def test_tasks_that_expire_count_their_breached_clocks_and_leave_the_backlog():
    # given a runtime whose every SLA is 2 seconds, and a complaint nobody takes
    with LocalRuntime(parameters={"SlaSecondsOverride": "2"}) as runtime:
        client = LocalClient(runtime)
        case_id = post_contact(client, body_of("contact_web_complaint")).json()["caseId"]
        # when the complaints task and then the supervisors' task expire (the workflow ends FAILED, alarmed)
        assert runtime.wait_for_execution(case_id, timeout=60)["status"] == "FAILED"
        runtime.deliver_events()
        from switchboard.adapters.repository.cases import CaseRepository

        tasks = [task_item(runtime, t) for t in CaseRepository().get(case_id)["tasks"]]
        figures = report(client)
    # then each task's resolution clock (the wait's deadline) is breached, the firstResponse clock too when
    # it came due unclaimed, and the regulatory clock (15 days) is not settled by an expiry
    assert [t["queue"] for t in tasks] == ["complaints", "supervisors"]
    expected = []
    for task in tasks:
        due = {c["name"]: c["dueAt"] for c in task["clocks"]}
        expected += [(task["queue"], "resolution")]
        if due["firstResponse"] <= task["expiredAt"]:
            expected += [(task["queue"], "firstResponse")]
    got = [(s["queue"], s["clock"]) for s in figures["serviceLevel"] if s["breached"] == 1 and s["met"] == 0]
    assert sorted(got) == sorted(expected)
    assert all(s["clock"] != "regulatory" for s in figures["serviceLevel"])
    assert figures["escalationsByQueue"] == {"complaints": 1, "supervisors": 1}
    assert figures["backlog"] == [] and figures["firstResponse"]["count"] == 0
    assert sum(d["breaches"] for d in figures["daily"]) == len(expected)
