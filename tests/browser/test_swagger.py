"""The API's Swagger UI (GET /swagger) renders in a real browser from the generated document with no
request leaving 127.0.0.1: its assets are bundled with the function, so it works offline."""

from __future__ import annotations


def test_swagger_ui_renders_the_generated_document_offline(page, base_url):
    # given make serve's API, when an ops engineer opens /swagger in Chromium
    page.goto(f"{base_url}/swagger", wait_until="load")
    # then the UI draws the document: its title and the routes of both areas
    page.locator(".swagger-ui .info .title").wait_for(timeout=20_000)
    assert "Switchboard" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/contacts").first.wait_for(timeout=20_000)
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/contacts", "/tasks"} <= {p.strip() for p in paths}
    # and every request it made stayed on this machine (the document is inlined in the page)
    assert page.requests.seen and page.requests.seen[0].endswith("/swagger")
    assert page.requests.refused == []
