"""The Lambda REQUEST authorizer of every route that takes a login (the agents' routes and the customer
routes: POST /contacts, GET /cases/{caseId}, code, feedback). It resolves who is calling; the function
then decides what they may see.

Identities come from JWT issuers configured by the template: the Cognito user pools it creates where
Cognito exists (IdentityProvider=cognito), or any OIDC issuer (IdentityProvider=oidc: the AWS China
regions, which have no Cognito user pools, or a company's own IdP). Either way:

- a JWT of the agents' issuer -> agent (its groups claim are its queues, its languages claim the
  languages it speaks);
- a JWT of the app users' issuer -> app user;
- a client-credentials access token whose scopes name channels (`switchboard/contacts.<channel>`)
  -> channel, with those channels (an HTTP IVR);
- anything else (a case token, or nothing) passes as a customer bearer / anonymous: the function
  compares the case token's hash itself and answers 404 otherwise;
- a JWT that does not verify -> Unauthorized (401): a forged or expired login is never anonymous.

Every JWT is checked for a configured issuer, its signature (keys from PyJWT's PyJWKClient at the
issuer's JWKS URL, fetched again when a token names a key id not seen yet: rotated keys work without a
cold start), expiry, and the client it was issued to: Cognito's `client_id` (access token) or `aud`
(ID token, with `token_use`); an OIDC issuer's `aud` (or `azp`/`client_id`) against its audiences.

The local runtime has no identity provider: it names a seed file (LOCAL_IDENTITIES_FILE) whose agents'
and channels' bearer tokens stand for logins and client credentials, and whose X-App-User header
stands for the app's login. Empty on AWS."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_SUBJECT = re.compile(r"^[A-Za-z0-9._:@\-]{1,128}$")


class Unauthorized(Exception):
    """API Gateway answers 401 when a Lambda authorizer raises with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


SCOPE_PREFIX = "switchboard/contacts."  # the resource server's scopes: one per channel


@dataclass(frozen=True)
class Issuer:
    """One JWT issuer the authorizer trusts, and where its tokens keep what we read."""

    url: str
    kind: str  # "agent" | "app_user": who its users are
    audiences: frozenset[str]  # client ids whose tokens count (none: no token counts)
    jwks_url: str
    cognito: bool = False  # Cognito's claims: token_use, client_id / aud
    username_claim: str = "username"
    groups_claim: str = "cognito:groups"
    languages_claim: str = "custom:languages"
    capacity_claim: str = "custom:capacity"  # concurrent claimed tasks (POST /tasks/next); absent: the policy's

    @classmethod
    def cognito_pool(cls, region: str, pool_id: str, kind: str, clients: frozenset[str]) -> Issuer:
        url = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        return cls(url, kind, clients, f"{url}/.well-known/jwks.json", cognito=True)

    def client_of(self, claims: dict[str, Any]) -> str | None:
        """The client the token was issued to, if it is one of ours."""
        if self.cognito:
            use = claims.get("token_use")
            client = claims.get("client_id") if use == "access" else claims.get("aud") if use == "id" else None
            return client if client in self.audiences else None
        aud = claims.get("aud")
        candidates = [*(aud if isinstance(aud, list) else [aud]), claims.get("azp"), claims.get("client_id")]
        return next((str(c) for c in candidates if c and str(c) in self.audiences), None)


def _jwks_client(url: str) -> Any:
    import jwt

    return jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=300, timeout=3)


class JwtIssuers:
    """Verifies RS256 JWTs of the configured issuers, issued to their configured clients."""

    def __init__(self, issuers: list[Issuer], jwks_client: Callable[[str], Any] = _jwks_client) -> None:
        self.issuers = {issuer.url: issuer for issuer in issuers}
        self._jwks_client = jwks_client
        self._jwks: dict[str, Any] = {}  # one PyJWKClient per issuer and process: it caches and refetches

    def verify(self, token: str) -> tuple[Issuer, dict[str, Any]]:
        import jwt

        try:
            issuer = self.issuers[jwt.decode(token, options={"verify_signature": False}).get("iss", "")]
            if issuer.url not in self._jwks:
                self._jwks[issuer.url] = self._jwks_client(issuer.jwks_url)
            key = self._jwks[issuer.url].get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=issuer.url,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},  # aud: client_of below
            )
        except Exception as exc:
            raise Unauthorized from exc
        if issuer.client_of(claims) is None:
            raise Unauthorized
        return issuer, claims


