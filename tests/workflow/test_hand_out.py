"""Issue 12, point 2: the fair hand-out. POST /tasks/next gives the calling agent the best open task of
their queues (priority, then their language, then due time), claimed for them in the transaction that
counts it against their capacity: agents calling at once never get the same task, none goes past
capacity, and POST /tasks/{taskId}/claim obeys the same capacity. Supervisors take over and reassign
claimed tasks; every move is on the case timeline with who and when, and loads follow the tasks."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from local_runtime.runtime import DEFAULT_SEED, LocalRuntime
from tests.conftest import EVENTS, agent_headers
from tests.workflow.helpers import PAYMENTS, SUPERVISOR, case_of, open_task, post_contact

pytestmark = pytest.mark.workflow

CROWD = [f"agent-p{n:02d}" for n in range(10)]  # ten payments agents of capacity 2, added to the seed
CROWD_CAPACITY = 2
ENGLISH = "agent-en"  # of the crowd's queue, speaks English only, default capacity (3)
HURRY = "disputes"  # the crowd's second queue: the tasks this module makes by hand sit there


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    """The template on moto with the seed's agents plus the crowd (a seed file of the test's own)."""
    seed = json.loads(DEFAULT_SEED.read_text(encoding="utf-8"))
    seed["agents"] += [
        {"agentId": a, "name": a, "queues": [HURRY], "token": f"local-{a}", "capacity": CROWD_CAPACITY} for a in CROWD
    ]
    seed["agents"].append(
        {"agentId": ENGLISH, "name": "Eve English", "queues": [HURRY], "token": f"local-{ENGLISH}", "languages": ["en"]}
    )
    path = tmp_path_factory.mktemp("seed") / "seed.json"
    path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    with LocalRuntime(seed_path=path) as rt:
        yield rt


def refund_chat(client, session_id):
    """The sample app-chat refund request (app-lina, a payments task), in a session of its own."""
    sample = json.loads((EVENTS / "api" / "contact_app_chat_duplicate.json").read_text(encoding="utf-8"))
    body = {**json.loads(sample["body"]), "sessionId": session_id}
    return post_contact(client, body, {"X-App-User": sample["headers"]["X-App-User"]}).json()


def crowd_headers(agent_id):
    return agent_headers(f"local-{agent_id}")


def open_tasks_by_hand(count, prefix, priority="normal", language="zh-CN", due_in_minutes=60):
    """`count` open tasks in the crowd's queue, each on a case of its own (as Escalate leaves them)."""
    from switchboard.adapters.repository.cases import CaseRepository
    from switchboard.adapters.repository.tasks import TaskRepository
    from switchboard.domain.clock import iso, now

    cases, tasks, made = CaseRepository(), TaskRepository(), []
    for n in range(count):
        case_id = f"SB261125-{prefix}{n:02d}"
        task_id = f"{case_id}-THANDOUT"
        cases.create(
            {
                "caseId": case_id,
                "channel": "phone",
                "status": "ESCALATED",
                "queue": HURRY,
                "tasks": [task_id],
                "openTaskId": task_id,
                "createdAt": iso(),
                "timeline": [],
            }
        )
        tasks.create(
            {
                "taskId": task_id,
                "caseId": case_id,
                "queue": HURRY,
                "priority": priority,
                "slaDueAt": iso(now() + timedelta(minutes=due_in_minutes + n)),
                "summary": f"hand-out test {prefix}{n}",
                "evidence": [],
                "language": language,
                "createdAt": iso(),
                "taskToken": f"token-{case_id}",
            }
        )
        made.append(task_id)
    return made


