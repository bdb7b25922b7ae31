"""IdentityProvider=oidc on the local runtime: the template's authorizer function trusts a foreign OIDC
issuer (as in the AWS China regions, where there is no Cognito). The issuer's RS256 keys are made here
and its JWKS is served on 127.0.0.1; agents' routes and the case view accept its tokens with the
groups and languages its claims carry, and nothing else."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local_runtime.client import LocalClient
from local_runtime.runtime import LocalRuntime
from tests.workflow.helpers import bearer, event_body, open_task, post_contact

ISSUER = "https://id.switchboard.example.cn/realms/agents"
DESK = "switchboard-desk"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "realm-1", "alg": "RS256"}


@pytest.fixture(scope="module")
def jwks_url():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"keys": [JWK]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/protocol/openid-connect/certs"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def runtime(jwks_url):
    parameters = {"IdentityProvider": "oidc", "OidcIssuer": ISSUER, "OidcAudiences": DESK, "OidcJwksUrl": jwks_url}
    with LocalRuntime(parameters=parameters) as rt:
        yield rt


@pytest.fixture(scope="module")
def client(runtime):
    return LocalClient(runtime)


def login(key=KEY, **claims):
    """An access token as a Keycloak-style issuer signs it: audience, groups and languages as lists."""
    body = {
        "iss": ISSUER,
        "sub": "f3c1-uuid",
        "aud": [DESK, "account"],
        "preferred_username": "agent-chen",
        "groups": ["payments"],
        "languages": ["zh-CN"],
        "exp": int(time.time()) + 600,
        **claims,
    }
    return bearer(jwt.encode(body, key, algorithm="RS256", headers={"kid": "realm-1"}))


def test_an_agent_of_the_oidc_issuer_works_the_tasks_of_its_groups(runtime, client):
    # given a payments task (an app-chat refund request)
    accepted = post_contact(client, event_body("contact_app_chat_duplicate"), {"X-App-User": "app-lina"})
    case_id = accepted.json()["caseId"]
    # when an agent signed in at the OIDC issuer, in the payments group, lists and claims it
    task = open_task(runtime, client, case_id, login())
    claimed = client.request("POST", f"/tasks/{task['taskId']}/claim", headers=login())
    # then the issuer's claims made them an agent of that queue, named by preferred_username
    assert claimed.status == 200, claimed.body
    assert claimed.json()["claimedBy"] == "agent-chen"
    case = client.request("GET", f"/cases/{case_id}", headers=login()).json()
    assert "task " + task["taskId"] + " claimed" in " | ".join(t["detail"] for t in case["timeline"])


def test_an_agent_of_another_group_sees_none_of_those_tasks(runtime, client):
    answer = client.request("GET", "/tasks", headers=login(groups=["complaints"]))
    assert answer.status == 200
    assert {t["queue"] for t in answer.json()["tasks"]} <= {"complaints"}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(login(aud="someone-elses-app"), id="another-audience"),
        pytest.param(login(OTHER_KEY), id="signed-with-another-key"),
        pytest.param(login(exp=int(time.time()) - 5), id="expired"),
        pytest.param(login(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X"), id="not-the-issuer"),
    ],
)
def test_a_token_the_issuer_did_not_give_this_desk_is_refused(client, headers):
    assert client.request("GET", "/tasks", headers=headers).status == 401


def test_the_agents_routes_require_a_login(client):
    answer = client.request("GET", "/tasks")
    assert answer.status == 401 and answer.json()["error"]["code"] == "UNAUTHORIZED"


def test_seed_tokens_keep_working_locally(client):
    assert client.request("GET", "/tasks", headers=bearer("local-agent-liu")).status == 200