def _names(value: Any) -> list[str]:
    """A claim holding names: a JSON list, or one string separated by commas or spaces."""
    items = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    return [str(item) for item in items if item]


def channels_of(claims: dict[str, Any]) -> list[str]:
    """The channels a client-credentials token may speak for, from its scopes."""
    scopes = str(claims.get("scope") or "").split()
    return sorted(s.removeprefix(SCOPE_PREFIX) for s in scopes if s.startswith(SCOPE_PREFIX))


def _local_agent(agent: dict[str, Any]) -> dict[str, str]:
    """A seed agent's context, as their token's claims would give it (languages, capacity when named)."""
    context = {"principal": "agent", "sub": agent["agentId"], "groups": ",".join(agent.get("queues", []))}
    if agent.get("languages"):
        context["languages"] = ",".join(agent["languages"])
    if agent.get("capacity"):
        context["capacity"] = str(agent["capacity"])
    return context


@cache
def _local_identities(path: str) -> dict[str, dict[str, str]]:
    """Bearer token -> authorizer context, for the seed's agents and channel clients."""
    seed = json.loads(Path(path).read_text(encoding="utf-8"))
    found = {agent["token"]: _local_agent(agent) for agent in seed.get("agents", [])}
    for channel in seed.get("channels", []):
        found[channel["token"]] = {"principal": "channel", "sub": channel["clientId"], "channels": channel["channel"]}
    return found


def identify(headers: dict[str, str], tokens: JwtIssuers, local_identities_file: str = "") -> dict[str, str]:
    """The authorizer context (strings only, as API Gateway requires)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    auth = lowered.get("authorization", "").strip()
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if bearer.count(".") == 2:
        issuer, claims = tokens.verify(bearer)
        channels = channels_of(claims)
        if channels:  # a channel client's client-credentials token: no user behind it
            client = issuer.client_of(claims) or str(claims["sub"])
            return {"principal": "channel", "sub": client, "channels": ",".join(channels)}
        if issuer.kind == "agent":
            context = {
                "principal": "agent",
                "sub": str(claims.get(issuer.username_claim) or claims["sub"]),
                "groups": ",".join(_names(claims.get(issuer.groups_claim))),
            }
            languages = _names(claims.get(issuer.languages_claim))
            if languages:
                context["languages"] = ",".join(languages)
            capacity = str(claims.get(issuer.capacity_claim) or "").strip()
            if capacity.isdigit():
                context["capacity"] = capacity
            return context
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


def _ids(value: str) -> frozenset[str]:
    return frozenset(item for item in value.split(",") if item)


@cache
def default_issuers() -> JwtIssuers:
    """The issuers the template configured: its Cognito pools, or the OIDC issuers it was given."""
    env = os.environ
    if env.get("IDENTITY_PROVIDER", "cognito") == "oidc":
        issuers = (
            [
                Issuer(
                    env["OIDC_ISSUER"],
                    "agent",
                    _ids(env.get("OIDC_AUDIENCES", "")),
                    env.get("OIDC_JWKS_URL") or f"{env['OIDC_ISSUER'].rstrip('/')}/.well-known/jwks.json",
                    username_claim=env.get("OIDC_USERNAME_CLAIM") or "preferred_username",
                    groups_claim=env.get("OIDC_GROUPS_CLAIM") or "groups",
                    languages_claim=env.get("OIDC_LANGUAGES_CLAIM") or "languages",
                    capacity_claim="capacity",
                )
            ]
            if env.get("OIDC_ISSUER")
            else []
        )
        app_issuer = env.get("APP_USERS_OIDC_ISSUER", "")
        if app_issuer:
            jwks = env.get("APP_USERS_OIDC_JWKS_URL") or f"{app_issuer.rstrip('/')}/.well-known/jwks.json"
            issuers.append(Issuer(app_issuer, "app_user", _ids(env.get("APP_USERS_OIDC_AUDIENCES", "")), jwks))
        return JwtIssuers(issuers)
    region = env.get("AWS_REGION", "us-east-1")
    pools = []
    for prefix, kind in (("AGENTS", "agent"), ("APP_USERS", "app_user")):
        pool_id = env.get(f"{prefix}_USER_POOL_ID", "")
        if pool_id:
            pools.append(Issuer.cognito_pool(region, pool_id, kind, _ids(env.get(f"{prefix}_CLIENT_IDS", ""))))
    return JwtIssuers(pools)
