"""The customers' Lambda authorizer with real RS256 JWTs (keys made here, JWKS injected)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from switchboard.authorizer import CognitoTokens, Unauthorized, identify, policy
from switchboard.identity import principal_from

AGENTS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Agents"
APP = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AppUsers"
SEED = "local_runtime/seed.json"


def keypair(kid):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return private, {**public, "kid": kid, "alg": "RS256", "use": "sig"}


AGENT_KEY, AGENT_JWK = keypair("agents-1")
APP_KEY, APP_JWK = keypair("app-1")
STRANGER_KEY, _ = keypair("agents-1")  # same kid, different key: a forgery


def tokens(fetches=None):
    jwks = {AGENTS: {"keys": [AGENT_JWK]}, APP: {"keys": [APP_JWK]}}

    def fetch(issuer):
        if fetches is not None:
            fetches.append(issuer)
        return jwks[issuer]

    return CognitoTokens({AGENTS: "agent", APP: "app_user"}, fetch)


def sign(key, kid, **claims):
    body = {"iss": AGENTS, "sub": "uuid-1", "token_use": "access", "exp": int(time.time()) + 600, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_an_agent_login_becomes_an_agent_with_its_groups_as_queues():
    token = sign(AGENT_KEY, "agents-1", username="agent-liu", **{"cognito:groups": ["payments", "disputes"]})
    context = identify(bearer(token), tokens())
    assert context == {"principal": "agent", "sub": "agent-liu", "groups": "payments,disputes"}
    principal = principal_from(context, None)
    assert principal.is_agent and principal.queues == {"payments", "disputes"}


def test_an_app_user_login_becomes_that_app_user():
    token = sign(APP_KEY, "app-1", iss=APP, sub="app-lina")
    assert identify(bearer(token), tokens()) == {"principal": "app_user", "sub": "app-lina"}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(sign(AGENT_KEY, "agents-1", exp=int(time.time()) - 5), id="expired"),
        pytest.param(sign(STRANGER_KEY, "agents-1"), id="forged-signature"),
        pytest.param(sign(AGENT_KEY, "agents-1", iss="https://evil.example/pool"), id="unknown-issuer"),
        pytest.param(sign(AGENT_KEY, "agents-1", token_use="refresh"), id="not-an-access-or-id-token"),
        pytest.param(sign(AGENT_KEY, "unknown-kid"), id="unknown-key-id"),
        pytest.param("a.b.c", id="garbage-jwt"),
    ],
)
def test_a_login_that_does_not_verify_is_unauthorized_never_anonymous(token):
    with pytest.raises(Unauthorized):
        identify(bearer(token), tokens())


def test_a_case_token_or_nothing_passes_as_anonymous_for_the_function_to_check():
    assert identify(bearer("opaque-case-token"), tokens()) == {"principal": "anonymous"}
    assert identify({}, tokens()) == {"principal": "anonymous"}
    assert principal_from({"principal": "anonymous"}, "Bearer opaque-case-token").kind == "case_token"


def test_x_app_user_and_seed_tokens_count_only_in_local_mode():
    local_headers = {"X-App-User": "app-lina", "Authorization": "Bearer local-agent-liu"}
    # on AWS (no identities file) neither header means anything
    assert identify({"X-App-User": "app-lina"}, tokens()) == {"principal": "anonymous"}
    assert identify(bearer("local-agent-liu"), tokens()) == {"principal": "anonymous"}
    # locally, the seed file stands in for Cognito
    assert identify(bearer("local-agent-liu"), tokens(), SEED)["principal"] == "agent"
    assert identify({"X-App-User": "app-lina"}, tokens(), SEED) == {"principal": "app_user", "sub": "app-lina"}
    assert identify({"X-App-User": "x" * 3000}, tokens(), SEED) == {"principal": "anonymous"}
    assert identify(local_headers, tokens(), SEED)["sub"] == "agent-liu"


def test_jwks_are_fetched_once_per_pool():
    fetched = []
    verifier = tokens(fetched)
    for _ in range(3):
        verifier.verify(sign(AGENT_KEY, "agents-1"))
    assert fetched == [AGENTS]


def test_the_policy_allows_only_the_called_method_and_passes_the_context():
    answer = policy({"principal": "app_user", "sub": "app-lina"}, "arn:aws:execute-api:r:a:api/prod/GET/cases/X")
    statement = answer["policyDocument"]["Statement"]
    assert statement == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:aws:execute-api:r:a:api/prod/GET/cases/X"}
    ]
    assert answer["principalId"] == "app-lina" and answer["context"]["principal"] == "app_user"