def all_at_once(calls):
    """Run the calls on threads released together; answers their results in order (bounded: joins)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=30)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call never answered"
    return results


def load_of(agent_id):
    from switchboard.adapters.repository.agents import AgentLoad

    return AgentLoad().load(agent_id)


def held_by(runtime, agent_id):
    ddb = runtime.client("dynamodb")
    items = ddb.scan(
        TableName=runtime.refs["TasksTable"],
        FilterExpression="claimedBy = :a AND #s = :c",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":a": {"S": agent_id}, ":c": {"S": "CLAIMED"}},
    )["Items"]
    return {item["taskId"]["S"] for item in items}


def next_for(client, agent_id):
    return lambda: client.request("POST", "/tasks/next", None, crowd_headers(agent_id))


def test_ten_agents_calling_at_once_get_ten_different_tasks(runtime, client):
    # given twelve open tasks in the crowd's queue
    made = open_tasks_by_hand(12, "HA")
    # when the ten agents ask for their next task at the same moment
    answers = all_at_once([next_for(client, a) for a in CROWD])
    # then each gets a task of their own: ten different tasks, each claimed by the one it was handed to
    assert [a.status for a in answers] == [200] * 10, [a.body for a in answers]
    given = [a.json() for a in answers]
    assert len({t["taskId"] for t in given}) == 10
    assert {t["taskId"] for t in given} <= set(made)
    for agent_id, task in zip(CROWD, given, strict=True):
        assert task["status"] == "CLAIMED" and task["claimedBy"] == agent_id
        assert held_by(runtime, agent_id) == {task["taskId"]}
        assert load_of(agent_id) == 1
    # and each hand-out is on its case's timeline, with who and when
    for task in given:
        entries = [t for t in case_of(client, task["caseId"])["timeline"] if "handed out by next" in t["detail"]]
        assert len(entries) == 1 and entries[0]["actor"] == f"agent:{task['claimedBy']}" and entries[0]["at"]


def test_no_agent_goes_beyond_capacity_however_fast_they_ask(runtime, client):
    # given plenty of open tasks, and each crowd agent holding one of their two
    open_tasks_by_hand(25, "HB")
    for agent_id in CROWD:
        if load_of(agent_id) == 0:
            assert client.request("POST", "/tasks/next", None, crowd_headers(agent_id)).status == 200
    before = {a: held_by(runtime, a) for a in CROWD}
    # when every agent asks three times at once (thirty calls)
    answers = all_at_once([next_for(client, a) for a in CROWD for _ in range(3)])
    # then each agent got exactly one more task, and the other calls were told they are at capacity
    by_agent = {a: answers[i * 3 : i * 3 + 3] for i, a in enumerate(CROWD)}
    handed = []
    for agent_id, mine in by_agent.items():
        assert sorted(a.status for a in mine) == [200, 409, 409], [a.body for a in mine]
        refused = [a.json()["error"] for a in mine if a.status == 409]
        assert all(e["code"] == "AT_CAPACITY" and e["details"][0]["field"] == "capacity" for e in refused)
        handed += [a.json()["taskId"] for a in mine if a.status == 200]
        # and the load is the tasks they hold, never more than their capacity
        assert len(held_by(runtime, agent_id)) == CROWD_CAPACITY == load_of(agent_id)
        assert before[agent_id] < held_by(runtime, agent_id)
    assert len(handed) == len(set(handed)) == 10


def test_claim_obeys_the_same_capacity_and_writes_nothing_past_it(runtime, client):
    # given a crowd agent at capacity and an open task of their queue
    agent_id = CROWD[0]
    assert load_of(agent_id) == CROWD_CAPACITY
    (task_id,) = open_tasks_by_hand(1, "HC")
    # when they claim it
    answer = client.request("POST", f"/tasks/{task_id}/claim", None, crowd_headers(agent_id))
    # then 409 AT_CAPACITY, and the task is still open for someone else
    assert answer.status == 409 and answer.json()["error"]["code"] == "AT_CAPACITY", answer.body
    from switchboard.adapters.repository.tasks import TaskRepository

    assert TaskRepository().get(task_id)["status"] == "OPEN"
    assert load_of(agent_id) == CROWD_CAPACITY


def test_nothing_for_them_is_204_with_no_body(runtime, client):
    # given an agent whose queues hold no open task (the complaints and general agent, before any contact)
    headers = agent_headers("local-agent-smith")
    # when they ask for their next task
    answer = client.request("POST", "/tasks/next", None, headers)
    # then 204, nothing claimed
    assert answer.status == 204 and answer.body == "", answer.body
    assert load_of("agent-smith") == 0


def test_a_task_in_the_agents_language_comes_first_within_a_priority(runtime, client):
    # given the crowd's queue to ourselves, with a Chinese task due first and an English one due later
    from switchboard.adapters.repository.tasks import TaskRepository

    repo = TaskRepository()
    for task in repo.open_tasks(HURRY, 100):  # earlier tests' leftovers expire, as at their SLA
        repo.expire(task["taskId"], "test: clearing the queue")
    # (an expiry releases its holder's load: the crowd holds nothing now)
    assert all(load_of(a) == 0 and held_by(runtime, a) == set() for a in CROWD)
    zh = open_tasks_by_hand(1, "HZ", language="zh-CN", due_in_minutes=5)
    en = open_tasks_by_hand(1, "HE", language="en", due_in_minutes=50)
    # when an agent who speaks English only asks for their next task
    answer = client.request("POST", "/tasks/next", None, crowd_headers(ENGLISH))
    # then the English task, although the Chinese one is due first
    assert answer.status == 200, answer.body
    assert answer.json()["taskId"] == en[0] and answer.json()["language"] == "en"
    # and priority comes before language: an urgent Chinese task is handed out before the normal one
    urgent = open_tasks_by_hand(1, "HU", priority="urgent", language="zh-CN", due_in_minutes=90)
    second = client.request("POST", "/tasks/next", None, crowd_headers(ENGLISH))
    assert second.status == 200 and second.json()["taskId"] == urgent[0], second.body
    third = client.request("POST", "/tasks/next", None, crowd_headers(ENGLISH))
    assert third.status == 200 and third.json()["taskId"] == zh[0], third.body


def test_a_supervisor_takes_over_a_claimed_task_and_the_agents_load_follows(runtime, client):
    # given a refund task in payments, claimed by agent-liu
    opened = refund_chat(client, "handout-takeover-1")
    task = open_task(runtime, client, opened["caseId"], PAYMENTS, timeout=60)
    claimed = client.request("POST", f"/tasks/{task['taskId']}/claim", None, PAYMENTS)
    assert claimed.status == 200 and claimed.json()["claimedBy"] == "agent-liu", claimed.body
    assert load_of("agent-liu") == 1
    # when an agent (not a supervisor) tries to take it over, then 403 and nothing moves
    stolen = client.request("POST", f"/tasks/{task['taskId']}/takeover", None, agent_headers("local-agent-wang"))
    assert stolen.status == 403, stolen.body
    # when the supervisor takes it over
    taken = client.request("POST", f"/tasks/{task['taskId']}/takeover", None, SUPERVISOR)
    # then it is theirs, agent-liu's load is released and the supervisor's counts it
    assert taken.status == 200, taken.body
    assert taken.json()["claimedBy"] == "sup-zhao" and taken.json()["status"] == "CLAIMED"
    assert load_of("agent-liu") == 0 and load_of("sup-zhao") == 1
    # and agent-liu can no longer complete it; the supervisor can, and the workflow resumes
    late = client.request(
        "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "mine"}, PAYMENTS
    )
    assert late.status == 409, late.body
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {"outcome": "REJECTED", "resolution": "Supervisor reviewed: no duplicate charge found."},
        SUPERVISOR,
    )
    assert done.status == 200, done.body
    assert load_of("sup-zhao") == 0
    # and the timeline says who did what, and when
    view = runtime.wait_for(
        lambda: (c := case_of(client, opened["caseId"]))["status"] in ("RESOLVED", "CLOSED") and c,
        timeout=30,
        what="the case to resume",
    )
    agent_steps = [(t["actor"], t["detail"]) for t in view["timeline"] if t["stage"] == "agent"]
    assert ("agent:agent-liu", f"task {task['taskId']} claimed") in agent_steps
    assert (
        "agent:sup-zhao",
        f"task {task['taskId']} taken over by supervisor sup-zhao from agent agent-liu",
    ) in agent_steps
    assert ("agent:sup-zhao", f"task {task['taskId']} completed: REJECTED") in agent_steps


def test_a_supervisor_reassigns_a_claimed_task_to_the_queue_or_to_an_agent(runtime, client):
    # given a refund task claimed by agent-liu
    opened = refund_chat(client, "handout-reassign-1")
    task = open_task(runtime, client, opened["caseId"], PAYMENTS, timeout=60)
    url = f"/tasks/{task['taskId']}/reassign"
    assert client.request("POST", f"/tasks/{task['taskId']}/claim", None, PAYMENTS).status == 200
    # when the supervisor names an agent who is not of the task's queue, then 400 naming the field
    wrong = client.request("POST", url, {"agentId": "agent-wang"}, SUPERVISOR)
    assert wrong.status == 400 and wrong.json()["error"]["details"][0]["field"] == "agentId", wrong.body
    # when the supervisor returns it to the queue
    back = client.request("POST", url, {"reason": "agent-liu is off sick"}, SUPERVISOR)
    # then it is open again, agent-liu's load released
    assert back.status == 200 and back.json()["status"] == "OPEN" and back.json()["claimedBy"] is None, back.body
    assert load_of("agent-liu") == 0
    # when the supervisor gives it to agent-liu again by name
    given = client.request("POST", url, {"agentId": "agent-liu"}, SUPERVISOR)
    # then agent-liu holds it and their load counts it
    assert given.status == 200 and given.json()["claimedBy"] == "agent-liu", given.body
    assert load_of("agent-liu") == 1
    # and both moves are on the timeline with the supervisor as actor
    details = [(t["actor"], t["detail"]) for t in case_of(client, opened["caseId"])["timeline"]]
    assert (
        "agent:sup-zhao",
        f"task {task['taskId']} returned to queue payments by supervisor sup-zhao (from agent agent-liu): "
        "agent-liu is off sick",
    ) in details
    assert ("agent:sup-zhao", f"task {task['taskId']} reassigned to agent agent-liu by supervisor sup-zhao") in details
    # and the completion releases the load again
    done = client.request(
        "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "REJECTED", "resolution": "checked"}, PAYMENTS
    )
    assert done.status == 200, done.body
    assert load_of("agent-liu") == 0
