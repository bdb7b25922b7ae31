"""The desk's sign-in against an OIDC issuer, in Chromium: authorization code + PKCE (RFC 7636, S256).

A tiny issuer runs on 127.0.0.1: discovery, an authorize endpoint that redirects back with a code
bound to the code_challenge it was given, a token endpoint that gives tokens only for the verifier
whose SHA-256 is that challenge (and each code once), and its JWKS. The local runtime runs with
IdentityProvider=oidc and trusts that issuer, so the RS256 ID token the desk gets is what the API's
authorizer checks: a working desk after the round trip proves the whole flow."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import expect

from local_runtime.runtime import LocalRuntime

pytestmark = pytest.mark.browser

DESK_CLIENT = "switchboard-desk"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "desk-test", "alg": "RS256"}


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Issuer:
    """What the issuer saw: the authorize requests' parameters, the token requests' forms, refusals."""

    def __init__(self) -> None:
        self.authorized: list[dict[str, str]] = []
        self.exchanged: list[dict[str, str]] = []
        self.refused: list[str] = []
        self.codes: dict[str, dict[str, str]] = {}
        self.url = ""

    def id_token(self) -> str:
        claims = {
            "iss": self.url,
            "sub": "0d1c-uuid",
            "aud": DESK_CLIENT,
            "preferred_username": "agent-chen",
            "groups": ["payments", "disputes"],
            "languages": ["zh-CN", "en"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 600,
        }
        return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "desk-test"})

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str]]:
        self.exchanged.append(form)
        grant = self.codes.pop(form.get("code", ""), None)  # a code is good once
        problem = (
            "unknown or used code"
            if grant is None
            else "not this client's code"
            if form.get("client_id") != grant["client_id"] or "client_secret" in form
            else "another redirect_uri"
            if form.get("redirect_uri") != grant["redirect_uri"]
            else "code_verifier does not match the code_challenge"
            if s256(form.get("code_verifier", "")) != grant["code_challenge"]
            else None
        )
        if form.get("grant_type") != "authorization_code":
            problem = "grant_type"
        if problem:
            self.refused.append(problem)
            return 400, {"error": "invalid_grant", "error_description": problem}
        token = self.id_token()
        return 200, {"id_token": token, "access_token": token, "token_type": "Bearer", "expires_in": 600}


@pytest.fixture(scope="module")
def issuer():
    seen = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def _json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Access-Control-Allow-Origin", "*")  # the desk's page calls from its own origin
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                return self._json(
                    200,
                    {
                        "issuer": seen.url,
                        "authorization_endpoint": f"{seen.url}/authorize",
                        "token_endpoint": f"{seen.url}/token",
                        "jwks_uri": f"{seen.url}/jwks",
                        "code_challenge_methods_supported": ["S256"],
                    },
                )
            if url.path == "/jwks":
                return self._json(200, {"keys": [JWK]})
            if url.path == "/authorize":  # the agent "signs in" at once; the code remembers the challenge
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                seen.authorized.append(query)
                if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                    seen.refused.append("authorize without an S256 challenge")
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                seen.codes[code] = {k: query.get(k, "") for k in ("client_id", "redirect_uri", "code_challenge")}
                back = urlencode({"code": code, "state": query.get("state", "")})
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{back}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            return self._json(*seen.token(form))

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    seen.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield seen
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def runtime(issuer):
    parameters = {
        "IdentityProvider": "oidc",
        "OidcIssuer": issuer.url,
        "OidcAudiences": DESK_CLIENT,
        "OidcJwksUrl": f"{issuer.url}/jwks",
    }
    with LocalRuntime(parameters=parameters) as rt:
        yield rt


def test_the_desk_signs_in_with_authorization_code_and_pkce_at_the_issuer(page, base_url, issuer):
    # given the desk configured with the issuer (its config.json names it), opened by an agent
    page.set_default_timeout(20_000)
    page.goto(f"{base_url}/desk/")
    # when they sign in with their organisation
    page.get_by_role("button", name="Sign in with your organisation").click()
    # then after the round trip they are signed in as the issuer's agent, in the issuer's groups
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()
    expect(page.locator("#who")).to_have_text("Agent: agent-chen")
    expect(page.locator("table.counts tr[data-queue]")).to_have_count(2)
    # and the issuer saw an S256 challenge, then the verifier that hashes to it, and no client secret
    [asked] = issuer.authorized
    assert asked["code_challenge_method"] == "S256" and asked["response_type"] == "code"
    assert asked["client_id"] == DESK_CLIENT and asked["redirect_uri"] == f"{base_url}/desk/"
    assert asked["state"] and len(asked["code_challenge"]) == 43
    [form] = issuer.exchanged
    assert s256(form["code_verifier"]) == asked["code_challenge"] and len(form["code_verifier"]) >= 43
    assert "client_secret" not in form and issuer.refused == []
    # and the code is gone from the address bar (it was good once)
    assert "code=" not in page.url


def test_an_answer_that_this_tab_did_not_ask_for_is_refused_before_any_token_request(page, base_url, issuer):
    # given a sign-in answer forged into the desk's address (no sign-in started in this tab)
    page.set_default_timeout(20_000)
    exchanged = len(issuer.exchanged)
    page.goto(f"{base_url}/desk/?code=stolen&state=forged")
    # then the desk says why, keeps the sign-in, and never sends the code to the token endpoint
    expect(page.get_by_role("alert")).to_contain_text("does not belong to this browser tab")
    expect(page.get_by_role("button", name="Sign in with your organisation")).to_be_visible()
    assert len(issuer.exchanged) == exchanged


def test_the_seed_tokens_still_sign_in_locally(page, base_url):
    page.set_default_timeout(20_000)
    page.goto(f"{base_url}/desk/")
    page.get_by_label("Token").fill("local-agent-liu")
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.locator("#who")).to_have_text("Agent: agent-liu")
