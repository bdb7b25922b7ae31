"""Small, upstream-style fixes to moto 5.x (its Step Functions engine, DynamoDB, EventBridge and core request
handling), applied by the local runtime.
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

6. `moto.core.serialize.BaseJSONSerializer._serialize_type_structure` walks DynamoDB's recursive
`AttributeValue` shape member by member, trying several spellings of every key with its attribute
picker: answering GetItem for a 3 kB case item took ~12 ms, UpdateItem with ALL_NEW more, and a case
makes dozens of such calls. The values moto hands it are already DynamoDB's wire form (DynamoResult
converts them with `to_regular_json`), so the patch writes an AttributeValue as it is, with binary
base64-encoded and strings and numbers as `str`, exactly as the shape walk would.

7. `ExecutionWorker._get_evaluation_entrypoint` builds the program (every state's evaluation component)
from the parse tree for every execution: ~60-100 ms of the engine's one core for this definition, the
largest single cost of a case. The components keep nothing of an execution: its state lives in its
own `Environment` (stack, heap, states, context), and per-component counters such as a Retrier's
attempts are kept in that heap under the component's `heap_key`. So an execution evaluates the program
built once per definition; its heap keys are fixed when it is built (they are otherwise drawn lazily,
which two threads could race on). `AmazonStateLanguageParser.parse` itself still answers a fresh
program (patch 2), for CreateStateMachine's validation and any other caller.

8. `moto.core.utils.method_names_from_class` runs `inspect.getmembers` over the response class on every
request moto answers, to check that the action is one of its methods; a class's methods do not change,
so the names are kept per class.

9. `moto.stepfunctions.parser.asl.utils.json_path.extract_json` parses its JSONPath (`$.caseId`,
`$.policy.surveyDelaySeconds`...) with jsonpath_ng's PLY parser every time a state reads or writes its
input, and `ResultPath` parses its path (with jsonpath_ng's own parser) every time a state places its
result; a parsed path is an immutable expression, so each one is kept per path text.

10. `sign_nothing`: botocore signs every request (SigV4: canonical request, HMACs) that moto, without
IAM auth, never checks; about a third of a small call's client-side time. While a local runtime is
running, its process's requests go unsigned (a `choose-signer` handler first among botocore's own);
moto then reads the default account and the URL's region, the ones the runtime deploys into.

11. `UpdateExpressionParser.make` tokenizes and parses an UpdateExpression on every UpdateItem, twice
(the response layer reads its clauses, the backend validates it). The tree depends only on the text and
nobody changes it: the Validator deep-copies it before processing and the executor works on that copy.
So the tree is kept per expression text.

12. The Validator deep-copies that tree for every UpdateItem with `copy.deepcopy`, whose generic path
(`__reduce_ex__`, then a copy of each node's state dict) is ~7x slower than copying a node's attributes
directly; moto already gives `DynamoType` and `Item` such a `__deepcopy__` for the same reason, and
`Node` gets the same here (parents re-pointed through the memo, as the generic copy does).

13. `DynamoDBBackend.transact_write_items` deep-copies every table a transaction names before it
starts, to restore them if the transaction is cancelled: its cost grows with the table, not with the
transaction (the reports' once-markers, a row per event; the tasks), and at a few hundred cases it was a
quarter of the engine's CPU. A rollback only needs the items the transaction writes: they are
deep-copied before it runs and put back (or removed, if they did not exist) when it raises, which is
the only way moto's own rollback happens; moto's whole-table copies are skipped while it runs.

14. `moto.events.utils.EventTemplateParser.parse` builds each rule target's input from the event with
eight JSONPaths (`$.detail`, `$.time`...), parsing every one with jsonpath_ng's PLY parser
(`jsonpath_ng.ext.parse`, which it imports on each call) for every target of every event put: a sixth of
the engine's CPU, with a handful of events per case. As in 9, a parsed path is kept per path text.

15. `moto.dynamodb.parsing.ast_nodes.DepthFirstTraverser` asks `_processing_map()` for every node it
visits, twice (`nodes_to_be_processed`, whose docstring says "cached" but which is not, and `process`):
a new dict of bound methods each time, then an isinstance walk over it. The Validator runs ten
traversers over every UpdateExpression tree, so this was a third of an UpdateItem. The map is built once
per traverser (a Validator makes new ones per request), and which of its entries a node class takes
(the first it is an instance of, as `process` picks) is found once per class and map. The walk itself
recurses in one local function (no traverser overrides `traverse_node_recursively`).

16. Every UpdateItem deep-copies the item it changes twice, whatever it answers: the response layer
(`DynamoHandler.update_item`) copies it only to read its attributes as JSON before the update, which
`Item.to_json` already builds fresh; the backend (`DynamoDBBackend.update_item`) copies it only to hand
the old image to the table's stream. A case item (its timeline) is the biggest a case writes, eleven
times a case. The response layer reads the item itself; the backend copies it only for a table that has
a stream, as before.

17. `ActionCountValidator` and `OverlappingPathsValidator` check the whole expression (at most one
clause of each kind, no two actions on one path) at every node that is an `UpdateExpression`, which in
moto's tree is every clause, action list and action: each searches its whole subtree for clauses again,
so an update's cost grew with the square of its actions (a reports transaction: a fifth of its time).
Their traversal runs the same checks, bottom-up as upstream (so the refusal found lowest still wins),
on nodes whose clauses of each kind are searched once per update; and moto's node classes are ABCs,
whose `isinstance` costs a metaclass call, so a class's answer is kept (also for patch 15's traversal,
which skips the per-child hook that only one processor has).

18. `BotocoreStubber.process_request` finds the handler for every request by matching the URL against
every service's pattern and then its backend's URLs, compiling each regex again (upstream's "TODO:
cache this part"): a tenth of a small call. The handler for an endpoint URL is fixed by moto's modules,
so it is found once per URL; the passthrough and allow-list settings are still read on every request.

19. Every answer gets a request id of 52 characters that `MotoRandom.get_random_string` draws with one
`random.choice` each; one `choices` call draws them from the same generator and alphabet.

20. `ConditionExpressionParser` tokenizes a ConditionExpression (or a FilterExpression) with six regular
expressions per token on every conditional write, in the response layer and again in the backend. The
tokens depend only on the text and are immutable (each `children` list stays empty: nothing in the
parser adds to it), so they are kept per text and every parse gets them in a fresh deque.

21. Of the ten traversals the Validator runs over an UpdateExpression tree on every UpdateItem (twice for
an item that does not exist yet), the first three only check the expression's shape: one clause of each
kind (`ActionCountValidator`), no two actions on one path (`OverlappingPathsValidator`), no key attribute
changed (`UpdateHashRangeKeyValidator`). They read nothing but the parsed tree, the attribute names and
the table's key attributes, and change nothing. So a combination that passed them once skips them; one
that failed is checked, and refused, every time, by upstream's code. An UpdateItem of the reports'
projection or of a case spent a quarter of its backend time on them.

22. botocore hands a request to every before-send handler and keeps the first answer. The local
runtime's Lambda hook answers each Invoke before moto, and moto still dispatched the request to its own
Lambda service, which has never heard of the function: a 404 that botocore dropped, a small call's cost
for each of a case's invocations. A request the runtime has answered says so in its context
(`ANSWERED`), and moto's stubber leaves it. A faulted request does not say so (faults.py): it still
reaches moto, as designed.
"""

