"""Two needs in one message and an unsure classifier, on the real ASL: who gets the case, and what
the agent sees."""

from __future__ import annotations

import pytest

from tests.workflow.helpers import ACCOUNTS, PAYMENTS, details, open_task, wait_status, web_contact

pytestmark = pytest.mark.workflow


def test_two_needs_go_to_the_primary_team_with_both_in_the_task(runtime, client):
    # given a web customer who was charged twice and also complains about an agent
    opened = web_contact(
        client,
        "two-needs-1",
        "I was charged twice for my coffee this morning, and your agent was rude to me on the phone",
    )
    # when the workflow runs (the unknown address is asked for a code like anyone; none comes in time)
    task = open_task(runtime, client, opened["caseId"], PAYMENTS, timeout=90)
    case = wait_status(runtime, client, opened["caseId"], "ESCALATED")
    # then money routes (payments), the complaint is carried on the case and in the agent's task
    assert case["intent"] == "duplicate_payment" and case["secondaryIntent"] == "complaint"
    assert task["queue"] == "payments" and case["status"] == "ESCALATED" and case["resolution"] is None
    assert "duplicate_payment + complaint" in task["summary"]
    assert {"primaryIntent": "duplicate_payment", "secondaryIntent": "complaint"} in task["evidence"]
    assert "also complaint" in details(case)


def test_an_unsure_guess_goes_to_a_person_never_to_an_automatic_answer(runtime, client):
    # given a message the model cannot place with confidence
    opened = web_contact(client, "unsure-1", "about my money from yesterday")
    # when the workflow runs
    task = open_task(runtime, client, opened["caseId"], ACCOUNTS)  # agent-wang works general
    case = wait_status(runtime, client, opened["caseId"], "ESCALATED")
    # then a person in general gets it and nothing was answered automatically
    assert "by threshold" in details(case)
    assert task["queue"] == "general" and case["status"] == "ESCALATED" and case["resolution"] is None
    assert case["secondaryIntent"] is None
