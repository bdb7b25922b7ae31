"""The API's description as served: the OpenAPI document Powertools generates from the routers is
valid under openapi-spec-validator and documents our error shape, and Swagger UI works offline (the
page carries Powertools' bundled assets inline and loads nothing from another host)."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from tests.conftest import agent_headers


@pytest.fixture(scope="module")
def served(client):
    answer = client.request("GET", "/openapi.json")
    assert answer.status == 200, answer.body
    return answer.json()


def test_the_served_document_is_valid_openapi(served):
    # given the document GET /openapi.json answers
    # when openapi-spec-validator checks it (it raises on the first violation)
    validate(served)
    # then it is an OpenAPI 3.1 document of both areas, customers' and agents'
    assert served["openapi"].startswith("3.1")
    assert {"/contacts", "/cases/{caseId}", "/tasks", "/tasks/{taskId}/complete"} <= set(served["paths"])
    # and the conversation and the clocks' routes with their bodies
    assert {"/tasks/{taskId}/messages", "/tasks/{taskId}/extend", "/cases/{caseId}/messages"} <= set(served["paths"])
    task = served["components"]["schemas"]["TaskView"]["properties"]
    assert {"clocks", "conversation"} <= set(task)


def test_every_route_of_the_template_is_documented(runtime, served):
    # given the template's API routes (the API description's own and CORS preflights aside)
    routes = {
        (r["path"], r["method"].lower())
        for r in runtime.routes
        if r["method"].upper() != "OPTIONS" and r["path"] not in ("/openapi.json", "/swagger")
    }
    # then the document has exactly one operation for each, the hand-out and supervisors' routes among them
    documented = {(path, method) for path, methods in served["paths"].items() for method in methods}
    assert documented == routes
    assert {
        ("/tasks/next", "post"),
        ("/tasks/{taskId}/takeover", "post"),
        ("/tasks/{taskId}/reassign", "post"),
    } <= documented


def test_every_operation_documents_the_one_error_shape_and_no_422(served):
    # given every operation of the document
    operations = [op for methods in served["paths"].values() for op in methods.values()]
    assert len(operations) == 17
    for operation in operations:
        responses = operation["responses"]
        # then bad input is a 400 in our error shape, never Powertools' own 422
        assert "422" not in responses, operation["operationId"]
        assert responses["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    # and the contact body is the named union of the channels' models
    contact = served["components"]["schemas"]["Contact"]
    assert set(contact["discriminator"]["mapping"]) == {"phone", "app_chat", "web"}
    assert "HTTPValidationError" not in served["components"]["schemas"]


def test_every_figure_of_the_report_names_its_definition(served):
    # given the report's schema and those of its parts
    schemas = served["components"]["schemas"]
    parts = ("Report", "Containment", "FirstContactResolution", "ServiceLevel", "Csat", "Complaints")
    # then every figure carries its definition (the fields that only name a queue, a day or a count of a
    # labelled thing aside), and the complaint table is documented as CSV
    plain = {"from", "to", "queue", "clock", "tasks", "answered", "closed", "day", "agentId", "maxHandlingDays"}
    missing = [
        f"{part}.{name}"
        for part in parts
        for name, field in schemas[part]["properties"].items()
        if name not in plain and not field.get("description")
    ]
    assert missing == []
    assert "text/csv" in served["paths"]["/reports/complaints"]["get"]["responses"]["200"]["content"]
    assert {p["name"] for p in served["paths"]["/reports"]["get"]["parameters"]} == {"from", "to", "queue"}


def test_the_documented_headers_and_query_are_the_ones_the_routes_read(served):
    # given the typed parameters of POST /contacts and GET /tasks
    contact_headers = {p["name"].lower() for p in served["paths"]["/contacts"]["post"]["parameters"]}
    task_query = {p["name"] for p in served["paths"]["/tasks"]["get"]["parameters"]}
    # then the document names them as the routes read them
    assert contact_headers == {"idempotency-key"}
    assert task_query == {"queue", "limit", "nextToken"}


def test_a_typed_query_parameter_out_of_range_is_a_400_naming_it(client):
    # given an agent asking for a page of 0 tasks
    answer = client.request("GET", "/tasks", headers=agent_headers("local-supervisor-zhao"), query="limit=0")
    # then a 400 in the one error shape names the parameter
    assert answer.status == 400, answer.body
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert [d["field"] for d in answer.json()["error"]["details"]] == ["limit"]


def test_swagger_ui_loads_with_no_request_to_another_host(client):
    # given the Swagger UI page
    answer = client.request("GET", "/swagger")
    assert answer.status == 200, answer.body
    page = answer.body
    # then the UI's script and style are in the page itself (Powertools' bundled assets)...
    assert "SwaggerUIBundle" in page and "<style>" in page.replace("<style ", "<style>")
    # ...with the document inline, and no script, style or image is fetched from anywhere
    assert '"/contacts"' in page
    fetched = re.findall(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)""", page, re.I)
    assert fetched == [], fetched
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", page, re.I)
    assert "unpkg.com" not in page and "cdn.jsdelivr" not in page
