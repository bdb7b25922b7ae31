"""Shared fixtures. local_runtime is imported first: it installs the Lambda hook into botocore
before any boto3 session exists."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

import local_runtime  # noqa: F401 - side effect: the Lambda hook
from local_runtime.client import LocalClient
from local_runtime.runtime import ROOT, LocalRuntime

EVENTS = ROOT / "events"


@pytest.fixture(scope="module")
def runtime():
    """The whole template on moto, seeded; one per test module (workflow tests share it)."""
    with LocalRuntime() as rt:
        yield rt


@pytest.fixture(scope="module")
def client(runtime):
    return LocalClient(runtime)


@pytest.fixture(autouse=True)
def fresh_abuse_limits(request):
    """Each test is its own hour for the abuse limits: the module's runtime is shared, so counters
    from earlier tests' codes and messages are cleared (the limit tests count within one test)."""
    if "runtime" in request.fixturenames:
        rt = request.getfixturevalue("runtime")
        ddb, table = rt.client("dynamodb"), rt.refs["LimitsTable"]
        for item in ddb.scan(TableName=table, ProjectionExpression="id")["Items"]:
            ddb.delete_item(TableName=table, Key={"id": item["id"]})
    return


def agent_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# The seed's phone channel client (an HTTP IVR): phone contacts need its credential.
IVR = agent_headers("local-ivr-phone")


def channel_headers(body, headers=None):
    """The headers a channel integration sends: a phone contact carries the IVR's credential
    unless the test names its own Authorization."""
    headers = dict(headers or {})
    is_phone = isinstance(body, dict) and body.get("channel") == "phone"
    if is_phone and not any(k.lower() == "authorization" for k in headers):
        headers.update(IVR)
    return headers


@contextmanager
def serving(runtime, **options):
    """The local HTTP server over a runtime, on a free port of 127.0.0.1, for the block's duration."""
    from local_runtime.server import make_server

    server = make_server(runtime, 0, **options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
