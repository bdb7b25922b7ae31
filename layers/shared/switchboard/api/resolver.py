"""Powertools' REST resolver as every API function uses it: request validation on (typed bodies,
headers, query), our JSON checks before Powertools parses a body, and one error shape for every
answer, mapped from domain exceptions by class."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..domain.errors import (
    AtCapacity,
    CaseAlreadyClosed,
    CaseNotFound,
    CodeRejected,
    DuplicateInProgress,
    Forbidden,
    IdempotencyConflict,
    NoCodePending,
    TaskConflict,
    TaskNotFound,
    TooManyAttempts,
    TransientError,
)
from ..domain.identity import Principal, principal_from
from ..observability import logger
from .errors import ApiError, check_json_request, error_body, validation_details

NO_STORE = {"Cache-Control": "no-store"}
IDEMPOTENCY_KEY = r"^[A-Za-z0-9._:\-]{1,128}$"


# What every route may answer besides its success, in the one error shape (the OpenAPI document lists them).
ERRORS: dict[int, str] = {
    400: "invalid input: the field is named in details",
    401: "no valid credentials",
    403: "not allowed",
    404: "not found",
    409: "conflict",
    413: "body too large",
    415: "not JSON",
    429: "too many attempts (a one-time code allows three)",
    503: "a dependency is briefly unavailable: retry (same Idempotency-Key)",
}


def answers(status: int, description: str) -> dict[str, Any]:
    """A route decorator's status code and documented answers: its success (the schema comes from the
    function's return type) and the error shape for every status in ERRORS."""
    from ..domain.models import ErrorResponse

    errors = {
        code: {"description": text, "content": {"application/json": {"model": ErrorResponse}}}
        for code, text in ERRORS.items()
    }
    return {"status_code": status, "responses": {status: {"description": description}, **errors}}


def _no_store(app: Any, next_middleware: Any) -> Any:
    """Answers carry case tokens and customers' cases: no cache keeps them (errors set it themselves)."""
    response = next_middleware(app)
    response.headers.update(NO_STORE)
    return response


def _error_response(
    status: int, code: str, message: str, details: list | None = None, headers: dict | None = None
) -> Any:
    from aws_lambda_powertools.event_handler import Response

    return Response(
        status_code=status,
        content_type="application/json",
        body=error_body(code, message, details),
        headers={**NO_STORE, **(headers or {})},
    )


@dataclass(frozen=True)
class ErrorAnswer:
    """How one domain exception is answered: status, code, the caller's message, details naming the field."""

    status: int
    code: str
    message: Callable[[Any], str]
    details: Callable[[Any], list[dict[str, str]]] | None = None
    headers: dict[str, str] | None = None


RETRY_SOON = {"Retry-After": "1"}


def _code_issue(exc: CodeRejected) -> str:
    if exc.attempts_left:
        return f"incorrect; {exc.attempts_left} attempt(s) left"
    return "incorrect; no attempts left, an agent will contact you"


