"""Schemathesis against the served /openapi.json: generated requests to every operation, sent as an
anonymous caller, as an agent, and as a customer holding a real case token (on that case), are never
answered 5xx, and every answer conforms to the document (status code, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import EVENTS, agent_headers, serving

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def base_url(runtime):
    with serving(runtime) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def real_case(client):
    answer = client.send_event_file(EVENTS / "api" / "contact_web_complaint.json")
    assert answer.status == 202, answer.body
    return answer.json()["caseId"], answer.json()["caseToken"]


@pytest.fixture(scope="module")
def api_schema(base_url):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_no_5xx_and_answers_conform_to_the_document(case, base_url, real_case):
    case_id, token = real_case
    # as an anonymous caller and as an agent
    case.call_and_validate(base_url=base_url, checks=CHECKS)
    case.call_and_validate(base_url=base_url, headers=agent_headers("local-supervisor-zhao"), checks=CHECKS)
    # and as the customer of a real case, on that case
    if case.path_parameters and "caseId" in case.path_parameters:
        case.path_parameters["caseId"] = case_id
    case.call_and_validate(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
