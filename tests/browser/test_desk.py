"""The agent desk (GET /desk/ on `make serve`) in a real Chromium, against the real template and state
machine on one served runtime for the module: an agent signs in with a seed token, takes the next
task, opens a duplicate-payment case, approves the suggested refund with one click, completes and
sees the case closed; sends a chat message and sees the customer's answer arrive without reloading;
reassigns to another queue; a supervisor sees a breached task, agents' load, takes over, reassigns
and extends the regulatory clock; both languages; tablet width; keyboard; readable API errors. The
page fixture fails a test on any console error it did not provoke on purpose.

`make screenshots` runs this module with SCREENSHOTS=docs/screenshots: the README's pictures are
taken here, at the moments the assertions check."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.workflow.helpers import PAYMENTS, SUPERVISOR, case_of, event_body, open_task, post_contact

pytestmark = pytest.mark.browser

LINA = {"X-App-User": "app-lina"}
EMILY = {"X-App-User": "app-emily"}
WAIT = 30_000  # ms: what the workflow may take on a loaded machine (polls end as soon as it is there)
FORBIDDEN_LOAD = "Failed to load resource: the server responded with a status of 40"  # an error we provoke


def shoot(page, name):
    """The README's screenshot, when `make screenshots` asks for them (SCREENSHOTS=<folder>)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page, base_url, token):
    page.set_default_timeout(20_000)
    page.goto(f"{base_url}/desk/")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()


def test_an_agent_takes_the_next_task_approves_the_suggested_refund_and_sees_the_case_closed(
    page, base_url, runtime, client
):
    # given 李娜's chat: paid twice at the same coffee shop (a payments task with the two payments as evidence)
    body = {**event_body("contact_app_chat_duplicate"), "sessionId": "desk-refund", "messageId": "m-1"}
    case_id = post_contact(client, body, LINA).json()["caseId"]
    open_task(runtime, client, case_id, PAYMENTS)
    # when agent liu signs in with their token
    sign_in(page, base_url, "local-agent-liu")
    # then the queue view counts their queues and lists the task: case, priority, intent, language,
    # the customer masked as the API gives it, and its clocks counting down
    expect(page.locator("#nav")).to_have_text("My queues")  # an agent has no supervisor view
    expect(page.locator("table.counts tr[data-queue=payments]")).to_be_visible()
    row = page.locator("tr[data-task]", has_text=case_id)
    expect(row).to_contain_text("duplicate payment")
    expect(row).to_contain_text("Chinese")
    expect(row).to_contain_text("a***")
    expect(row).to_contain_text("high")
    expect(row.locator(".clock[data-name=firstResponse]")).to_have_text(
        re.compile(r"First response: \d\d:\d\d:\d\d left")
    )
    shoot(page, "desk-queue")
    # when they take the next task
    page.get_by_role("button", name="Next task").click()
    # then the case opens: channel, verification, intent and confidence, the conversation, the evidence
    expect(page.get_by_role("heading", name=f"Case {case_id}")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("app chat")
    expect(facts).to_contain_text("authenticated")
    expect(facts).to_contain_text(re.compile(r"duplicate payment \(\d+%\)"))
    expect(page.locator("ol.conversation")).to_contain_text("星巴克")
    suggested = page.locator("table.evidence tr.suggested")
    expect(suggested).to_have_count(1)
    expect(suggested).to_contain_text("TK3E606")
    expect(suggested).to_contain_text("Approve refund TK3E606")
    expect(page.locator("table.evidence tbody tr")).to_have_count(2)
    # when they approve the suggested refund with one click, write the resolution and complete
    refund = page.get_by_role("button", name="Approve refund TK3E606")
    refund.click()
    expect(refund).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Resolution").fill("Refunded the second 38.00 CNY payment to Starbucks.")
    shoot(page, "desk-case")
    page.get_by_role("button", name="Complete").click()
    # then, without reloading, the refund shows on the timeline and the case closes
    expect(page.locator("ol.timeline")).to_contain_text("of TK3E606 approved", timeout=WAIT)
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "CLOSED", timeout=WAIT)
    expect(page.locator("[data-task-status]")).to_have_attribute("data-task-status", "COMPLETED")
    # and the API agrees: the case is closed with the agent's refund carried out
    case = case_of(client, case_id)
    assert case["status"] == "CLOSED"
    assert any("RTK3E606 of TK3E606 approved" in t["detail"] for t in case["timeline"])