from __future__ import annotations

import functools
import threading
import weakref
from typing import Any

_lock = threading.Lock()

ANSWERED = "answered_by_local_runtime"  # in a request's context: an earlier before-send handler answered it (22)


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


def _wire_attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    """An AttributeValue as the JSON serializer's walk of its shape writes it (see 6 above)."""
    import base64

    def b64(blob: str | bytes) -> str:
        raw = blob.encode("utf-8") if isinstance(blob, str) else blob
        return base64.b64encode(raw).strip().decode("utf-8")

    out: dict[str, Any] = {}
    for kind, inner in value.items():
        if inner is None:  # the shape walk skips absent members
            continue
        if kind == "M":
            inner = {k: _wire_attribute_value(v) for k, v in inner.items()}
        elif kind == "L":
            inner = [_wire_attribute_value(v) for v in inner]
        elif kind == "B":
            inner = b64(inner)
        elif kind == "BS":
            inner = [b64(v) for v in inner]
        elif kind in ("S", "N"):
            inner = str(inner) if inner not in ("", {}, []) else inner
        elif kind in ("SS", "NS"):
            inner = [str(v) if v not in ("", {}, []) else v for v in inner]
        out[kind] = inner
    return out


def _attribute_values_as_they_are(structure: Any) -> Any:
    def serialize_type_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and "NULL" in shape.members and isinstance(value, dict):
            serialized[shape.serialization.get("name", key)] = _wire_attribute_value(value)
            return
        structure(self, serialized, value, shape, key)

    return serialize_type_structure


