"""The Lambda REQUEST authorizer of the customer routes (POST /contacts, GET /cases/{caseId}, code,
feedback): one route serves customers, signed-in app users and agents, which no single Cognito
authorizer can. It resolves who is calling; the function then decides what they may see.

- a Cognito JWT of the agents' pool -> agent (its groups are its queues);
- a Cognito JWT of the app users' pool -> app user;
- anything else (a case token, or nothing) passes as a customer bearer / anonymous: the function
  compares the case token's hash itself and answers 404 otherwise;
- a JWT that does not verify -> Unauthorized (401): a forged or expired login is never anonymous.

The local runtime has no Cognito: it names a seed file (LOCAL_IDENTITIES_FILE) whose agents' bearer
tokens stand for agent logins and whose X-App-User header stands for the app's login. Empty on AWS."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

_SUBJECT = re.compile(r"^[A-Za-z0-9._:@\-]{1,128}$")


class Unauthorized(Exception):
    """API Gateway answers 401 when a Lambda authorizer raises with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _fetch_jwks(issuer: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(f"{issuer}/.well-known/jwks.json", timeout=3) as answer:  # noqa: S310 - https issuer
        return json.loads(answer.read())


class CognitoTokens:
    """Verifies RS256 JWTs of the configured user pools; each pool's JWKS is fetched once per process."""

    def __init__(self, pools: dict[str, str], fetch_jwks: Callable[[str], dict[str, Any]] = _fetch_jwks) -> None:
        self.pools = pools  # issuer URL -> "agent" | "app_user"
        self._fetch = fetch_jwks
        self._keys: dict[str, dict[str, Any]] = {}

    def verify(self, token: str) -> tuple[str, dict[str, Any]]:
        import jwt

        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
            kind = self.pools[issuer]
            if issuer not in self._keys:
                self._keys[issuer] = {k["kid"]: k for k in self._fetch(issuer)["keys"]}
            key = jwt.PyJWK(self._keys[issuer][jwt.get_unverified_header(token)["kid"]])
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=issuer,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except Exception as exc:
            raise Unauthorized from exc
        if claims.get("token_use") not in ("access", "id"):
            raise Unauthorized
        return kind, claims


@cache
def _local_identities(path: str) -> dict[str, dict[str, Any]]:
    seed = json.loads(Path(path).read_text(encoding="utf-8"))
    return {agent["token"]: agent for agent in seed.get("agents", [])}


def identify(headers: dict[str, str], tokens: CognitoTokens, local_identities_file: str = "") -> dict[str, str]:
    """The authorizer context (strings only, as API Gateway requires)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    auth = lowered.get("authorization", "").strip()
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if bearer.count(".") == 2:
        kind, claims = tokens.verify(bearer)
        if kind == "agent":
            groups = claims.get("cognito:groups") or []
            return {
                "principal": "agent",
                "sub": str(claims.get("username") or claims["sub"]),
                "groups": ",".join(groups),
            }
        return {"principal": "app_user", "sub": str(claims["sub"])}
    if local_identities_file:
        agent = _local_identities(local_identities_file).get(bearer)
        if agent:
            return {"principal": "agent", "sub": agent["agentId"], "groups": ",".join(agent.get("queues", []))}
        app_user = lowered.get("x-app-user", "").strip()
        if _SUBJECT.match(app_user):
            return {"principal": "app_user", "sub": app_user}
    return {"principal": "anonymous"}


def policy(context: dict[str, str], method_arn: str) -> dict[str, Any]:
    return {
        "principalId": context.get("sub", "anonymous"),
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": method_arn}],
        },
        "context": context,
    }


@cache
def default_tokens() -> CognitoTokens:
    region = os.environ.get("AWS_REGION", "us-east-1")
    pools = {}
    for variable, kind in (("AGENTS_USER_POOL_ID", "agent"), ("APP_USERS_USER_POOL_ID", "app_user")):
        pool_id = os.environ.get(variable, "")
        if pool_id:
            pools[f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"] = kind
    return CognitoTokens(pools)