# Domain exceptions -> our one error shape, matched by class (the domain raises no HTTP errors).
DOMAIN_ERRORS: dict[type[Exception], ErrorAnswer] = {
    CaseNotFound: ErrorAnswer(404, "NOT_FOUND", lambda exc: "no such case"),
    TaskNotFound: ErrorAnswer(404, "NOT_FOUND", lambda exc: "no such task"),
    Forbidden: ErrorAnswer(403, "FORBIDDEN", str),
    TaskConflict: ErrorAnswer(409, "CONFLICT", str),
    CaseAlreadyClosed: ErrorAnswer(
        409, "CASE_CLOSED", lambda exc: "the case is closed; a new contact opens a new case"
    ),
    AtCapacity: ErrorAnswer(
        409,
        "AT_CAPACITY",
        lambda exc: f"you hold {exc.capacity} claimed task(s), your capacity: complete one first",
        lambda exc: [{"field": "capacity", "issue": f"{exc.capacity} task(s) held"}],
    ),
    IdempotencyConflict: ErrorAnswer(
        409,
        "IDEMPOTENCY_KEY_REUSED",
        lambda exc: f"this {exc.field} was already used with a different body",
        lambda exc: [{"field": exc.field, "issue": "reused with a different body"}],
    ),
    DuplicateInProgress: ErrorAnswer(
        409,
        "REQUEST_IN_PROGRESS",
        lambda exc: "the same request is still being processed; retry shortly",
        None,
        RETRY_SOON,
    ),
    NoCodePending: ErrorAnswer(
        409, "NO_CODE_PENDING", lambda exc: "no one-time code is waiting on this case (expired, used or never asked)"
    ),
    TooManyAttempts: ErrorAnswer(
        429,
        "TOO_MANY_ATTEMPTS",
        lambda exc: "this one-time code allows no more attempts; an agent will contact you",
        lambda exc: [{"field": "code", "issue": "no attempts left"}],
    ),
    CodeRejected: ErrorAnswer(
        400,
        "CODE_INVALID",
        lambda exc: "the one-time code is not correct",
        lambda exc: [{"field": "code", "issue": _code_issue(exc)}],
    ),
    # a domain check's "field: issue" (e.g. "queue: required when the outcome is REASSIGN")
    ValueError: ErrorAnswer(
        400,
        "VALIDATION_ERROR",
        str,
        lambda exc: [{"field": str(exc).partition(": ")[0], "issue": str(exc).partition(": ")[2] or str(exc)}],
    ),
    TransientError: ErrorAnswer(
        503, "UNAVAILABLE", lambda exc: "temporarily unavailable; retry with the same Idempotency-Key", None, RETRY_SOON
    ),
}


def _domain_error(answer: ErrorAnswer, exc: Exception) -> Any:
    details = answer.details(exc) if answer.details else None
    return _error_response(answer.status, answer.code, answer.message(exc), details, answer.headers)


def principal(event: Any) -> Principal:
    context = event.get("requestContext") or {}
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return principal_from(context.get("authorizer"), headers.get("authorization"))


def calling_agent(event: Any) -> Principal:
    """The agent (or supervisor) the request's token names; 401 for anyone else."""
    who = principal(event)
    if not who.is_agent:
        raise ApiError(401, "UNAUTHORIZED", "an agent token is required")
    return who


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


def _request_validation() -> Any:
    from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware

    class JsonRequestValidation(OpenAPIRequestValidationMiddleware):
        """Powertools' request validation, with the checks it lacks run on a body before it parses it:
        the content type (Powertools takes a missing one for JSON) and charset, the size, UTF-8 text and
        a JSON object (see errors.check_json_request)."""

        def _get_body(self, app: Any) -> dict[str, Any]:
            event = app.current_event
            return check_json_request(event.headers or {}, event.body, event.is_base64_encoded)

    return JsonRequestValidation()


def resolver(cors: Any = None) -> Any:
    """An APIGatewayRestResolver with validation and our error shape; routers are included by the caller."""
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
    from aws_lambda_powertools.shared.json_encoder import Encoder

    app = APIGatewayRestResolver(
        cors=cors,
        enable_validation=True,
        # an answer that does not match its route's model is our defect: 500 through the handler below
        response_validation_error_http_code=500,
        serializer=partial(json.dumps, ensure_ascii=False, separators=(",", ":"), cls=Encoder),
    )
    # Powertools has no hook before it parses a body: its request validation middleware is replaced by
    # one that runs our checks first (the resolver keeps it in this attribute and puts it first).
    app._request_validation_middleware = _request_validation()
    app.use(middlewares=[_no_store])

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError):
        return _error_response(
            400, "VALIDATION_ERROR", "the request has invalid fields", validation_details(exc.errors())
        )

    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError):
        return _error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    for error_class, answer in DOMAIN_ERRORS.items():  # Powertools picks the most specific class
        app.exception_handler(error_class)(partial(_domain_error, answer))

    @app.not_found
    def _not_found(exc: NotFoundError):
        return _error_response(404, "NOT_FOUND", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("unexpected error")
        return _error_response(500, "INTERNAL_ERROR", "something went wrong on our side; the request can be retried")

    return app
