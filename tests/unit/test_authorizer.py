"""The customers' Lambda authorizer with real RS256 JWTs (keys made here), verified by PyJWT's
PyJWKClient against JWKS served on 127.0.0.1 (nothing leaves the machine)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from switchboard.api.authorizer import Issuer, JwtIssuers, Unauthorized, identify, policy
from switchboard.domain.identity import principal_from

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


CLIENTS = {AGENTS: frozenset({"desk-client", "ivr-client"}), APP: frozenset({"app-client"})}


class JwksServer:
    """Each pool's /.well-known/jwks.json on 127.0.0.1; `keys` can be rotated while it runs."""

    def __init__(self):
        self.keys = {AGENTS: [AGENT_JWK], APP: [APP_JWK]}
        self.fetches: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                issuer = {"/agents/jwks.json": AGENTS, "/app/jwks.json": APP}[self.path]
                outer.fetches.append(issuer)
                body = json.dumps({"keys": outer.keys[issuer]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{path}/jwks.json"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def jwks():
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture
def tokens(jwks):
    jwks.fetches.clear()
    return lambda: JwtIssuers(
        [
            Issuer(AGENTS, "agent", CLIENTS[AGENTS], jwks.url("agents"), cognito=True),
            Issuer(APP, "app_user", CLIENTS[APP], jwks.url("app"), cognito=True),
        ]
    )


def sign(key, kid, **claims):
    body = {
        "iss": AGENTS,
        "sub": "uuid-1",
        "token_use": "access",
        "client_id": "desk-client",
        "exp": int(time.time()) + 600,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_an_agent_login_becomes_an_agent_with_its_groups_as_queues(tokens):
    token = sign(AGENT_KEY, "agents-1", username="agent-liu", **{"cognito:groups": ["payments", "disputes"]})
    context = identify(bearer(token), tokens())
    assert context == {"principal": "agent", "sub": "agent-liu", "groups": "payments,disputes"}
    principal = principal_from(context, None)
    assert principal.is_agent and principal.queues == {"payments", "disputes"}


def test_an_app_user_login_becomes_that_app_user(tokens):
    token = sign(APP_KEY, "app-1", iss=APP, sub="app-lina", client_id="app-client")
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
        pytest.param(sign(AGENT_KEY, "agents-1", client_id="some-other-client"), id="access-token-of-another-client"),
        pytest.param(sign(AGENT_KEY, "agents-1", client_id=None), id="access-token-without-client-id"),
        pytest.param(
            sign(APP_KEY, "app-1", iss=APP, token_use="id", client_id=None, aud="desk-client"),
            id="id-token-for-another-pools-client",
        ),
        pytest.param(sign(APP_KEY, "app-1", iss=APP, client_id="desk-client"), id="client-of-the-other-pool"),
    ],
)
def test_a_login_that_does_not_verify_is_unauthorized_never_anonymous(tokens, token):
    with pytest.raises(Unauthorized):
        identify(bearer(token), tokens())


def test_a_case_token_or_nothing_passes_as_anonymous_for_the_function_to_check(tokens):
    assert identify(bearer("opaque-case-token"), tokens()) == {"principal": "anonymous"}
    assert identify({}, tokens()) == {"principal": "anonymous"}
    assert principal_from({"principal": "anonymous"}, "Bearer opaque-case-token").kind == "case_token"


def test_x_app_user_and_seed_tokens_count_only_in_local_mode(tokens):
    local_headers = {"X-App-User": "app-lina", "Authorization": "Bearer local-agent-liu"}
    # on AWS (no identities file) neither header means anything
    assert identify({"X-App-User": "app-lina"}, tokens()) == {"principal": "anonymous"}
    assert identify(bearer("local-agent-liu"), tokens()) == {"principal": "anonymous"}
    # locally, the seed file stands in for Cognito
    assert identify(bearer("local-agent-liu"), tokens(), SEED)["principal"] == "agent"
    assert identify({"X-App-User": "app-lina"}, tokens(), SEED) == {"principal": "app_user", "sub": "app-lina"}
    assert identify({"X-App-User": "x" * 3000}, tokens(), SEED) == {"principal": "anonymous"}
    assert identify(local_headers, tokens(), SEED)["sub"] == "agent-liu"


def test_jwks_are_fetched_once_per_pool(tokens, jwks):
    verifier = tokens()
    for _ in range(3):
        verifier.verify(sign(AGENT_KEY, "agents-1"))
    assert jwks.fetches == [AGENTS]


def test_a_rotated_signing_key_is_accepted_without_a_cold_start(tokens, jwks):
    # given a verifier that has already fetched and cached the pool's keys
    verifier = tokens()
    assert verifier.verify(sign(AGENT_KEY, "agents-1"))[0].kind == "agent"
    # when Cognito rotates: a new key id appears in the JWKS and tokens are signed with it
    rotated_key, rotated_jwk = keypair("agents-2")
    jwks.keys[AGENTS] = [AGENT_JWK, rotated_jwk]
    try:
        issuer, claims = verifier.verify(sign(rotated_key, "agents-2", sub="uuid-rotated"))
    finally:
        jwks.keys[AGENTS] = [AGENT_JWK]
    # then the same verifier fetched the JWKS again for the unknown kid and accepted the token
    assert (issuer.kind, claims["sub"]) == ("agent", "uuid-rotated")
    assert jwks.fetches == [AGENTS, AGENTS]


def test_an_ivr_client_credentials_token_becomes_a_phone_channel(tokens):
    # given the IVR app client's access token with the phone scope of the switchboard resource server
    token = sign(AGENT_KEY, "agents-1", sub="ivr-client", client_id="ivr-client", scope="switchboard/contacts.phone")
    # when the authorizer resolves it
    context = identify(bearer(token), tokens())
    # then it is a channel client for the phone channel only, never an agent
    assert context == {"principal": "channel", "sub": "ivr-client", "channels": "phone"}
    principal = principal_from(context, None)
    assert principal.kind == "channel" and principal.channels == {"phone"} and not principal.is_agent


def test_seed_channel_tokens_stand_for_client_credentials_locally(tokens):
    assert identify(bearer("local-ivr-phone"), tokens(), SEED) == {
        "principal": "channel",
        "sub": "ivr-local",
        "channels": "phone",
    }
    assert identify(bearer("local-ivr-phone"), tokens()) == {"principal": "anonymous"}  # not on AWS


def test_the_policy_allows_only_the_called_method_and_passes_the_context():
    answer = policy({"principal": "app_user", "sub": "app-lina"}, "arn:aws:execute-api:r:a:api/prod/GET/cases/X")
    statement = answer["policyDocument"]["Statement"]
    assert statement == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:aws:execute-api:r:a:api/prod/GET/cases/X"}
    ]
    assert answer["principalId"] == "app-lina" and answer["context"]["principal"] == "app_user"


