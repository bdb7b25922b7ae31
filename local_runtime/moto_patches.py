"""Small, upstream-style fixes to moto's Step Functions engine (moto 5.x), applied by the local runtime.
Each one keeps moto's behaviour and only stops it from redoing expensive work; each is tested in
tests/unit/test_moto_patches.py.

1. `moto.stepfunctions.parser.asl.utils.boto_client.boto_client_for` builds a
brand-new boto3 client for every Task it runs (each Lambda invoke, SNS publish, SQS send, DynamoDB call,
EventBridge put) with `boto3.client(...)`, i.e. on boto3's shared default session, which is not
thread-safe while it creates clients. Making a client costs far more than the call it then makes
(endpoint resolver, service model, event hooks); with executions on many worker threads it was most of
the engine's CPU time. The fix keeps upstream's function and arguments and only swaps the `boto3` it
calls for a factory that makes one client per (service, region, endpoint), once, under a lock, on a
session of its own (botocore clients are thread-safe for calls; their config is the same on every call).

2. `moto.stepfunctions.parser.asl.parse.asl_parser.AmazonStateLanguageParser.parse` runs the ANTLR lexer
and parser over the whole definition for every execution started (and for every create/update of a state
machine). The parse tree depends only on the definition text, so it is kept per definition; the
preprocessor still builds fresh evaluation components from it on every call, so no execution shares
state with another (as upstream).

3. moto offers no way to learn that an execution ended but polling DescribeExecution; a poll through
botocore and moto's serializer costs milliseconds of the one core the engine runs on. The runtime's
waits (`wait_until_finished`) are woken when an execution's worker reports its end
(`BaseExecutionWorkerCommunication.terminated`, after moto records the status) and check again then,
with a slow poll kept as a safety net.

4. `moto.dynamodb.models.dynamo_type.DynamoType.to_regular_json` deep-copies its whole value and then
recurses into the copy, where every nested level deep-copies its own subtree again: a case item (a list
of timeline maps) is copied once per level on every UpdateItem/GetItem answer. The replacement builds
the same fresh structure in one pass (leaves still deep-copied, binary still base64-decoded).

5. `serialize_dynamodb` is a fix of concurrency, not of speed: see its docstring.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()


class _OneClientPerService:
    """Stands in for the `boto3` module inside moto's boto_client module: only `.client(...)` is used."""

    def __init__(self) -> None:
        self.clients: dict[tuple[Any, ...], Any] = {}
        self.created = 0

    def client(self, **kwargs: Any) -> Any:
        key = (kwargs.get("service_name"), kwargs.get("region_name"), kwargs.get("endpoint_url"))
        client = self.clients.get(key)
        if client is None:
            with _lock:
                client = self.clients.get(key)
                if client is None:
                    import boto3

                    client = self.clients[key] = boto3.session.Session().client(**kwargs)
                    self.created += 1
        return client


factory = _OneClientPerService()

_trees: dict[str, Any] = {}
_PARSE_CACHE_SIZE = 32  # distinct definitions kept (tests create a handful)


def _parse_keeping_trees(definition: str) -> tuple[Any, Any]:
    """Upstream's parse with the ANTLR tree kept per definition text (syntax errors are not cached)."""
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    tree = _trees.get(definition)
    if tree is None:
        _program, tree = _upstream_parse(definition)
        with _lock:
            if len(_trees) >= _PARSE_CACHE_SIZE:
                _trees.pop(next(iter(_trees)))
            _trees[definition] = tree
    return Preprocessor().visit(tree), tree


_upstream_parse: Any = None
upstream: dict[str, Any] = {}  # the replaced functions, for the tests that compare answers


def _to_regular_json_one_pass(self: Any) -> dict[str, Any]:
    import base64
    import copy

    from moto.dynamodb.models.dynamo_type import DynamoType

    value = self.value
    if isinstance(value, dict):
        value = {k: v.to_regular_json() if isinstance(v, DynamoType) else copy.deepcopy(v) for k, v in value.items()}
    elif isinstance(value, list):
        value = [v.to_regular_json() if isinstance(v, DynamoType) else copy.deepcopy(v) for v in value]
    else:
        value = copy.deepcopy(value)
    if self.is_binary() and isinstance(value, str):
        value = base64.b64decode(value)
    return {self.type: value}


_ended = threading.Condition()
_ended_count = 0


def _wake_waiters_after(terminated: Any) -> Any:
    def terminated_and_wake(self: Any) -> None:
        global _ended_count
        terminated(self)
        with _ended:
            _ended_count += 1
            _ended.notify_all()

    terminated_and_wake.wakes_waiters = True  # type: ignore[attr-defined]
    return terminated_and_wake


def wait_until_finished(predicate: Any, deadline: float, safety_poll: float = 0.5) -> Any:
    """Check `predicate()` now and each time an execution ends (or every `safety_poll` s) until it is
    truthy or `deadline` (time.monotonic()) passes; answer its value, or None at the deadline. The
    predicate runs outside the lock, so it may call moto freely."""
    import time

    while True:
        with _ended:
            seen = _ended_count
        value = predicate()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        with _ended:
            if _ended_count == seen:
                _ended.wait(min(remaining, safety_poll))


def apply() -> None:
    """Idempotent: moto's engine makes its clients through `factory` and keeps parse trees from now on."""
    global _upstream_parse
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.utils import boto_client
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    # the module's only use of boto3 is boto3.client(...) in boto_client_for
    boto_client.boto3 = factory  # type: ignore[assignment]
    if not getattr(BaseExecutionWorkerCommunication.terminated, "wakes_waiters", False):
        BaseExecutionWorkerCommunication.terminated = _wake_waiters_after(  # type: ignore[method-assign]
            BaseExecutionWorkerCommunication.terminated
        )
    from moto.dynamodb.models.dynamo_type import DynamoType

    if _upstream_parse is None:
        upstream["to_regular_json"] = DynamoType.to_regular_json
        DynamoType.to_regular_json = _to_regular_json_one_pass  # type: ignore[method-assign]
        _upstream_parse = AmazonStateLanguageParser.parse
        AmazonStateLanguageParser.parse = staticmethod(_parse_keeping_trees)  # type: ignore[method-assign]


def reset() -> None:
    """Forget the clients: botocore copies its handler list when a client is made, so a client made
    before the runtime installed its Lambda hook (or under another mock) would never see it."""
    with _lock:
        factory.clients.clear()


def serialize_dynamodb() -> None:
    """DynamoDB applies each (conditional) write to an item atomically; moto's in-memory backend
    checks the condition and writes in plain Python, so concurrent handlers on worker threads could
    both pass one condition, and a request serializing a live item while another thread writes it
    fails ("dictionary changed size during iteration"). One lock around each DynamoDB request moto
    answers gives the local runtime DynamoDB's per-request atomicity."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_switchboard_serialized", False):
        return
    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def serialized(self: Any) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = serialized  # type: ignore[method-assign]  # the patch this function exists for
    DynamoHandler._switchboard_serialized = True  # type: ignore[attr-defined]  # our marker on moto's class
