"""The agent desk as `make serve` serves it at /desk/: the repository's desk/ folder as static files,
with the security headers CloudFront adds on AWS (the template's DeskSecurityHeaders), and the
config.json the deployment provides there (tools/publish_desk.py), made here from the runtime's own
template parameters: the API on this origin, seed tokens accepted, and with IdentityProvider=oidc the
issuer whose authorization code + PKCE sign-in the desk offers."""

from __future__ import annotations

import json
import mimetypes
from typing import Any
from urllib.parse import urlsplit

from .api import Response
from .runtime import ROOT

DESK_DIR = ROOT / "desk"
PREFIX = "/desk/"


def config(runtime: Any) -> dict[str, Any]:
    """What the desk reads first: where the API is, how agents sign in."""
    auth = None
    if runtime.parameter("IdentityProvider") == "oidc" and runtime.parameter("OidcIssuer"):
        auth = {
            "issuer": runtime.parameter("OidcIssuer"),
            "clientId": runtime.parameter("OidcAudiences").split(",")[0].strip(),
            "scope": "openid profile",
        }
    return {"apiUrl": "", "auth": auth, "tokenSignIn": True, "pollSeconds": 2}


def security_headers(desk_config: dict[str, Any]) -> dict[str, str]:
    """The CloudFront response-headers policy's set; connect-src also names the issuer (its token endpoint)."""
    issuer = (desk_config.get("auth") or {}).get("issuer")
    origin = f"{urlsplit(issuer).scheme}://{urlsplit(issuer).netloc}" if issuer else ""
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'{' ' + origin if origin else ''}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def serve(runtime: Any, path: str) -> Response:
    """GET /desk/<file>: a file of desk/ (never outside it), /desk/config.json, /desk/ its index."""
    desk_config = config(runtime)
    headers = security_headers(desk_config)
    if path == PREFIX.rstrip("/"):
        return Response(301, {"Location": PREFIX}, "")
    relative = path[len(PREFIX) :] or "index.html"
    if relative == "config.json":
        return Response(200, {**headers, "Content-Type": "application/json"}, json.dumps(desk_config))
    target = (DESK_DIR / relative).resolve()
    if not target.is_relative_to(DESK_DIR.resolve()) or not target.is_file():
        body = json.dumps({"error": {"code": "NOT_FOUND", "message": f"no such file: {path}", "details": []}})
        return Response(404, {"Content-Type": "application/json"}, body)
    kind = {".js": "text/javascript"}.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "text/plain"
    return Response(200, {**headers, "Content-Type": f"{kind}; charset=utf-8"}, target.read_text(encoding="utf-8"))
