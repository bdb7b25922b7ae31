"""API Gateway (REST, Lambda proxy) emulation over the template's Api events.

A request becomes the proxy event API Gateway would send; the Cognito authorizers of the template
are played by the seed file's agents (bearer token -> claims with the agent's queues as groups),
and the app's signed-in user comes from the `X-App-User` header, as the app authorizer would set it."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from . import lambda_hook

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _error(status: int, code: str, message: str) -> Response:
    body = {"error": {"code": code, "message": message, "details": []}}
    return Response(status, {"Content-Type": "application/json"}, json.dumps(body))


def _route_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "/?$")


class ApiGateway:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.routes = [(route, _route_pattern(route["path"])) for route in runtime.routes]

    def _claims(self, headers: dict[str, str]) -> dict[str, Any] | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            agent = self.runtime.agents.get(auth[7:].strip())
            if agent:
                return {
                    "sub": agent["agentId"],
                    "cognito:username": agent["agentId"],
                    "name": agent.get("name", ""),
                    "cognito:groups": ",".join(agent.get("queues", [])),
                    "principal": "agent",
                }
        app_user = headers.get("x-app-user", "").strip()
        if app_user:
            return {"sub": app_user, "principal": "app_user"}
        return None

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes, query: dict[str, list[str]]
    ) -> Response:
        headers = {k.lower(): v for k, v in headers.items()}
        if len(body) > MAX_BODY_BYTES:
            return _error(413, "PAYLOAD_TOO_LARGE", "request body exceeds 10 MB")
        matched = None
        allowed = False
        for route, pattern in self.routes:
            found = pattern.match(path)
            if found:
                allowed = True
                if route["method"] == method.upper():
                    matched = (route, found.groupdict())
                    break
        if matched is None:
            if allowed:
                return _error(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}")
            return _error(404, "NOT_FOUND", f"no route for {path}")
        route, path_params = matched
        claims = self._claims(headers)
        if route["authorizer"] and (not claims or claims.get("principal") != "agent"):
            return _error(401, "UNAUTHORIZED", "a valid agent bearer token is required")
        try:
            text = body.decode("utf-8")
            is_base64 = False
        except UnicodeDecodeError:
            text = base64.b64encode(body).decode("ascii")
            is_base64 = True
        event = {
            "resource": route["path"],
            "path": path,
            "httpMethod": method.upper(),
            "headers": headers or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route["path"],
                "httpMethod": method.upper(),
                "path": f"/{self.runtime.parameter('Stage')}{path}",
                "stage": self.runtime.parameter("Stage"),
                "requestId": str(uuid.uuid4()),
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("user-agent", "")},
                "authorizer": {"claims": claims} if claims else None,
            },
            "body": text if body else None,
            "isBase64Encoded": is_base64,
        }
        function = self.runtime.functions[route["function"]]
        result, error = lambda_hook.invoke(function, event)
        if error:  # API Gateway answers 502 when the integration fails
            return _error(502, "INTERNAL_ERROR", "the service failed to answer; the request can be retried")
        result_headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            result_headers[key] = ",".join(str(v) for v in values)
        out = result.get("body") or ""
        if result.get("isBase64Encoded"):
            out = base64.b64decode(out).decode("utf-8", "replace")
        return Response(int(result.get("statusCode", 200)), result_headers, out)
