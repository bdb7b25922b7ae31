"""Send API Gateway proxy events (the files in events/api) and plain requests through the local API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from .api import ApiGateway, Response


class LocalClient:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.gateway = ApiGateway(runtime)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, query: str = ""
    ) -> Response:
        raw = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body, ensure_ascii=False)
        data = raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")
        headers = {"Content-Type": "application/json", **(headers or {})} if body is not None else dict(headers or {})
        return self.gateway.handle(method, path, headers, data, parse_qs(query))

    def send_event_file(self, path: str | Path, headers: dict[str, str] | None = None) -> Response:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
        merged = {**{k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "host"}, **(headers or {})}
        body = event.get("body")
        return self.gateway.handle(event["httpMethod"], event["path"], merged, (body or "").encode("utf-8"), {})
