"""Ask instead of guess, when the customer never answers: the clarifying question's wait is bounded
(CustomerReplyTimeoutSeconds, 2 s here) and ends with a person, whatever the silence policy says about
an agent's questions."""

from __future__ import annotations

import pytest

from local_runtime.client import LocalClient
from local_runtime.runtime import LocalRuntime
from tests.workflow.helpers import ACCOUNTS, details, open_task, wait_status
from tests.workflow.test_clarify import chat, question_sent

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def quick():
    """A runtime whose customer-reply wait lasts 2 seconds and whose silence policy closes cases."""
    with LocalRuntime(parameters={"CustomerReplyTimeoutSeconds": "2", "CustomerSilencePolicy": "CLOSE"}) as rt:
        yield rt, LocalClient(rt)


def test_no_answer_in_time_goes_to_a_person(quick):
    runtime, client = quick
    # given an unsure chat that was asked which need, and a customer who stays silent
    case_id = chat(client, "clarify-chat-4", "m-1", "something is wrong with my payment")["caseId"]
    question_sent(runtime, case_id)
    # when the wait ends, then a person in general has the case, never an automatic answer nor a closed case
    task = open_task(runtime, client, case_id, ACCOUNTS)
    case = wait_status(runtime, client, case_id, "ESCALATED")
    assert task["queue"] == "general" and case["resolution"] is None
    assert "no clear answer to which need" in details(case) and case["question"] is None
