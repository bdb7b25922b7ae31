"""The OpenAPI document, generated from the same pydantic models that validate the requests."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from .models import (
    CaseView,
    Contact,
    ContactAccepted,
    ErrorResponse,
    Feedback,
    TaskCompletion,
    TaskPage,
    TaskView,
    VerificationCode,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


@cache
def document() -> dict[str, Any]:
    _, defs = models_json_schema(
        [
            (m, "validation")
            for m in (
                ContactAccepted,
                VerificationCode,
                Feedback,
                TaskCompletion,
                TaskView,
                TaskPage,
                CaseView,
                ErrorResponse,
            )
        ],
        ref_template="#/components/schemas/{model}",
    )
    schemas = dict(defs.get("$defs", {}))
    contact = TypeAdapter(Contact).json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(contact.pop("$defs", {}))
    schemas["Contact"] = contact
    errors = {
        str(code): {"description": text, **_json(_ref("ErrorResponse"))}
        for code, text in (
            (400, "invalid input: the field is named in details"),
            (401, "no valid credentials"),
            (403, "not allowed"),
            (404, "not found"),
            (409, "conflict"),
            (413, "body too large"),
            (415, "not JSON"),
            (429, "too many attempts (a one-time code allows three)"),
            (503, "a dependency is briefly unavailable: retry (same Idempotency-Key)"),
        )
    }
    bearer: list[dict[str, list[str]]] = [{"bearer": []}]
    case_id = {"name": "caseId", "in": "path", "required": True, "schema": {"type": "string"}}
    task_id = {"name": "taskId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Switchboard",
            "version": "1.0.0",
            "description": "One case workflow behind phone, app chat and web contacts.",
        },
        "paths": {
            "/contacts": {
                "post": {
                    "summary": "Open a case (or add to an open chat case) from any channel",
                    "description": (
                        "Who may post what: `phone` contacts come only from an IVR channel client, with an OAuth2 "
                        "client-credentials access token whose scope is `switchboard/contacts.phone` (Cognito "
                        "resource server `switchboard`; locally a seed `channels` token) as `Authorization: "
                        "Bearer`: none is 401, another channel's credential 403, and nothing is written. `web` "
                        "is anonymous; `app_chat` is the signed-in app user. A number or email in the body is a "
                        "claim, never a proof: nothing about accounts is shown before AUTHENTICATED."
                    ),
                    "security": [{}, {"bearer": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 128},
                        }
                    ],
                    "requestBody": {"required": True, **_json(_ref("Contact"))},
                    "responses": {"202": {"description": "accepted", **_json(_ref("ContactAccepted"))}, **errors},
                }
            },
            "/cases/{caseId}": {
                "get": {
                    "summary": "The case view (its customer or an agent)",
                    "parameters": [case_id],
                    "security": bearer,
                    "responses": {"200": {"description": "the case", **_json(_ref("CaseView"))}, **errors},
                }
            },
            "/cases/{caseId}/verification": {
                "post": {
                    "summary": "The one-time code a waiting verification asked for",
                    "parameters": [case_id],
                    "security": bearer,
                    "requestBody": {"required": True, **_json(_ref("VerificationCode"))},
                    "responses": {"200": {"description": "verified"}, **errors},
                }
            },
            "/cases/{caseId}/feedback": {
                "post": {
                    "summary": "Satisfaction score after close, once per case",
                    "parameters": [case_id],
                    "security": bearer,
                    "requestBody": {"required": True, **_json(_ref("Feedback"))},
                    "responses": {"201": {"description": "recorded"}, **errors},
                }
            },
            "/tasks": {
                "get": {
                    "summary": "Open tasks of the agent's queues, by priority then SLA due time",
                    "security": bearer,
                    "parameters": [
                        {"name": "queue", "in": "query", "required": False, "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                        },
                        {
                            "name": "nextToken",
                            "in": "query",
                            "required": False,
                            "description": "the previous page's nextToken",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {"200": {"description": "one page of tasks", **_json(_ref("TaskPage"))}, **errors},
                }
            },
            "/tasks/{taskId}/claim": {
                "post": {
                    "summary": "Take a task",
                    "parameters": [task_id],
                    "security": bearer,
                    "responses": {"200": {"description": "claimed", **_json(_ref("TaskView"))}, **errors},
                }
            },
            "/tasks/{taskId}/complete": {
                "post": {
                    "summary": "Complete a task; the workflow resumes with the decision",
                    "parameters": [task_id],
                    "security": bearer,
                    "requestBody": {"required": True, **_json(_ref("TaskCompletion"))},
                    "responses": {"200": {"description": "completed", **_json(_ref("TaskView"))}, **errors},
                }
            },
        },
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
