"""`make serve`: the template's API on 127.0.0.1, plus the local-only GET /local/outbox.

moto stays in this process (one mock for the life of the server): the Lambda hook only sees calls
made in its own process."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .api import ApiGateway
from .runtime import DEFAULT_SEED, LocalRuntime

MAX_REQUEST_BYTES = 11 * 1024 * 1024
# Swagger UI over the generated document (the page loads the UI's script from the public CDN).
SWAGGER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Switchboard API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script>
</body></html>"""


def make_server(runtime: LocalRuntime, port: int) -> ThreadingHTTPServer:
    gateway = ApiGateway(runtime)

    class Handler(BaseHTTPRequestHandler):
        server_version = "switchboard-local"
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, headers: dict[str, str], body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _dispatch(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self.close_connection = True
                return self._answer(
                    413,
                    {"Content-Type": "application/json"},
                    json.dumps({"error": {"code": "PAYLOAD_TOO_LARGE", "message": "body too large", "details": []}}),
                )
            body = self.rfile.read(length) if length else b""
            if url.path in ("/swagger", "/swagger/") and self.command == "GET":
                return self._answer(200, {"Content-Type": "text/html; charset=utf-8"}, SWAGGER_PAGE)
            if url.path == "/local/outbox" and self.command == "GET":
                return self._answer(
                    200,
                    {"Content-Type": "application/json"},
                    json.dumps({"messages": runtime.outbox()}, ensure_ascii=False),
                )
            answer = gateway.handle(self.command, url.path, dict(self.headers.items()), body, parse_qs(url.query))
            self._answer(answer.status, answer.headers, answer.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

        def log_message(self, format: str, *args: object) -> None:
            print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def serve_forever(port: int, seed: str | None) -> int:
    with LocalRuntime(seed_path=Path(seed) if seed else DEFAULT_SEED) as runtime:
        server = make_server(runtime, port)
        print(
            f"Switchboard local API on http://127.0.0.1:{port}  (outbox: /local/outbox, OpenAPI: /openapi.json, Swagger UI: /swagger)",
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
