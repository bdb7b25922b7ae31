"""AgentDesk when Step Functions refuses the completion: nothing is left looking done that was not applied."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError
from switchboard.adapters.repository.cases import CaseRepository
from switchboard.adapters.repository.tasks import TaskRepository
from switchboard.desk.tasks import AgentDesk
from switchboard.domain.clock import iso, now
from switchboard.domain.errors import TaskConflict
from switchboard.domain.identity import Principal
from switchboard.domain.models import TaskCompletion

AGENT = Principal("agent", "agent-liu", frozenset({"payments"}))
DONE = TaskCompletion(outcome="RESOLVED", resolution="refund approved")


class RefusingStepFunctions:
    """Answers SendTaskSuccess with the given error code, as the service would: with the client's own
    exception class when the service models that error, else a plain ClientError."""

    exceptions = boto3.session.Session().client("stepfunctions", region_name="us-east-1").exceptions

    def __init__(self, code: str | None) -> None:
        self.code = code
        self.calls = 0

    def send_task_success(self, **_):
        self.calls += 1
        if self.code:
            error = getattr(self.exceptions, self.code, ClientError)
            raise error({"Error": {"Code": self.code, "Message": "no"}}, "SendTaskSuccess")


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


class RecordingStepFunctions(RefusingStepFunctions):
    def __init__(self) -> None:
        super().__init__(None)
        self.outputs: list[str] = []

    def send_task_success(self, **kwargs):
        self.outputs.append(kwargs["output"])
        return super().send_task_success(**kwargs)


def interrupted_completion(runtime, task_id):
    """A task marked done by agent-liu whose SendTaskSuccess never landed (the answer was lost)."""
    open_task(runtime, task_id)
    CaseRepository().update("SB000000-DESK", fields={"openTaskId": task_id})
    decision = {"taskId": task_id, "outcome": "RESOLVED", "resolution": "refund approved", "agentId": "agent-liu"}
    TaskRepository().complete(task_id, "agent-liu", decision)


def test_the_same_agents_retry_delivers_a_completion_whose_answer_was_lost(runtime):
    # given a task marked done whose decision the workflow never heard
    interrupted_completion(runtime, "desk-lost")
    sfn = RecordingStepFunctions()
    # when the agent retries the completion (with other words this time)
    view = AgentDesk(sfn=sfn).complete(AGENT, "desk-lost", TaskCompletion(outcome="RESOLVED", resolution="again"))
    # then the decision recorded the first time reaches the workflow, once, and the case records it
    assert view.status == "COMPLETED"
    assert [json.loads(o)["resolution"] for o in sfn.outputs] == ["refund approved"]
    case = CaseRepository().get("SB000000-DESK")
    assert case.get("openTaskId") is None
    assert any("task desk-lost completed: RESOLVED" in t["detail"] for t in case["timeline"])
    # and a further retry, now that the case has it, is a 409 that sends nothing
    with pytest.raises(TaskConflict):
        AgentDesk(sfn=sfn).complete(AGENT, "desk-lost", DONE)
    assert len(sfn.outputs) == 1


def test_another_agent_cannot_redeliver_someone_elses_completion(runtime):
    # given a completion by agent-liu that the workflow never heard
    interrupted_completion(runtime, "desk-lost-other")
    sfn = RecordingStepFunctions()
    other = Principal("agent", "agent-wang", frozenset({"payments"}))
    # when another agent of the queue tries to complete it
    with pytest.raises(TaskConflict):
        AgentDesk(sfn=sfn).complete(other, "desk-lost-other", DONE)
    # then nothing is sent on liu's behalf
    assert sfn.outputs == []


class RewaitingStepFunctions(RecordingStepFunctions):
    """The first answer arrives as the wait times out for a clock that does not end it: the token is
    refused, and the workflow waits again on a new one (ClockDue, then HumanTask re-arms the task)."""

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id
        self.tokens: list[str] = []

    def send_task_success(self, **kwargs):
        self.tokens.append(kwargs["taskToken"])
        if len(self.tokens) == 1:
            tasks = TaskRepository()
            threading.Timer(
                0.3, lambda: tasks.rearm(tasks.get(self.task_id), "token-2", [], iso(now() + timedelta(hours=1)))
            ).start()
            raise self.exceptions.TaskTimedOut(
                {"Error": {"Code": "TaskTimedOut", "Message": "timed out"}}, "SendTaskSuccess"
            )
        return super().send_task_success(**kwargs)


def test_a_completion_as_the_wait_starts_again_reaches_the_new_wait(runtime):
    # given a claimed task whose wait times out (first response due) just as the agent completes it
    open_task(runtime, "desk-rewait")
    CaseRepository().update("SB000000-DESK", fields={"openTaskId": "desk-rewait"})
    desk = AgentDesk(sfn=RewaitingStepFunctions("desk-rewait"))
    desk.claim(AGENT, "desk-rewait")
    # when the agent completes it
    view = desk.complete(AGENT, "desk-rewait", DONE)
    # then the decision reaches the workflow on the new wait's token, once, and the task is done
    assert view.status == "COMPLETED"
    assert desk.sfn.tokens == ["token", "token-2"] and len(desk.sfn.outputs) == 1
    task = TaskRepository().get("desk-rewait")
    assert task["status"] == "COMPLETED" and task["decision"]["resolution"] == "refund approved"
