"""Who is calling the API: an agent (Cognito claims, groups = queues), a signed-in app user, a
channel client (an HTTP IVR with client credentials), a customer holding a case token, or nobody. Built from the authorizer context, never from the body."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Principal:
    kind: str  # "agent" | "app_user" | "channel" | "case_token" | "anonymous"
    subject: str | None = None
    queues: frozenset[str] = field(default_factory=frozenset)
    token: str | None = None
    channels: frozenset[str] = field(default_factory=frozenset)  # a channel client's channels (its scopes)
    languages: frozenset[str] = field(default_factory=frozenset)  # an agent's languages (custom:languages)
    capacity: int | None = None  # an agent's concurrent claimed tasks (custom:capacity); None: the policy's default

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"

    @property
    def is_supervisor(self) -> bool:
        """The supervisors' group: reads every case, takes over and reassigns claimed tasks."""
        return self.is_agent and SUPERVISORS in self.queues


SUPERVISORS = "supervisors"  # the group (= queue) of the supervisors
_SUBJECT = re.compile(r"^[A-Za-z0-9._:@\-]{1,128}$")  # a malformed identity is no identity


def _queues(groups: Any) -> frozenset[str]:
    items = groups if isinstance(groups, list) else str(groups or "").replace(" ", ",").split(",")
    return frozenset(g for g in items if g)


def _capacity(value: Any) -> int | None:
    """A token's custom:capacity (always a string in an ID token); anything else is no capacity named."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= 50 else None


def principal_from(authorizer: dict[str, Any] | None, authorization_header: str | None) -> Principal:
    """From API Gateway's authorizer context: the Cognito authorizer of the agents' routes puts the
    token's claims under "claims"; the customers' Lambda authorizer puts principal/sub/groups."""
    context = authorizer or {}
    claims = context.get("claims") or {}
    if claims:  # only the agents' user pool backs a Cognito authorizer
        return Principal(
            "agent",
            claims.get("cognito:username") or claims.get("sub"),
            _queues(claims.get("cognito:groups")),
            languages=_queues(claims.get("custom:languages")),
            capacity=_capacity(claims.get("custom:capacity")),
        )
    kind = context.get("principal")
    if kind == "agent" and context.get("sub"):
        return Principal(
            "agent",
            context["sub"],
            _queues(context.get("groups")),
            languages=_queues(context.get("languages")),
            capacity=_capacity(context.get("capacity")),
        )
    if kind == "app_user" and _SUBJECT.match(str(context.get("sub") or "")):
        return Principal("app_user", context["sub"])
    if kind == "channel" and _SUBJECT.match(str(context.get("sub") or "")):
        return Principal("channel", context["sub"], channels=_queues(context.get("channels")))
    header = (authorization_header or "").strip()
    if header.lower().startswith("bearer ") and len(header) > 7:
        return Principal("case_token", token=header[7:].strip())
    return Principal("anonymous")


def new_case_token() -> tuple[str, str]:
    """(token for the customer, hash to store). Only the hash is kept."""
    token = secrets.token_urlsafe(24)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def may_view(principal: Principal, case: dict[str, Any]) -> bool:
    if principal.is_agent:
        return True
    if principal.kind == "app_user":
        return bool(case.get("contact", {}).get("appUserId")) and case["contact"]["appUserId"] == principal.subject
    if principal.kind == "case_token" and case.get("caseTokenHash"):
        return hmac.compare_digest(hash_token(principal.token or ""), case["caseTokenHash"])
    return False


def is_customer_of(principal: Principal, case: dict[str, Any]) -> bool:
    return principal.kind in ("app_user", "case_token") and may_view(principal, case)
