"""HTTP plumbing shared by the API functions: the Powertools resolver with our error shape, body
parsing into models, and the mapping from domain exceptions to status codes."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .api_errors import ApiError, check_json_request, error_body, validation_details
from .errors import CaseNotFound, Forbidden, TaskConflict, TaskNotFound, TransientError
from .identity import Principal, principal_from
from .observability import logger

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Any:
    from aws_lambda_powertools.event_handler import Response

    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    elif isinstance(payload, list):
        payload = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in payload]
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(payload, ensure_ascii=False),
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _error_response(
    status: int, code: str, message: str, details: list | None = None, headers: dict | None = None
) -> Any:
    from aws_lambda_powertools.event_handler import Response

    return Response(
        status_code=status,
        content_type="application/json",
        body=error_body(code, message, details),
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def request_model[T](app: Any, model: type[T] | Any) -> T:
    event = app.current_event
    parsed = check_json_request(event.headers or {}, event.body, bool(event.raw_event.get("isBase64Encoded")))
    try:
        return TypeAdapter(model).validate_python(parsed)
    except ValidationError as exc:
        details = validation_details(exc.errors(include_url=False, include_input=False))
        raise ApiError(400, "VALIDATION_ERROR", "the request has invalid fields", details) from exc


def idempotency_key(app: Any) -> str | None:
    headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
    key = headers.get("idempotency-key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            "invalid Idempotency-Key header",
            [{"field": "Idempotency-Key", "issue": "1-128 characters of A-Z a-z 0-9 . _ : -"}],
        )
    return key


def principal(event: Any) -> Principal:
    context = event.get("requestContext") or {}
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return principal_from(context.get("authorizer"), headers.get("authorization"))


def cors_config(origins: tuple[str, ...]) -> Any:
    """Powertools' CORS for the configured browser origins (None when there are none): preflights are
    answered and the asking origin is reflected only when it is one of them. Bearer tokens, no cookies."""
    if not origins:
        return None
    from aws_lambda_powertools.event_handler import CORSConfig

    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=list(origins[1:]),
        allow_headers=["Idempotency-Key"],  # added to Powertools' defaults (Authorization, Content-Type, ...)
        expose_headers=["Retry-After"],
        max_age=600,
        allow_credentials=False,
    )


def resolver_with_errors(cors: Any = None) -> Any:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError

    from .intake import DuplicateInProgress, IdempotencyConflict
    from .verification import CodeRejected, NoCodePending, TooManyAttempts

    app = APIGatewayRestResolver(cors=cors)

    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError):
        return _error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(CaseNotFound)
    def _case_not_found(exc: Exception):
        return _error_response(404, "NOT_FOUND", "no such case")

    @app.exception_handler(TaskNotFound)
    def _task_not_found(exc: Exception):
        return _error_response(404, "NOT_FOUND", "no such task")

    @app.exception_handler(Forbidden)
    def _forbidden(exc: Exception):
        return _error_response(403, "FORBIDDEN", str(exc))

    @app.exception_handler(TaskConflict)
    def _conflict(exc: Exception):
        return _error_response(409, "CONFLICT", str(exc))

    @app.exception_handler(IdempotencyConflict)
    def _key_reused(exc: IdempotencyConflict):
        return _error_response(
            409,
            "IDEMPOTENCY_KEY_REUSED",
            f"this {exc.field} was already used with a different body",
            [{"field": exc.field, "issue": "reused with a different body"}],
        )

    @app.exception_handler(DuplicateInProgress)
    def _in_progress(exc: Exception):
        return _error_response(
            409,
            "REQUEST_IN_PROGRESS",
            "the same request is still being processed; retry shortly",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(NoCodePending)
    def _no_code(exc: Exception):
        return _error_response(
            409, "NO_CODE_PENDING", "no one-time code is waiting on this case (expired, used or never asked)"
        )

    @app.exception_handler(TooManyAttempts)
    def _too_many(exc: Exception):
        return _error_response(
            429,
            "TOO_MANY_ATTEMPTS",
            "this one-time code allows no more attempts; an agent will contact you",
            [{"field": "code", "issue": "no attempts left"}],
        )

    @app.exception_handler(CodeRejected)
    def _wrong_code(exc: CodeRejected):
        issue = (
            f"incorrect; {exc.attempts_left} attempt(s) left"
            if exc.attempts_left
            else "incorrect; no attempts left, an agent will contact you"
        )
        return _error_response(
            400, "CODE_INVALID", "the one-time code is not correct", [{"field": "code", "issue": issue}]
        )

    @app.exception_handler(ValueError)
    def _value_error(exc: ValueError):
        field, _, issue = str(exc).partition(": ")
        return _error_response(400, "VALIDATION_ERROR", str(exc), [{"field": field, "issue": issue or str(exc)}])

    @app.exception_handler(TransientError)
    def _transient(exc: Exception):
        return _error_response(
            503,
            "UNAVAILABLE",
            "temporarily unavailable; retry with the same Idempotency-Key",
            headers={"Retry-After": "1"},
        )

    @app.not_found
    def _not_found(exc: NotFoundError):
        return _error_response(404, "NOT_FOUND", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("unexpected error")
        return _error_response(500, "INTERNAL_ERROR", "something went wrong on our side; the request can be retried")

    return app


__all__ = [
    "ApiError",
    "cors_config",
    "idempotency_key",
    "json_response",
    "principal",
    "request_model",
    "resolver_with_errors",
]
