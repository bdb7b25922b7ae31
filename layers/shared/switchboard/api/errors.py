"""One error shape for every API answer: {"error": {"code", "message", "details": [{"field", "issue"}]}}."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

MAX_BODY_BYTES = 64 * 1024


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def error_body(code: str, message: str, details: list[dict[str, str]] | None = None) -> str:
    return json.dumps({"error": {"code": code, "message": message, "details": details or []}}, ensure_ascii=False)


def _field(loc: Sequence[Any]) -> list[str]:
    """An error's location as the field the caller sent: a header by its name (Idempotency-Key), a
    query or path parameter by its own, a body field as its dotted path without the channel's tag."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["header"] and len(parts) > 1:
        return ["-".join(word.capitalize() for word in parts[1].split("-"))]
    if parts[:1] in (["body"], ["query"], ["path"]):
        parts = parts[1:]
    if parts[:1] and parts[0] in ("phone", "app_chat", "web") and len(parts) > 1:
        parts = parts[1:]
    return parts


def validation_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """pydantic / Powertools validation errors -> [{"field", "issue"}]."""
    details = []
    for error in errors:
        loc = _field(error.get("loc", ()))
        issue = error.get("msg", "invalid")
        if error.get("type") == "extra_forbidden":
            issue = "unknown field"
        elif error.get("type") == "missing":
            issue = "required"
        elif error.get("type") == "union_tag_invalid":
            loc, issue = ["channel"], "must be one of phone, app_chat, web"
        elif error.get("type") == "union_tag_not_found":
            loc, issue = ["channel"], "required"
        details.append({"field": ".".join(loc) or "body", "issue": issue})
    return details


def check_json_request(headers: dict[str, str], body: str | None, is_base64: bool) -> Any:
    """Content type, size, encoding and JSON syntax, before any model sees the body."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = lowered.get("content-type", "")
    if not content_type.split(";")[0].strip().lower() == "application/json":
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the body as application/json",
            [{"field": "Content-Type", "issue": "must be application/json"}],
        )
    charset = content_type.lower().split("charset=")[1].strip() if "charset=" in content_type.lower() else "utf-8"
    if charset not in ("utf-8", "utf8"):
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "the body must be UTF-8",
            [{"field": "Content-Type", "issue": "charset must be utf-8"}],
        )
    if body is None or body == "":
        raise ApiError(400, "VALIDATION_ERROR", "a JSON body is required", [{"field": "body", "issue": "required"}])
    if is_base64:
        raise ApiError(
            400, "VALIDATION_ERROR", "the body is not valid UTF-8 text", [{"field": "body", "issue": "invalid UTF-8"}]
        )
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "PAYLOAD_TOO_LARGE",
            f"the body exceeds {MAX_BODY_BYTES} bytes",
            [{"field": "body", "issue": "too large"}],
        )
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(
            400, "VALIDATION_ERROR", "the body is not valid JSON", [{"field": "body", "issue": str(exc)[:120]}]
        ) from exc
    if not isinstance(parsed, dict):
        raise ApiError(
            400, "VALIDATION_ERROR", "the body must be a JSON object", [{"field": "body", "issue": "must be an object"}]
        )
    return parsed
