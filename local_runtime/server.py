"""`make serve`: the template's API on 127.0.0.1, plus the local-only GET /local/outbox.

moto stays in this process (one mock for the life of the server): the Lambda hook only sees calls
made in its own process."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import desk
from .api import ApiGateway, Response
from .runtime import DEFAULT_SEED, LocalRuntime

MAX_REQUEST_BYTES = 11 * 1024 * 1024
LISTEN_BACKLOG = 1024  # hundreds of clients may connect at once; the kernel queues them
WORKERS = 64  # requests handled at once; the rest wait in the pool's queue, not in the backlog
SOCKET_TIMEOUT_SECONDS = 10.0  # a client that stops sending (or idles on keep-alive) is let go


def _json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message, "details": []}})
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, body)


def inbound_sms(runtime: LocalRuntime, body: bytes) -> Response:
    """POST /local/sms-inbound {"from", "body"}: a customer's text, published to the template's inbound
    SMS topic and delivered to its subscribed function as SNS would (local only: on AWS the carrier does)."""
    import re

    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return _json_error(400, "VALIDATION_ERROR", 'the body must be a JSON object {"from", "body"}')
    problems = []
    if not isinstance(data.get("from"), str) or not re.fullmatch(r"\+[1-9][0-9]{6,14}", data["from"]):
        problems.append({"field": "from", "issue": "an E.164 phone number is required"})
    if not isinstance(data.get("body"), str) or not data["body"].strip() or len(data["body"]) > 1600:
        problems.append({"field": "body", "issue": "1 to 1600 characters of text are required"})
    if problems:
        answer = {
            "error": {"code": "VALIDATION_ERROR", "message": "the request has invalid fields", "details": problems}
        }
        return Response(400, {"Content-Type": "application/json"}, json.dumps(answer))
    message_id, _ = runtime.inbound_sms(data["from"], data["body"])
    return Response(202, {"Content-Type": "application/json"}, json.dumps({"messageId": message_id}))


class LocalHTTPServer(ThreadingHTTPServer):
    """The stdlib server with a real listen backlog and a bounded pool of worker threads."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="local-http")

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


class BadRequest(Exception):
    def __init__(self, answer: Response) -> None:
        super().__init__(answer.status)
        self.answer = answer


def make_server(runtime: LocalRuntime, port: int, socket_timeout: float = SOCKET_TIMEOUT_SECONDS) -> LocalHTTPServer:
    gateway = ApiGateway(runtime)

    class Handler(BaseHTTPRequestHandler):
        server_version = "switchboard-local"
        protocol_version = "HTTP/1.1"
        default_request_version = "HTTP/1.0"  # an unreadable request line still gets a status line
        timeout = socket_timeout

        def _answer(self, status: int, headers: dict[str, str], body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The stdlib's own errors (bad request line, unknown method...) as JSON, never HTML."""
            self.close_connection = True
            names = {400: "BAD_REQUEST", 408: "REQUEST_TIMEOUT", 414: "URI_TOO_LONG", 431: "HEADERS_TOO_LARGE"}
            status = code if code in names else (405 if code == 501 else code)
            answer = _json_error(status, names.get(status, "METHOD_NOT_ALLOWED"), message or self.responses[code][0])
            if not getattr(self, "command", None):
                self.command = "GET"  # the request line was unreadable: still answer with a body
            self._answer(answer.status, answer.headers, answer.body)

        def _body(self) -> bytes:
            """The request body per Content-Length; a bad or lying length is a clear 4xx, not a hang."""
            if self.headers.get("Transfer-Encoding"):
                raise BadRequest(_json_error(411, "LENGTH_REQUIRED", "send the body with a Content-Length"))
            raw = (self.headers.get("Content-Length") or "0").strip()
            if not raw.isdigit():
                raise BadRequest(_json_error(400, "BAD_REQUEST", "Content-Length must be a non-negative whole number"))
            length = int(raw)
            if length > MAX_REQUEST_BYTES:
                raise BadRequest(_json_error(413, "PAYLOAD_TOO_LARGE", "body too large"))
            try:
                body = self.rfile.read(length) if length else b""
            except TimeoutError:
                raise BadRequest(_json_error(408, "REQUEST_TIMEOUT", "the body did not arrive in time")) from None
            if len(body) < length:
                raise BadRequest(_json_error(400, "BAD_REQUEST", "the body is shorter than its Content-Length"))
            return body

        def _route(self, method: str, body: bytes) -> Response:
            url = urlsplit(self.path)
            if url.path == "/local/outbox" and method == "GET":
                return Response(
                    200,
                    {"Content-Type": "application/json"},
                    json.dumps({"messages": runtime.outbox()}, ensure_ascii=False),
                )
            if url.path == "/local/sms-inbound" and method == "POST":
                return inbound_sms(runtime, body)
            if (url.path + "/").startswith(desk.PREFIX) and method == "GET":
                return desk.serve(runtime, url.path)
            return gateway.handle(method, url.path, dict(self.headers.items()), body, parse_qs(url.query))

        def _dispatch(self) -> None:
            try:
                body = self._body()
            except BadRequest as bad:
                self.close_connection = True  # the rest of the stream cannot be trusted
                return self._answer(bad.answer.status, bad.answer.headers, bad.answer.body)
            method = "GET" if self.command == "HEAD" else self.command  # HEAD: GET's answer, no body
            answer = self._route(method, body)
            self._answer(answer.status, answer.headers, answer.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

        def log_message(self, format: str, *args: object) -> None:
            where = getattr(self, "path", "(unreadable request)")
            print(f"{self.command} {where} -> {args[1] if len(args) > 1 else ''}", flush=True)

    return LocalHTTPServer(("127.0.0.1", port), Handler)


def serve_forever(port: int, seed: str | None) -> int:
    with LocalRuntime(seed_path=Path(seed) if seed else DEFAULT_SEED) as runtime:
        server = make_server(runtime, port)
        print(
            f"Switchboard local API on http://127.0.0.1:{port}  (outbox: /local/outbox, a customer's SMS: POST "
            "/local/sms-inbound, OpenAPI: /openapi.json, Swagger UI: /swagger, the agent desk: /desk/)",
            flush=True,
        )
        for route in runtime.routes:
            print(f"  {route['method']:<5} {route['path']:<32} -> {route['function']}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0