def test_the_template_parameters_name_the_issuers(monkeypatch):
    from switchboard.api.authorizer import default_issuers

    # given the Cognito setting (the default): the pools the template created, with their clients
    monkeypatch.setenv("AWS_REGION", "cn-north-1")
    monkeypatch.setenv("AGENTS_USER_POOL_ID", "cn-north-1_Agents")
    monkeypatch.setenv("AGENTS_CLIENT_IDS", "desk,ivr")
    monkeypatch.delenv("IDENTITY_PROVIDER", raising=False)
    default_issuers.cache_clear()
    (pool,) = default_issuers().issuers.values()
    assert (pool.url, pool.kind, pool.audiences, pool.cognito) == (
        "https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_Agents",
        "agent",
        {"desk", "ivr"},
        True,
    )
    # when IdentityProvider=oidc: the configured issuers and claims instead, and no pool
    monkeypatch.setenv("IDENTITY_PROVIDER", "oidc")
    monkeypatch.setenv("OIDC_ISSUER", "https://id.example.cn/realms/agents")
    monkeypatch.setenv("OIDC_AUDIENCES", "desk")
    monkeypatch.setenv("OIDC_GROUPS_CLAIM", "roles")
    monkeypatch.setenv("APP_USERS_OIDC_ISSUER", "https://id.example.cn/realms/app/")
    monkeypatch.setenv("APP_USERS_OIDC_AUDIENCES", "app")
    default_issuers.cache_clear()
    try:
        agents, app = default_issuers().issuers.values()
    finally:
        default_issuers.cache_clear()
    assert (agents.kind, agents.groups_claim, agents.username_claim, agents.cognito) == (
        "agent",
        "roles",
        "preferred_username",
        False,
    )
    assert agents.jwks_url == "https://id.example.cn/realms/agents/.well-known/jwks.json"
    assert (app.kind, app.audiences, app.jwks_url) == (
        "app_user",
        {"app"},
        "https://id.example.cn/realms/app/.well-known/jwks.json",
    )


def test_an_oidc_audience_may_be_a_list_or_the_authorized_party():
    issuer = Issuer("https://id.example.cn", "agent", frozenset({"desk"}), "unused")
    assert issuer.client_of({"aud": ["account", "desk"]}) == "desk"
    assert issuer.client_of({"aud": "account", "azp": "desk"}) == "desk"
    assert issuer.client_of({"aud": "account"}) is None
    assert issuer.client_of({"token_use": "access", "client_id": "other"}) is None