_programs: dict[str, Any] = {}


def _fix_heap_keys(component: Any) -> None:
    """Draw every evaluation component's heap key now, while one thread holds the program."""
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    todo = [component]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, EvalComponent):
            _ = item.heap_key
        if isinstance(item, Component):
            todo.extend(vars(item).values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())


def _program_built_once(self: Any) -> Any:
    """Upstream's `_get_evaluation_entrypoint`, with the program kept per definition (see 7 above)."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    definition = self._evaluation_details.state_machine_details.definition
    program = _programs.get(definition)
    if program is None:
        program = AmazonStateLanguageParser.parse(definition)[0]
        _fix_heap_keys(program)
        with _lock:
            if len(_programs) >= _PARSE_CACHE_SIZE:
                _programs.pop(next(iter(_programs)))
            program = _programs.setdefault(definition, program)
    return program


def _node_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    """`ast_nodes.Node.__deepcopy__` (see 12 above): the generic copy's result, without `__reduce_ex__`."""
    import copy

    found = memo.get(id(self))
    if found is not None:
        return found
    result = self.__class__.__new__(self.__class__)
    memo[id(self)] = result
    attributes = result.__dict__
    for name, value in self.__dict__.items():
        attributes[name] = value if value is None or type(value) in (str, int, bool) else copy.deepcopy(value, memo)
    return result


_signing_off = False


def _unsigned_while_local(**_: Any) -> Any:
    import botocore

    return botocore.UNSIGNED if _signing_off else None


def sign_nothing(on: bool) -> None:
    """Sign no request made in this process while `on` (see 10 above); clients made from now on."""
    global _signing_off
    from botocore.handlers import BUILTIN_HANDLERS

    with _lock:
        if ("choose-signer", _unsigned_while_local) not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.insert(0, ("choose-signer", _unsigned_while_local))
        _signing_off = on


_ended = threading.Condition()
_ended_count = 0
_ended_arns: set[str] = set()  # executions whose worker reported their end


def _wake_waiters_after(terminated: Any) -> Any:
    def terminated_and_wake(self: Any) -> None:
        global _ended_count
        terminated(self)
        with _ended:
            _ended_count += 1
            _ended_arns.add(self.execution.exec_arn)
            _ended.notify_all()

    return terminated_and_wake


def wait_until_finished(
    predicate: Any, deadline: float, safety_poll: float = 0.5, execution_arn: str | None = None
) -> Any:
    """Check `predicate()` now and each time an execution ends (only when `execution_arn` ends, if
    given: eight waiters woken by every end would each poll moto) or every `safety_poll` s, until it
    is truthy or `deadline` (time.monotonic()) passes; answer its value, or None at the deadline.
    The predicate runs outside the lock, so it may call moto freely."""
    import time

    while True:
        with _ended:
            seen = _ended_count
        value = predicate()
        if value:
            return value
        poll_at = time.monotonic() + safety_poll
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            with _ended:
                if _ended_count == seen:
                    _ended.wait(min(remaining, poll_at - time.monotonic()))
                seen = _ended_count
                if execution_arn is None or execution_arn in _ended_arns or time.monotonic() >= poll_at:
                    break


class _TablesNotCopied:
    """Stands in for the `copy` module in moto's DynamoDB backend: `deepcopy` of a table hands back the
    table itself while a transaction of this thread runs (its items are journaled instead, see 13), and
    of an item while this thread updates it in a table without a stream (nobody reads the copy, see 16)."""

    def __init__(self) -> None:
        import copy

        from moto.dynamodb.models.dynamo_type import Item
        from moto.dynamodb.models.table import Table

        # deepcopy runs on every UpdateItem: no import there
        self._copy, self._table_class, self._item_class = copy, Table, Item
        self.inside = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, self._table_class) and getattr(self.inside, "transaction", False):
            return value
        if isinstance(value, self._item_class) and getattr(self.inside, "update_without_stream", False):
            return value
        return self._copy.deepcopy(value, memo)