def test_an_agent_sends_a_chat_message_and_sees_the_customers_answer_arrive(page, base_url, runtime, client):
    # given Emily's chat about a charge she never made (a disputes task), listed for liu
    body = {**event_body("contact_app_chat_fraud"), "sessionId": "desk-chat", "messageId": "m-1"}
    case_id = post_contact(client, body, EMILY).json()["caseId"]
    open_task(runtime, client, case_id, PAYMENTS)
    sign_in(page, base_url, "local-agent-liu")
    # when they claim it from the list, then the case opens with a message box
    page.locator("tr[data-task]", has_text=case_id).get_by_role("button", name="Claim").click()
    expect(page.get_by_role("heading", name=f"Case {case_id}")).to_be_visible()
    expect(page.locator("table.evidence tr.suggested")).to_contain_text("Block card")
    # when they send the customer a question
    page.get_by_role("textbox", name="Message", exact=True).fill("Do you still have your card with you?")
    page.get_by_role("button", name="Send").click()
    # then it is on the conversation, and the case waits on the customer
    expect(page.locator("ol.conversation")).to_contain_text("Do you still have your card with you?", timeout=WAIT)
    expect(page.locator("[data-task-status]")).to_have_attribute("data-task-status", "AWAITING_CUSTOMER")
    # when the customer answers in the same chat session
    post_contact(client, {**body, "messageId": "m-2", "message": "Yes, it is in my wallet."}, EMILY)
    # then the answer appears on the open page without a reload, and the task is back with the agent
    expect(page.locator("ol.conversation li.from-customer").last).to_contain_text(
        "Yes, it is in my wallet.", timeout=WAIT
    )
    expect(page.locator("[data-task-status]")).to_have_attribute("data-task-status", "CLAIMED", timeout=WAIT)
    expect(page.get_by_role("button", name="Block card TK3J110")).to_be_visible()


def test_an_agent_reassigns_a_task_to_another_queue(page, base_url, runtime, client):
    # given a web complaint in the complaints queue, claimed by agent smith from the list
    body = {**event_body("contact_web_complaint"), "submissionId": "desk-reassign"}
    case_id = post_contact(client, body).json()["caseId"]
    open_task(runtime, client, case_id, SUPERVISOR)
    sign_in(page, base_url, "local-agent-smith")
    page.locator("tr[data-task]", has_text=case_id).get_by_role("button", name="Claim").click()
    expect(page.get_by_role("heading", name=f"Case {case_id}")).to_be_visible()
    # when they reassign it to the general queue with a reason
    page.get_by_label("Queue", exact=True).select_option("general")
    page.get_by_label("Why").fill("The customer asks about fees, not a complaint")
    page.get_by_role("button", name="Reassign").click()
    # then the desk says so and the task is done with this agent
    expect(page.get_by_role("status")).to_contain_text("Task sent to General.")
    expect(page.locator("[data-task-status]")).to_have_attribute("data-task-status", "COMPLETED", timeout=WAIT)


def test_a_supervisor_sees_a_breached_task_and_agents_load_takes_over_and_extends_the_regulatory_clock(
    page, base_url, runtime, client
):
    from switchboard.adapters.repository.tasks import TaskRepository
    from switchboard.domain.clock import iso, now

    # given a complaint whose first response came due five minutes ago, nobody having claimed it
    body = {**event_body("contact_web_complaint"), "submissionId": "desk-breached"}
    case_id = post_contact(client, body).json()["caseId"]
    task = open_task(runtime, client, case_id, SUPERVISOR)
    overdue = iso(now() - timedelta(minutes=5))
    clocks = [{**c, "dueAt": overdue} if c["name"] == "firstResponse" else c for c in task["clocks"]]
    TaskRepository().set_clocks(task["taskId"], clocks)
    # when the supervisor signs in and opens the supervisor view
    sign_in(page, base_url, "local-supervisor-zhao")
    page.get_by_role("link", name="Supervisor").click()
    # then the task is listed as breached, its first-response clock red, and every agent's load shows
    breached = page.locator("section.panel-breached tr[data-task]", has_text=case_id)
    expect(breached.locator(".clock[data-name=firstResponse]")).to_have_attribute("data-level", "breached")
    expect(breached.locator(".clock[data-name=firstResponse]")).to_contain_text("over")
    expect(page.locator("table.counts tr[data-queue=complaints] td.breached")).to_be_visible()
    for agent in ("agent-liu", "agent-smith", "agent-wang"):
        expect(page.locator(f"table.agents tr[data-agent={agent}]")).to_be_visible()
    shoot(page, "desk-supervisor")
    # when they reassign it to agent smith
    breached.get_by_label("Reassign to").select_option("agent-smith")
    breached.get_by_role("button", name="Reassign").click()
    expect(page.get_by_role("status")).to_contain_text(f"Task of case {case_id} reassigned.")
    # and then take it over themselves
    row = page.locator("section.panel-breached tr[data-task]", has_text=case_id)
    expect(row).to_contain_text("agent-smith")
    row.get_by_role("button", name="Take over").click()
    expect(page.get_by_role("status")).to_contain_text(f"Task of case {case_id} is now yours.")
    # when they open the case and extend the complaint's regulatory deadline with a reason
    page.locator("section.panel-breached tr[data-task]", has_text=case_id).get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Case {case_id}")).to_be_visible()
    page.get_by_label("Days").fill("10")
    page.get_by_label("Reason").fill("Waiting for the call recordings")
    page.get_by_role("button", name="Extend").click()
    # then the desk confirms it and the API shows the clock extended
    expect(page.get_by_role("status")).to_contain_text("Regulatory deadline extended")
    view = client.request("GET", f"/tasks/{task['taskId']}/case", headers=SUPERVISOR).json()
    assert next(c for c in view["task"]["clocks"] if c["name"] == "regulatory")["extended"] is True
    assert view["task"]["claimedBy"] == "sup-zhao"


