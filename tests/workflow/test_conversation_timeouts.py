"""A question the customer never answers: the wait is bounded (CustomerReplyTimeoutSeconds, 2 s here)
and ends as the policy (CustomerSilencePolicy) says: the task goes back to its queue, unclaimed, or
the case is closed with a notice."""

from __future__ import annotations

import pytest

from local_runtime.client import LocalClient
from local_runtime.runtime import LocalRuntime
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


@pytest.fixture(scope="module", params=["RETURN_TO_QUEUE", "CLOSE"])
def silence(request):
    parameters = {"CustomerReplyTimeoutSeconds": "2", "CustomerSilencePolicy": request.param}
    with LocalRuntime(parameters=parameters) as runtime:
        yield request.param, runtime, LocalClient(runtime)


def asked_and_unanswered(runtime, client, key):
    """A web complaint whose agent asked the customer a question (the customer stays silent)."""
    case_id = post_contact(client, {**event_body("contact_web_complaint"), "submissionId": key}).json()["caseId"]
    task = open_task(runtime, client, case_id, COMPLAINTS)
    assert client.request("POST", f"/tasks/{task['taskId']}/claim", headers=COMPLAINTS).status == 200
    asked = client.request("POST", f"/tasks/{task['taskId']}/messages", {"text": "Which branch?"}, COMPLAINTS)
    assert asked.status == 200, asked.body
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    return case_id, task


def test_an_unanswered_question_ends_as_the_policy_says(silence):
    policy, runtime, client = silence
    # given an agent's question the customer does not answer
    case_id, task = asked_and_unanswered(runtime, client, f"silent-{policy}")
    if policy == "RETURN_TO_QUEUE":
        # when the wait ends, then the same task is open again in its queue, claimed by nobody
        back = runtime.wait_for(
            lambda: next(
                (t for t in case_of(client, case_id)["tasks"] if t["status"] == "OPEN" and not t["claimedBy"]), None
            ),
            what="the task back in its queue",
        )
        assert back["taskId"] == task["taskId"]
        case = case_of(client, case_id)
        assert case["status"] == "ESCALATED"
        assert "no answer from the customer within 2 seconds: task back to the complaints queue" in details(case)
        # and any agent of the queue may take it and complete it
        assert client.request("POST", f"/tasks/{task['taskId']}/claim", headers=SUPERVISOR).status == 200
        done = client.request(
            "POST", f"/tasks/{task['taskId']}/complete", {"outcome": "RESOLVED", "resolution": "done"}, SUPERVISOR
        )
        assert done.status == 200, done.body
        wait_status(runtime, client, case_id, "CLOSED")
    else:
        # when the wait ends, then the case is closed and the customer is told why
        case = wait_status(runtime, client, case_id, "CLOSED")
        assert "no answer from the customer within 2 seconds: case closed" in details(case)
        assert [t["status"] for t in case["tasks"]] == ["EXPIRED"]
        [notice] = runtime.wait_for(
            lambda: messages_for(runtime, case_id, "no_reply_closed"), what="the closing notice"
        )
        assert notice["channel"] == "email" and "did not hear back" in notice["body"]
