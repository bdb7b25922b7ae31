"""GET /tasks pages: a supervisor reaches every open task, the 51st and beyond, in queue order
(priority, then SLA due time), across all of their queues; a bad nextToken or limit is a 400 naming it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from switchboard.adapters.repository.tasks import TaskRepository
from switchboard.domain.clock import iso, now
from switchboard.domain.models import PRIORITY_RANK

from tests.conftest import agent_headers

PAYMENTS_AND_DISPUTES = agent_headers("local-agent-liu")
PRIORITIES = ("urgent", "high", "normal", "low")


@pytest.fixture(scope="module")
def open_tasks(runtime):
    """130 open tasks: 70 in payments, 60 in disputes, mixed priorities and due times."""
    tasks = TaskRepository()
    start = now()
    for i in range(130):
        tasks.create(
            {
                "taskId": f"SB261125-PAGE{i:03d}",
                "caseId": "SB261125-PAGE00",
                "queue": "payments" if i < 70 else "disputes",
                "priority": PRIORITIES[i % 4],
                "slaDueAt": iso(start + timedelta(minutes=(i * 7) % 90)),
                "summary": f"paging task {i}",
                "evidence": [],
            }
        )
    return tasks


def all_pages(client, query):
    seen, token, pages = [], None, 0
    while True:
        answer = client.request(
            "GET",
            "/tasks",
            headers=PAYMENTS_AND_DISPUTES,
            query=query + (f"&nextToken={quote(token)}" if token else ""),
        )
        assert answer.status == 200, answer.body
        page = answer.json()
        seen.extend(page["tasks"])
        pages += 1
        token = page["nextToken"]
        if not token:
            return seen, pages


def in_queue_order(tasks):
    keys = [(PRIORITY_RANK[t["priority"]], t["slaDueAt"], t["taskId"]) for t in tasks]
    return keys == sorted(keys)


def test_a_queue_of_seventy_is_read_in_two_pages_of_fifty(client, open_tasks):
    # when an agent reads the payments queue page by page
    seen, pages = all_pages(client, "queue=payments&limit=50")
    # then they see all 70, once each, in queue order, in two pages
    assert pages == 2
    assert len(seen) == len({t["taskId"] for t in seen}) == 70
    assert in_queue_order(seen)


def test_every_open_task_of_all_the_agents_queues_is_reachable(client, open_tasks):
    # when the agent pages through all their queues at 20 a page
    seen, pages = all_pages(client, "limit=20")
    # then all 130 come, once each, merged in queue order
    assert len(seen) == len({t["taskId"] for t in seen}) == 130
    assert {t["queue"] for t in seen} == {"payments", "disputes"}
    assert in_queue_order(seen)
    assert pages == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [("nextToken=not-a-token", "nextToken"), ("limit=0", "limit"), ("limit=500", "limit"), ("limit=ten", "limit")],
)
def test_a_bad_page_request_is_a_400_naming_the_field(client, open_tasks, query, field):
    answer = client.request("GET", "/tasks", headers=PAYMENTS_AND_DISPUTES, query=query)
    assert answer.status == 400
    assert answer.json()["error"]["details"][0]["field"] == field