class _ItemReadNotCopied:
    """Stands in for the `copy` module in moto's DynamoDB response layer, whose one `deepcopy` is of the
    item an UpdateItem is about to change, read at once with `to_json` (a fresh structure): the item
    itself is handed back (16)."""

    def __init__(self) -> None:
        import copy

        from moto.dynamodb.models.dynamo_type import Item

        self._copy, self._item_class = copy, Item

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, self._item_class) else self._copy.deepcopy(value, memo)


def _backend_copies() -> _TablesNotCopied:
    from moto.dynamodb import models

    if not isinstance(models.copy, _TablesNotCopied):
        models.copy = _TablesNotCopied()  # type: ignore[assignment]
    return models.copy  # type: ignore[return-value]


def _item_copied_for_streams_only(update_item: Any) -> Any:
    """moto's `DynamoDBBackend.update_item`, copying the old item only for a table with a stream (16)."""
    copies = _backend_copies()

    @functools.wraps(update_item)
    def update(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        copies.inside.update_without_stream = self.get_table(table_name).stream_shard is None
        try:
            return update_item(self, table_name, *args, **kwargs)
        finally:
            copies.inside.update_without_stream = False

    return update


def _item_journal(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key, a deep copy of the item or None) for every item the transaction writes."""
    import copy

    from moto.dynamodb.models.dynamo_type import DynamoType

    journal = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue  # moto answers ResourceNotFound; nothing to restore
        key = op.get("Key") or {
            name: op.get("Item", {}).get(name) for name in (table.hash_key_attr, table.range_key_attr) if name
        }
        if not key.get(table.hash_key_attr):
            continue  # moto answers the validation error before it writes anything
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = (
            DynamoType(key[table.range_key_attr]) if table.range_key_attr and key.get(table.range_key_attr) else None
        )
        current = table.items.get(hash_key)
        if range_key is not None:
            current = (current or {}).get(range_key)
        journal.append((table, hash_key, range_key, copy.deepcopy(current)))
    return journal


def _restore(journal: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_key, range_key, item in reversed(journal):
        if range_key is None:
            table.items.pop(hash_key, None) if item is None else table.items.__setitem__(hash_key, item)
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def _journaled_transactions(transact_write_items: Any) -> Any:
    """moto's `transact_write_items`, rolled back item by item (see 13 above)."""
    tables_not_copied = _backend_copies()  # the module's only copy.deepcopy of a Table

    @functools.wraps(transact_write_items)
    def journaled(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        journal = _item_journal(self, transact_items)
        tables_not_copied.inside.transaction = True
        try:
            return transact_write_items(self, transact_items)
        except BaseException:
            _restore(journal)
            raise
        finally:
            tables_not_copied.inside.transaction = False

    return journaled


def _processors_by_class(traverser: Any) -> dict[type, Any]:
    """Per node class, the processing function `DepthFirstTraverser.process` would pick for it (the first
    entry of the map the class is a subclass of), or None when its class is in no entry (upstream's
    `isinstance(node, nodes_to_be_processed())` is false), from the map the traverser builds once."""
    state = traverser.__dict__.get("_processing_once")
    if state is None:
        state = traverser.__dict__["_processing_once"] = _ProcessorsByClass(traverser._processing_map())
    return state


class _ProcessorsByClass(dict[type, Any]):
    # which entry a node class takes depends on the map's keys only, the same for every traverser of a class
    entries: dict[tuple[tuple[type, ...], type], type | None] = {}

    def __init__(self, processing_map: dict[type, Any]) -> None:
        super().__init__()
        self.processing_map, self.keys_in_order = processing_map, tuple(processing_map)

    def __missing__(self, kind: type) -> Any:
        found = (self.keys_in_order, kind)
        if found not in self.entries:
            self.entries[found] = next((key for key in self.keys_in_order if issubclass(kind, key)), None)
        key = self.entries[found]
        self[kind] = None if key is None else self.processing_map[key]
        return self[kind]


def _is_a(value: Any, node_class: str) -> bool:
    """`isinstance(value, ast_nodes.<node_class>)`, answered once per class: moto's node classes are ABCs,
    whose isinstance check goes through `ABCMeta.__instancecheck__` on every call."""
    return _class_is(value.__class__, node_class)


@functools.cache
def _class_is(kind: type, node_class: str) -> bool:
    from moto.dynamodb.parsing import ast_nodes

    return issubclass(kind, getattr(ast_nodes, node_class))


@functools.cache
def _prepares_children(traverser_class: Any) -> bool:
    """Whether the traverser's class has a `pre_processing_of_child` of its own (upstream's does nothing)."""
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser  # type: ignore[attr-defined]

    return traverser_class.pre_processing_of_child is not DepthFirstTraverser.pre_processing_of_child


def _traverse_with_one_map(self: Any, node: Any, child_id: int = -1) -> Any:
    """`DepthFirstTraverser.traverse_node_recursively`: the same walk (no traverser overrides it), with the
    map looked up once per traverser and the node classes once each (15, 17)."""
    processors = _processors_by_class(self)
    prepare = self.pre_processing_of_child if _prepares_children(self.__class__) else None

    def visit(node: Any, child_id: int) -> Any:
        if not _is_a(node, "Node"):
            return node
        parent_node = node.parent
        if node.children is not None:
            for i, child_node in enumerate(node.children):
                if prepare is not None:
                    prepare(node, i)
                visit(child_node, i)
        processor = processors[type(node)]
        if processor is not None:
            node = processor(node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    return visit(node, child_id)


class _ClausesOnce:
    """A node as a whole-expression check reads it (`find_clauses` only), with every subtree's clauses of a
    kind found once per traversal (17): upstream's walk, children matched by exact type, recursing only into
    expressions and functions, as `Node.find_clauses` does."""

    def __init__(self, node: Any, found: dict[tuple[int, tuple[type, ...]], list[Any]]) -> None:
        self.node, self.found = node, found

    def find_clauses(self, clause_types: list[type]) -> list[Any]:
        return self._clauses(self.node, tuple(clause_types))

    def _clauses(self, node: Any, kinds: tuple[type, ...]) -> list[Any]:
        key = (id(node), kinds)
        if key not in self.found:
            clauses: list[Any] = []
            for child in node.children or []:
                if type(child) in kinds:
                    clauses.append(child)
                elif _is_a(child, "Expression") or _is_a(child, "UpdateExpressionFunction"):
                    clauses.extend(self._clauses(child, kinds))
            self.found[key] = clauses
        return self.found[key]


def _checked_once_per_subtree(check: Any) -> Any:
    """`traverse` of a whole-expression check (ActionCountValidator, OverlappingPathsValidator): the check
    runs on every UpdateExpression node bottom-up as upstream's traversal calls it (the first refusal
    wins, the tree is left as it is), each node's clauses found once instead of once per ancestor (17)."""

    def traverse(self: Any, node: Any) -> Any:
        found: dict[tuple[int, tuple[type, ...]], list[Any]] = {}

        def visit(current: Any) -> None:
            for child in current.children or []:
                if _is_a(child, "Node"):
                    visit(child)
            if _is_a(current, "UpdateExpression"):
                check(self, _ClausesOnce(current, found))

        if _is_a(node, "Node"):
            visit(node)
        return node

    return traverse


_SHAPE_CHECKS = ("ActionCountValidator", "OverlappingPathsValidator", "UpdateHashRangeKeyValidator")


class _ShapePassed:
    """Stands after the shape checks in a Validator's processor list (21): reached, they all passed."""

    def __init__(self, passed: set[Any], key: Any) -> None:
        self.passed, self.key = passed, key

    def traverse(self, node: Any) -> Any:
        self.passed.add(self.key)
        return node


def _shape_checked_once(init: Any) -> Any:
    """`UpdateExpressionValidator.__init__`, leaving out the shape checks a tree has passed with these
    attribute names and key attributes (21); otherwise a marker after them remembers that they passed."""
    from moto.dynamodb.parsing import validators

    shape_checks = tuple(getattr(validators, name) for name in _SHAPE_CHECKS)
    # per parsed tree (kept per text by patch 11): gone with the tree, so an id is never reused
    passed_by_tree: weakref.WeakKeyDictionary[Any, set[Any]] = weakref.WeakKeyDictionary()

    @functools.wraps(init)
    def checked_once(self: Any, expression: Any, *args: Any, **kwargs: Any) -> None:
        init(self, expression, *args, **kwargs)
        names = self.expression_attribute_names
        key = (None if names is None else frozenset(names.items()), tuple(self.table.table_key_attrs))
        passed = passed_by_tree.get(expression)
        if passed is None:
            passed = passed_by_tree.setdefault(expression, set())
        shape = [p for p in self.processors if isinstance(p, shape_checks)]
        rest = [p for p in self.processors if not isinstance(p, shape_checks)]
        if self.processors[: len(shape)] != shape:
            return  # not upstream's order (checks first): leave the list as it is
        self.processors = rest if key in passed else [*shape, _ShapePassed(passed, key), *rest]

    return checked_once


def _handlers_resolved_once(process_request: Any) -> Any:
    """`BotocoreStubber.process_request` with the backend handler for each endpoint URL found once (18)."""
    from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
    from moto.core.exceptions import HTTPException, ServiceNotWhitelisted
    from moto.core.request import normalize_request
    from moto.core.utils import get_equivalent_url_in_aws_domain
    from moto.moto_api import recorder
    from moto.settings import enable_iso_regions

    @functools.wraps(process_request)
    def process(self: Any, request: Any) -> Any:
        parsed_url, _ = get_equivalent_url_in_aws_domain(request.url)
        clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
        if passthrough_url(clean_url):
            return None
        found = _handler_for(clean_url, enable_iso_regions())
        if found is None:  # no backend serves it: upstream's answer (a 404 for AWS, else none)
            return process_request(self, request)
        services, handler = found
        for service in services:  # upstream asks for every service whose pattern matched on the way
            if passthrough_service(service):
                return None
            if not service_whitelisted(service):
                raise ServiceNotWhitelisted(service)
        normalized = normalize_request(request)
        try:
            recorder._record_request(normalized)
            return handler(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as e:
            return e.code, e.get_headers(), e.get_body()

    return process


def _answered_left_alone(call: Any) -> Any:
    """`BotocoreStubber.__call__` answering nothing for a request the runtime has answered (22)."""

    @functools.wraps(call)
    def stubber(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if (request.context or {}).get(ANSWERED):
            return None  # botocore keeps the first answer: moto's would be made and dropped
        return call(self, event_name, request, **kwargs)

    return stubber


@functools.cache
def _handler_for(clean_url: str, iso_regions: bool) -> tuple[tuple[str, ...], Any] | None:
    """Upstream's search: the services whose URL pattern matches, in moto's order, until one of its
    backend's URLs does; that URL's handler. A backend's URLs and handlers are fixed by its module and
    the ISO-regions setting (which adds URLs)."""
    import re

    import moto.backend_index as backend_index
    import moto.backends as backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.base_backend import BackendDict

    matched: list[str] = []
    for service, pattern in backend_index.backend_url_patterns:
        if not pattern.match(clean_url):
            continue
        matched.append(service)
        backend_dict = backends.get_backend(service)  # type: ignore[call-overload]  # any service's name
        if isinstance(backend_dict, BackendDict):
            region = "us-east-1" if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID] else "aws"
            backend = backend_dict[DEFAULT_ACCOUNT_ID][region]
        else:
            backend = backend_dict["global"]
        for url, handler in backend.urls.items():
            if re.compile(url).match(clean_url):
                return tuple(matched), handler
    return None


def _random_string_in_one_draw(get_random_string: Any) -> Any:
    """`MotoRandom.get_random_string` drawing its characters in one `choices` call (19)."""

    @functools.wraps(get_random_string)
    def draw(self: Any, length: int = 20, include_digits: bool = True, lower_case: bool = False) -> str:
        import string

        pool = string.ascii_letters + (string.digits if include_digits else "")
        drawn = "".join(self.choices(pool, k=length))
        return drawn.lower() if lower_case else drawn

    return draw


def _lexed_once(lex: Any) -> Any:
    """`ConditionExpressionParser._lex_condition_expression` answering the tokens kept per expression text
    (20), in a fresh deque as upstream's (the parser consumes it). Lexing reads nothing but the text; an
    expression that does not lex raises, every time (lru_cache keeps no exception)."""
    from collections import deque

    from moto.dynamodb.comparisons import ConditionExpressionParser

    @functools.lru_cache(maxsize=1024)
    def tokens(text: str) -> tuple[Any, ...]:
        return tuple(lex(ConditionExpressionParser(text, None, None)))

    @functools.wraps(lex)
    def lexed(self: Any) -> Any:
        return deque(tokens(self.condition_expression))

    return lexed


def _replace(owner: Any, name: str, key: str, replacement: Any) -> None:
    """`owner.name = replacement(upstream's)`, once: upstream's is kept as `upstream[key]` (the tests compare
    answers with it), whose presence also says the patch is on."""
    if key not in upstream:
        upstream[key] = getattr(owner, name)
        setattr(owner, name, replacement(upstream[key]))


def _parsed_once(make: Any) -> Any:
    """`UpdateExpressionParser.make` (a classmethod) answering the tree kept per expression text (11)."""
    parsed = functools.lru_cache(maxsize=512)(make)
    return classmethod(lambda cls, expression_str: parsed(expression_str))


def apply() -> None:
    """Idempotent: moto's engine makes its clients through `factory` and keeps parse trees from now on."""
    global _upstream_parse
    import jsonpath_ng.ext
    from moto.core import responses
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.serialize import BaseJSONSerializer
    from moto.dynamodb import responses as dynamodb_responses
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node  # type: ignore[attr-defined]
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
    from moto.dynamodb.parsing.validators import (
        ActionCountValidator,
        OverlappingPathsValidator,
        UpdateExpressionValidator,
    )
    from moto.moto_api._internal.moto_random import MotoRandom
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.utils import boto_client, json_path
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    # the module's only use of boto3 is boto3.client(...) in boto_client_for (1)
    boto_client.boto3 = factory  # type: ignore[assignment]
    _replace(BaseExecutionWorkerCommunication, "terminated", "terminated", _wake_waiters_after)  # 3
    _replace(BaseJSONSerializer, "_serialize_type_structure", "serialize_type_structure", _attribute_values_as_they_are)
    _replace(ExecutionWorker, "_get_evaluation_entrypoint", "get_evaluation_entrypoint", lambda _: _program_built_once)
    _replace(responses, "method_names_from_class", "method_names_from_class", functools.cache)  # 8
    _replace(json_path, "parse", "json_path_parse", functools.lru_cache(maxsize=1024))  # 9
    _replace(result_path, "parse", "result_path_parse", functools.lru_cache(maxsize=1024))  # 9
    _replace(UpdateExpressionParser, "make", "update_expression_make", _parsed_once)  # 11
    if "__deepcopy__" not in Node.__dict__:  # 12: moto's Node has none of its own
        Node.__deepcopy__ = _node_deepcopy
    _replace(DynamoDBBackend, "transact_write_items", "transact_write_items", _journaled_transactions)  # 13
    # EventTemplateParser imports it on every call (14)
    _replace(jsonpath_ng.ext, "parse", "jsonpath_ng_ext_parse", functools.lru_cache(maxsize=1024))
    _replace(
        DepthFirstTraverser, "traverse_node_recursively", "traverse_node_recursively", lambda _: _traverse_with_one_map
    )
    _replace(DynamoDBBackend, "update_item", "update_item", _item_copied_for_streams_only)  # 16
    _replace(dynamodb_responses, "copy", "dynamodb_responses_copy", lambda _: _ItemReadNotCopied())  # 16
    _replace(DynamoType, "to_regular_json", "to_regular_json", lambda _: _to_regular_json_one_pass)  # 4
    _replace(BotocoreStubber, "process_request", "process_request", _handlers_resolved_once)  # 18
    _replace(BotocoreStubber, "__call__", "stubber_call", _answered_left_alone)  # 22
    _replace(MotoRandom, "get_random_string", "get_random_string", _random_string_in_one_draw)  # 19
    _replace(ConditionExpressionParser, "_lex_condition_expression", "lex_condition_expression", _lexed_once)  # 20
    _replace(UpdateExpressionValidator, "__init__", "update_expression_validator_init", _shape_checked_once)  # 21
    # 17: both checks only read the tree; their traversal is replaced, their check kept
    _replace(
        ActionCountValidator,
        "traverse",
        "action_count_traverse",
        lambda _: _checked_once_per_subtree(ActionCountValidator.verify_action_counts),
    )
    _replace(
        OverlappingPathsValidator,
        "traverse",
        "overlapping_paths_traverse",
        lambda _: _checked_once_per_subtree(OverlappingPathsValidator.check_for_overlapping_paths),
    )
    if _upstream_parse is None:  # 2: a staticmethod, which _parse_keeping_trees calls upstream's of
        _upstream_parse = AmazonStateLanguageParser.parse
        AmazonStateLanguageParser.parse = staticmethod(_parse_keeping_trees)  # type: ignore[method-assign]


def reset() -> None:
    """Forget the clients: botocore copies its handler list when a client is made, so a client made
    before the runtime installed its Lambda hook (or under another mock) would never see it."""
    with _lock:
        factory.clients.clear()
    with _ended:
        _ended_arns.clear()


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
