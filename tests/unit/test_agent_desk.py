"""AgentDesk when Step Functions refuses the completion: nothing is left looking done that was not applied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from switchboard.agents import AgentDesk
from switchboard.clock import iso, now
from switchboard.errors import TaskConflict
from switchboard.identity import Principal
from switchboard.models import TaskCompletion
from switchboard.repository.cases import CaseRepository
from switchboard.repository.tasks import TaskRepository

AGENT = Principal("agent", "agent-liu", frozenset({"payments"}))
DONE = TaskCompletion(outcome="RESOLVED", resolution="refund approved")


class RefusingStepFunctions:
    """Answers SendTaskSuccess with the given error code, as the service would."""

    def __init__(self, code: str | None) -> None:
        self.code = code
        self.calls = 0

    def send_task_success(self, **_):
        self.calls += 1
        if self.code:
            raise type(self.code, (ClientError,), {})(
                {"Error": {"Code": self.code, "Message": "no"}}, "SendTaskSuccess"
            )


def open_task(runtime, task_id):
    CaseRepository().create({"caseId": "SB000000-DESK", "channel": "web", "status": "ESCALATED"})
    TaskRepository().create(
        {
            "taskId": task_id,
            "caseId": "SB000000-DESK",
            "queue": "payments",
            "priority": "high",
            "slaDueAt": iso(now() + timedelta(hours=1)),
            "summary": "refund",
            "evidence": [],
            "taskToken": "token",
        }
    )


def test_a_completion_the_workflow_no_longer_waits_for_expires_the_task(runtime):
    # given an open task whose workflow has stopped waiting (its SLA timer fired)
    open_task(runtime, "desk-timed-out")
    desk = AgentDesk(sfn=RefusingStepFunctions("TaskTimedOut"))
    # when the agent completes it
    with pytest.raises(TaskConflict):
        desk.complete(AGENT, "desk-timed-out", DONE)
    # then the task is recorded as expired, not as done, and has left the queue
    task = TaskRepository().get("desk-timed-out")
    assert task["status"] == "EXPIRED" and "decision" not in task
    assert all(t["taskId"] != "desk-timed-out" for t in TaskRepository().open_tasks("payments"))


def test_a_transient_refusal_leaves_the_task_workable_for_the_same_agent(runtime):
    # given a task and a Step Functions that throttles once
    open_task(runtime, "desk-throttled")
    refusing = RefusingStepFunctions("ThrottlingException")
    desk = AgentDesk(sfn=refusing)
    with pytest.raises(ClientError):
        desk.complete(AGENT, "desk-throttled", DONE)
    # then the task is back in the queue, claimed by that agent, and a retry completes it
    assert TaskRepository().get("desk-throttled")["status"] == "CLAIMED"
    refusing.code = None
    assert desk.complete(AGENT, "desk-throttled", DONE).status == "COMPLETED"
    assert refusing.calls == 2