def test_the_desk_switches_between_english_and_chinese_and_works_by_keyboard(page, base_url):
    # given the sign-in page, used with the keyboard only
    page.set_default_timeout(20_000)
    page.goto(f"{base_url}/desk/")
    token = page.get_by_label("Token")
    for _ in range(8):
        if token.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert token.evaluate("element => element === document.activeElement"), "Tab never reaches the Token field"
    page.keyboard.type("local-agent-wang")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()
    # when the agent switches to Chinese
    page.get_by_role("button", name="中文").click()
    # then the desk speaks Chinese from the same catalogue, and offers English back
    expect(page.get_by_role("heading", name="队列")).to_be_visible()
    expect(page.get_by_role("button", name="下一个任务")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Next task")).to_be_visible()
    # and Next task is reachable and pressed from the keyboard
    next_task = page.get_by_role("button", name="Next task")
    next_task.focus()
    page.keyboard.press("Enter")
    # (another test may have left a task in wang's queues: either it opens, or the desk says none is left)
    handed_out = page.get_by_role("heading", name=re.compile(r"^Case SB"))
    expect(handed_out.or_(page.get_by_text("No open task is left for you."))).to_be_visible()


def test_the_desk_fits_a_tablet_and_a_laptop_screen(page, base_url, runtime, client):
    # given a complaint, opened by the supervisor (who reads every case)
    body = {**event_body("contact_web_complaint"), "submissionId": "desk-tablet"}
    case_id = post_contact(client, body).json()["caseId"]
    task = open_task(runtime, client, case_id, SUPERVISOR)
    sign_in(page, base_url, "local-supervisor-zhao")
    for width, height in ((1280, 800), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        # then neither the queue view nor the case view is wider than the screen
        page.goto(f"{base_url}/desk/#/")
        expect(page.get_by_role("button", name="Next task")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        page.goto(f"{base_url}/desk/#/task/{task['taskId']}")
        expect(page.get_by_role("heading", name=f"Case {case_id}")).to_be_visible()
        expect(page.get_by_role("button", name="Complete")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width


def test_api_errors_are_shown_as_readable_messages(page, base_url, runtime, client):
    page.console.expected.append(FORBIDDEN_LOAD)  # the browser logs the 401 and 403 we ask for
    # given a token the API does not accept: the sign-in says why
    page.set_default_timeout(20_000)
    page.goto(f"{base_url}/desk/")
    page.get_by_label("Token").fill("not-a-token")
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.get_by_role("alert").filter(has_text="Sign-in failed")).to_contain_text("an agent token is required")
    # given a complaints task, when a payments agent opens it by its address
    body = {**event_body("contact_web_complaint"), "submissionId": "desk-forbidden"}
    case_id = post_contact(client, body).json()["caseId"]
    task = open_task(runtime, client, case_id, SUPERVISOR)
    sign_in(page, base_url, "local-agent-liu")
    page.goto(f"{base_url}/desk/#/task/{task['taskId']}")
    # then the API's refusal is on the page in words, with the way back, never a blank page
    expect(page.locator("#error")).to_contain_text("belongs to queue complaints")
    page.get_by_role("link", name="My queues").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()
