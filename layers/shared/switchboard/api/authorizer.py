"""The Lambda REQUEST authorizer of the customer routes (POST /contacts, GET /cases/{caseId}, code,
feedback): one route serves customers, signed-in app users and agents, which no single Cognito
authorizer can. It resolves who is calling; the function then decides what they may see.

- a Cognito JWT of the agents' pool -> agent (its groups are its queues);
- a Cognito JWT of the app users' pool -> app user;
- a client-credentials access token of a channel client (resource server `switchboard`, scopes
  `switchboard/contacts.<channel>`) -> channel, with the channels its scopes name (an HTTP IVR);
- anything else (a case token, or nothing) passes as a customer bearer / anonymous: the function
  compares the case token's hash itself and answers 404 otherwise;
- a JWT that does not verify -> Unauthorized (401): a forged or expired login is never anonymous.

Every JWT is checked for its pool's issuer, signature (keys from PyJWT's PyJWKClient, which fetches
the pool's JWKS again when a token names a key id it has not seen: rotated keys work without a cold
start), expiry, `token_use`, and the app client it was issued to (`client_id` of an access token,
`aud` of an ID token) against the clients configured for that pool.

The local runtime has no Cognito: it names a seed file (LOCAL_IDENTITIES_FILE) whose agents' and
channels' bearer tokens stand for logins and client credentials, and whose X-App-User header stands
for the app's login. Empty on AWS."""

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


SCOPE_PREFIX = "switchboard/contacts."  # the resource server's scopes: one per channel


def _jwks_client(issuer: str) -> Any:
    import jwt

    return jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json", cache_jwk_set=True, lifespan=300, timeout=3)


class CognitoTokens:
    """Verifies RS256 JWTs of the configured user pools, issued to the configured app clients."""

    def __init__(
        self,
        pools: dict[str, str],
        clients: dict[str, frozenset[str]] | None = None,
        jwks_client: Callable[[str], Any] = _jwks_client,
    ) -> None:
        self.pools = pools  # issuer URL -> "agent" | "app_user"
        self.clients = clients or {}  # issuer URL -> app client ids whose tokens count (none: no token counts)
        self._jwks_client = jwks_client
        self._jwks: dict[str, Any] = {}  # one PyJWKClient per pool and process: it caches and refetches

    def verify(self, token: str) -> tuple[str, dict[str, Any]]:
        import jwt

        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
            kind = self.pools[issuer]
            if issuer not in self._jwks:
                self._jwks[issuer] = self._jwks_client(issuer)
            key = self._jwks[issuer].get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=issuer,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except Exception as exc:
            raise Unauthorized from exc
        use = claims.get("token_use")
        client = claims.get("client_id") if use == "access" else claims.get("aud") if use == "id" else None
        if not client or client not in self.clients.get(issuer, frozenset()):
            raise Unauthorized
        return kind, claims


def channels_of(claims: dict[str, Any]) -> list[str]:
    """The channels a client-credentials token may speak for, from its scopes."""
    scopes = str(claims.get("scope") or "").split()
    return sorted(s.removeprefix(SCOPE_PREFIX) for s in scopes if s.startswith(SCOPE_PREFIX))


@cache
def _local_identities(path: str) -> dict[str, dict[str, str]]:
    """Bearer token -> authorizer context, for the seed's agents and channel clients."""
    seed = json.loads(Path(path).read_text(encoding="utf-8"))
    found = {
        agent["token"]: {"principal": "agent", "sub": agent["agentId"], "groups": ",".join(agent.get("queues", []))}
        for agent in seed.get("agents", [])
    }
    for channel in seed.get("channels", []):
        found[channel["token"]] = {"principal": "channel", "sub": channel["clientId"], "channels": channel["channel"]}
    return found


def identify(headers: dict[str, str], tokens: CognitoTokens, local_identities_file: str = "") -> dict[str, str]:
    """The authorizer context (strings only, as API Gateway requires)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    auth = lowered.get("authorization", "").strip()
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if bearer.count(".") == 2:
        kind, claims = tokens.verify(bearer)
        channels = channels_of(claims)
        if channels:  # a channel client's client-credentials token: no user behind it
            return {"principal": "channel", "sub": str(claims["client_id"]), "channels": ",".join(channels)}
        if kind == "agent":
            groups = claims.get("cognito:groups") or []
            return {
                "principal": "agent",
                "sub": str(claims.get("username") or claims["sub"]),
                "groups": ",".join(groups),
            }
        return {"principal": "app_user", "sub": str(claims["sub"])}
    if local_identities_file:
        known = _local_identities(local_identities_file).get(bearer)
        if known:
            return dict(known)
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
    pools: dict[str, str] = {}
    clients: dict[str, frozenset[str]] = {}
    for prefix, kind in (("AGENTS", "agent"), ("APP_USERS", "app_user")):
        pool_id = os.environ.get(f"{prefix}_USER_POOL_ID", "")
        if pool_id:
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
            pools[issuer] = kind
            clients[issuer] = frozenset(c for c in os.environ.get(f"{prefix}_CLIENT_IDS", "").split(",") if c)
    return CognitoTokens(pools, clients)
