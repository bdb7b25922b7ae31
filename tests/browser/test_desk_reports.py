"""The desk's Reports page (issue 14, point 3) in a real Chromium over `make serve`: a supervisor opens
Reports from the navigation and sees GET /reports' figures for the default week and the day chart
(uPlot, bundled in desk/vendor/uplot: nothing from a CDN), in English and in 中文; an agent has no
Reports link and the API refuses them the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.workflow.helpers import SUPERVISOR, post_contact

pytestmark = pytest.mark.browser


def sign_in(page, base_url, token):
    page.set_default_timeout(20_000)
    page.goto(f"{base_url}/desk/")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()


def test_a_supervisor_sees_the_figures_and_the_day_chart_in_both_languages(page, base_url, runtime, client):
    # given a product question answered by the workflow (a contained case), its events projected
    from switchboard.domain.clock import now
    from switchboard.reports.projection import CHINA

    product = {"channel": "web", "submissionId": "desk-report-1", "name": "David Wong", "language": "en",
               "email": "david.wong@example.hk", "message": "What are the fees for withdrawing to my bank card?"}  # fmt: skip
    case_id = post_contact(client, product).json()["caseId"]
    runtime.wait_for_execution(case_id, timeout=60)
    runtime.deliver_events()
    today = now().astimezone(CHINA).date()
    week = f"from={today - timedelta(days=6)}&to={today}"
    expected = client.request("GET", "/reports", headers=SUPERVISOR, query=week).json()
    assert expected["containment"]["cases"] >= 1
    # when the supervisor signs in and opens Reports
    sign_in(page, base_url, "local-supervisor-zhao")
    page.get_by_role("link", name="Reports").click()
    # then the page shows the same figures as the API for the default week (the last seven China days)
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value(str(today - timedelta(days=6)))
    expect(page.get_by_label("To")).to_have_value(str(today))
    containment = page.locator("[data-figure=containment]")
    c = expected["containment"]
    expect(containment).to_contain_text(f"{c['contained']} of {c['cases']} cases")
    expect(containment).to_contain_text(f"{round(c['rate'] * 1000) / 10:g}%")
    expect(page.get_by_role("table", name="Contacts by channel")).to_contain_text("web")
    # and the day chart is drawn by the bundled uPlot, its series named in the legend
    chart = page.get_by_role("img", name="Contacts, escalations, clock breaches and survey answers per day")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_contain_text("Contacts")
    assert any(url.endswith("/desk/vendor/uplot/uPlot.esm.js") for url in page.requests.seen)
    assert page.requests.refused == []
    # when the queue is narrowed to one without cases, then the figures follow
    page.get_by_label("Queue").select_option("disputes")
    page.get_by_role("button", name="Show the figures").click()
    expect(containment).to_contain_text("0 of 0 cases")
    # when they switch to Chinese, then the page reads in Chinese
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", name="报表")).to_be_visible()
    expect(page.locator("[data-figure=containment] dt")).to_have_text("自助解决率")
    expect(
        page.get_by_role("img", name="每日来访量、升级数、时限超时数与满意度回复数").locator("canvas")
    ).to_have_count(1)


def test_an_agent_has_no_reports_page(page, base_url):
    sign_in(page, base_url, "local-agent-liu")
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    # and going there by its address shows the API's refusal, not figures
    page.console.expected.append("Failed to load resource: the server responded with a status of 403")
    page.goto(f"{base_url}/desk/#/reports")
    expect(page.get_by_role("alert")).to_contain_text("only supervisors may read the reports")
    expect(page.locator("[data-figure]")).to_have_count(0)
