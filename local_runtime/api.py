"""API Gateway (REST, Lambda proxy) emulation over the template's Api events.

A request becomes the proxy event API Gateway would send. Route authorizers run as on AWS: the
template's Lambda authorizer is invoked in-process (told the seed file through LocalIdentitiesFile,
so seed agents' tokens and the X-App-User header stand for logins), and the Cognito authorizer of
the agents' routes is played by the seed agents (bearer token -> claims, queues as groups)."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from . import lambda_hook, template

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": []}}
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body))


def _route_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "/?$")


class ApiGateway:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.routes = [(route, _route_pattern(route["path"])) for route in runtime.routes]
        resolve = template.Resolver(runtime.refs, runtime.attrs, runtime.conditions())
        apis = [r for r in runtime.resources.values() if r["Type"] == "AWS::Serverless::Api"]
        self.cors = next((resolve(api["Properties"]["Cors"]) for api in apis if api["Properties"].get("Cors")), None)

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({route["method"] for route, pattern in self.routes if pattern.match(path)})

    def preflight(self, path: str) -> Response:
        """OPTIONS as the template's API answers it: SAM's Cors setting becomes a mock OPTIONS method
        on every resource, answering 200 with these headers and no body."""
        methods = self.allowed_methods(path)
        if not methods:
            return _error(404, "NOT_FOUND", f"no route for {path}")
        if not self.cors:
            return _error(405, "METHOD_NOT_ALLOWED", "OPTIONS is not allowed", {"Allow": ", ".join(methods)})
        cors = self.cors if isinstance(self.cors, dict) else {"AllowOrigin": self.cors}
        headers = {"Allow": ", ".join([*methods, "OPTIONS"])}
        for key, header in (
            ("AllowOrigin", "Access-Control-Allow-Origin"),
            ("AllowMethods", "Access-Control-Allow-Methods"),
            ("AllowHeaders", "Access-Control-Allow-Headers"),
            ("MaxAge", "Access-Control-Max-Age"),
        ):
            value = str(cors.get(key) or "").strip("'")
            if value:  # an empty origin (no CORS origins configured) allows no browser page
                headers[header] = value
        return Response(200, headers, "")

    def _authorize(self, route: dict[str, Any], event: dict[str, Any]) -> dict[str, Any] | Response | None:
        """Run the route's authorizer as API Gateway would: our own function from the template, invoked
        with a REQUEST event, unless a header it requires (an identity source) is missing: then 401."""
        name = route["authorizer"]
        if not name:
            return None
        spec = self.runtime.authorizers[name]
        present = {k.lower() for k, v in (event["headers"] or {}).items() if v}
        if any(header.lower() not in present for header in spec["headers"]):
            return _error(401, "UNAUTHORIZED", "credentials are required")
        stage = event["requestContext"]["stage"]
        request = {
            "type": "REQUEST",
            "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:local/{stage}/{event['httpMethod']}{route['path']}",
            **{
                k: event[k]
                for k in ("resource", "path", "httpMethod", "headers", "queryStringParameters", "pathParameters")
            },
            "requestContext": event["requestContext"],
        }
        answer, error = lambda_hook.invoke(self.runtime.functions[spec["function"]], request)
        if error:  # the authorizer raised "Unauthorized" (or failed): API Gateway answers 401
            return _error(401, "UNAUTHORIZED", "credentials were not accepted")
        if answer["policyDocument"]["Statement"][0]["Effect"] != "Allow":
            return _error(403, "FORBIDDEN", "not allowed")
        return {**answer.get("context", {}), "principalId": answer["principalId"]}

    def authorize_event(self, event: dict[str, Any]) -> dict[str, Any] | Response | None:
        """The authorizer context API Gateway would add to a proxy event (a sample from events/api)
        for its route, or the 401/403 it would answer instead."""
        for route, _ in self.routes:
            if route["path"] == event.get("resource") and route["method"] == str(event.get("httpMethod")).upper():
                return self._authorize(route, event)
        return _error(404, "NOT_FOUND", f"no route for {event.get('httpMethod')} {event.get('resource')}")

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
            if method.upper() == "OPTIONS":  # no OPTIONS method of its own: API Gateway's mock preflight
                return self.preflight(path)
            if allowed:
                allow = ", ".join(self.allowed_methods(path))
                return _error(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}", {"Allow": allow})
            return _error(404, "NOT_FOUND", f"no route for {path}")
        route, path_params = matched
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
                "authorizer": None,
            },
            "body": text if body else None,
            "isBase64Encoded": is_base64,
        }
        authorized = self._authorize(route, event)
        if isinstance(authorized, Response):
            return authorized
        event["requestContext"]["authorizer"] = authorized
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
